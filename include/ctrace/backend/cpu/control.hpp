// CPU evaluation of control-flow nodes: cond computes the predicate, then only
// the chosen branch; a loop runs its body graph once per iteration, the first
// time one of its results is read, and keeps the final carries.
#pragma once

#include <cstdint>
#include <tuple>

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cpu_backend {

template <class P, class A, class B>
struct root_kernel<cond_node<P, A, B>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cond_node<P, A, B>& node) {
    const auto p = as_contiguous_tensor(node.pred());
    if (p.numel() != 1) {
      ctrace::detail::raise("cond: the predicate has ", p.numel(), " elements (sizes ", sizes_to_string(p.sizes()),
                            "), not one");
    }
    if (*p.data()) exec::backend<cpu>::assign(dest, node.on_true());
    else exec::backend<cpu>::assign(dest, node.on_false());
  }
};

template <std::size_t K, class State, class... Init>
struct root_kernel<loop_result<K, State, Init...>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const loop_result<K, State, Init...>& node) {
    State& st = *node.state;
    if (!st.result) {
      auto carry = std::apply([](const auto&... n) { return std::make_tuple(as_tensor(n)...); }, node.children);
      auto i = tensor<std::int64_t, shape<>, cpu>(sizes_t<0>{});
      for (index_t it = st.lower; it < st.upper; ++it) {
        i.data()[0] = static_cast<std::int64_t>(it);
        auto next = std::apply([&](const auto&... c) { return st.body(i, c...); }, carry);
        if constexpr (sizeof...(Init) == 1) {
          carry = std::make_tuple(std::move(next));
        } else {
          carry = std::move(next);
        }
      }
      st.result.emplace(std::move(carry));
    }
    const auto& out = std::get<K>(*st.result);
    exec::backend<cpu>::assign(dest, tensor_leaf<T, typename loop_result<K, State, Init...>::shape_type, cpu>{{}, out});
  }
};

}  // namespace ctrace::cpu_backend
