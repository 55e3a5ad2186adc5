// CPU evaluation of a custom function's output: its forward expression,
// written into the destination (fused as that expression allows).
#pragma once

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/expr/custom.hpp"

namespace ctrace::cpu_backend {

template <class Fn, std::size_t K, class Forward, class... Ins>
struct root_kernel<custom_node<Fn, K, Forward, Ins...>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const custom_node<Fn, K, Forward, Ins...>& node) {
    exec::backend<cpu>::assign(dest, node.value());
  }
};

}  // namespace ctrace::cpu_backend
