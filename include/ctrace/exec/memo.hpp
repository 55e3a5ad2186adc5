// Values computed once per graph call. Inside a captured graph's call, a
// subtree made only of value-free nodes over the graph's inputs has one value
// wherever it appears (expr/value_free.hpp), so a node that must be
// materialized (a reduction, a matmul, ...) and appears in several places of
// the rebuilt expression is computed the first time and reused after: the
// executor's side of CSE. Outside a graph call nothing is remembered (two
// tensors of one type are different values).
#pragma once

#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "ctrace/expr/value_free.hpp"
#include "ctrace/core/config.hpp"
#include "ctrace/tensor/tensor_fwd.hpp"

namespace ctrace::detail {
struct unchecked_tag;  // tensor.hpp: a tensor over memory whose sizes were checked already
}  // namespace ctrace::detail

namespace ctrace::exec {

struct memo_stats {
  int computed = 0;  // materialized and remembered
  int reused = 0;    // served from the memo
};

class materialization_memo {
 public:
  materialization_memo() = default;
  materialization_memo(const materialization_memo&) = delete;
  materialization_memo& operator=(const materialization_memo&) = delete;
  ~materialization_memo() {
    for (int i = 0; i < count_ && i < inline_entries; ++i) inline_[i].e.~entry();
  }

  // The innermost graph call's memo on this thread, or null.
  static materialization_memo*& current() {
    thread_local materialization_memo* memo = nullptr;
    return memo;
  }

  // The value of `node`: remembered, or made by make() and remembered.
  template <class Node, class Tensor, class Make>
  Tensor get(Make&& make) {
    const void* key = &type_key<Node, Tensor>::id;
    for (int i = 0; i < count_; ++i) {
      const entry& e = at(i);
      if (e.key == key) {
        ++stats.reused;
        return restore<Tensor>(e);
      }
    }
    Tensor t = make();
    store(key, t);
    ++stats.computed;
    return t;
  }

  memo_stats stats;

 private:
  template <class Node, class Tensor>
  struct type_key {
    static constexpr char id = 0;
  };
  // A remembered tensor without its type (the key knows it): the handle's
  // parts. The first few live here, so a call allocates nothing for them;
  // they are constructed when stored, so a graph call that remembers nothing
  // (most of them) does not zero their 1.3 KB (about 13 ns of a 4x4 call).
  struct entry {
    const void* key = nullptr;
    std::shared_ptr<void> owner;
    void* data = nullptr;
    index_t sizes[max_rank]{};
    index_t strides[max_rank]{};
  };
  static constexpr int inline_entries = 8;

  union inline_entry {
    entry e;
    inline_entry() {}
    ~inline_entry() {}
  };

  entry& at(int i) { return i < inline_entries ? inline_[i].e : overflow_[static_cast<std::size_t>(i - inline_entries)]; }
  template <class Tensor>
  void store(const void* key, const Tensor& t) {
    if (count_ >= inline_entries) overflow_.emplace_back();
    else ::new (static_cast<void*>(&inline_[count_].e)) entry{};
    entry& e = at(count_++);
    e.key = key;
    e.owner = t.owner();
    e.data = static_cast<void*>(t.data());
    for (int d = 0; d < Tensor::rank; ++d) {
      e.sizes[d] = t.sizes()[static_cast<std::size_t>(d)];
      e.strides[d] = t.strides()[static_cast<std::size_t>(d)];
    }
  }
  template <class Tensor>
  static Tensor restore(const entry& e) {
    typename Tensor::sizes_type sizes{}, strides{};
    for (int d = 0; d < Tensor::rank; ++d) {
      sizes[static_cast<std::size_t>(d)] = e.sizes[d];
      strides[static_cast<std::size_t>(d)] = e.strides[d];
    }
    return Tensor(ctrace::detail::unchecked_tag{}, e.owner, static_cast<typename Tensor::value_type*>(e.data), sizes,
                  strides);
  }

  inline_entry inline_[inline_entries];
  std::vector<entry> overflow_;
  int count_ = 0;
};

// What the last graph call on this thread computed and reused (for tests and
// for reading a plan's effect).
inline memo_stats& last_call_stats() {
  thread_local memo_stats stats;
  return stats;
}

// Makes a memo current for the scope of one graph call.
class memo_scope {
 public:
  memo_scope() : previous_(materialization_memo::current()) { materialization_memo::current() = &memo_; }
  ~memo_scope() {
    materialization_memo::current() = previous_;
    last_call_stats() = memo_.stats;
  }
  memo_scope(const memo_scope&) = delete;
  memo_scope& operator=(const memo_scope&) = delete;
  const memo_stats& stats() const { return memo_.stats; }

 private:
  materialization_memo memo_;
  materialization_memo* previous_;
};

// make() once per graph call for value-free subtrees, every time otherwise.
template <class Node, class Tensor, class Make>
Tensor materialize_once(Make&& make) {
  if constexpr (is_value_free_tree_v<Node>) {
    if (materialization_memo* memo = materialization_memo::current()) {
      return memo->template get<Node, Tensor>(std::forward<Make>(make));
    }
  }
  return make();
}

// Whether materialize_once<Node, ...> remembers Node's value for the rest of
// this graph call: a kernel that could compute Node on its way to something
// else (a GEMM with an epilogue) should then materialize it instead, so that
// no other use computes it again.
template <class Node>
bool values_shared() {
  if constexpr (is_value_free_tree_v<Node>) return materialization_memo::current() != nullptr;
  else return false;
}

}  // namespace ctrace::exec
