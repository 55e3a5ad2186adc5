// Values computed once per graph call. Inside a captured graph's call, a
// subtree made only of value-free nodes over the graph's inputs has one value
// wherever it appears (expr/value_free.hpp), so a node that must be
// materialized (a reduction, a matmul, ...) and appears in several places of
// the rebuilt expression is computed the first time and reused after: the
// executor's side of CSE. Outside a graph call nothing is remembered (two
// tensors of one type are different values).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "ctrace/expr/value_free.hpp"
#include "ctrace/tensor/tensor_fwd.hpp"

namespace ctrace::exec {

struct memo_stats {
  int computed = 0;  // materialized and remembered
  int reused = 0;    // served from the memo
};

class materialization_memo {
 public:
  // The innermost graph call's memo on this thread, or null.
  static materialization_memo*& current() {
    thread_local materialization_memo* memo = nullptr;
    return memo;
  }

  // The value of `node`: remembered, or made by make() and remembered.
  template <class Node, class Tensor, class Make>
  Tensor get(Make&& make) {
    const void* key = &type_key<Node, Tensor>::id;
    for (const auto& e : entries_) {
      if (e.first == key) {
        ++stats.reused;
        return *static_cast<const Tensor*>(e.second.get());
      }
    }
    Tensor t = make();
    entries_.emplace_back(key, std::make_shared<Tensor>(t));
    ++stats.computed;
    return t;
  }

  memo_stats stats;

 private:
  template <class Node, class Tensor>
  struct type_key {
    static constexpr char id = 0;
  };
  std::vector<std::pair<const void*, std::shared_ptr<void>>> entries_;
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

}  // namespace ctrace::exec
