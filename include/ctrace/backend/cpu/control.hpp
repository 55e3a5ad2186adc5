// CPU evaluation of control-flow nodes (the device-independent part is
// exec/control.hpp): cond computes the predicate, then only the chosen
// branch; a loop runs its body graph once per iteration, the first time one
// of its results is read, and keeps the final carries; a scan does the same
// and writes each step's y straight into its row of the stacked ys, whose
// results are then read in place.
#pragma once

#include <cstddef>

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/exec/control.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cpu_backend {

template <class P, class A, class B>
struct root_kernel<cond_node<P, A, B>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cond_node<P, A, B>& node) {
    exec::control::run_cond<cpu>(dest, node, [](const auto& p) { return static_cast<bool>(*p.data()); });
  }
};

template <std::size_t K, class State, class... Init>
struct root_kernel<loop_result<K, State, Init...>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const loop_result<K, State, Init...>& node) {
    const auto& out = exec::control::loop_value(node);
    exec::backend<cpu>::assign(dest, tensor_leaf<T, typename loop_result<K, State, Init...>::shape_type, cpu>{{}, out});
  }
};

// A scan's results are read in place from the memory the scan wrote.
template <std::size_t K, class State, class... Children, int R>
struct evaluator<scan_result<K, State, Children...>, R>
    : strided_reader<typename scan_result<K, State, Children...>::value_type, R> {
  evaluator(const scan_result<K, State, Children...>& node, const sizes_t<R>& iter)
      : strided_reader<typename scan_result<K, State, Children...>::value_type, R>(
            exec::control::scan_value(node).strided(), iter) {}
};

}  // namespace ctrace::cpu_backend
