// Scans users call: cumsum and cummax along one axis.
#pragma once

#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/expr/cummax.hpp"
#include "ctrace/expr/cumsum.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/values_indices.hpp"

namespace ctrace {

// torch.cumsum(x, Axis): running sums along Axis. bool and integer inputs
// give int64 (as PyTorch); floating inputs keep their type (f32 accumulates
// in double and f16/bf16 in float, as PyTorch's CPU kernel).
template <int Axis, tensor_operand X>
auto cumsum(X&& x) {
  auto n = to_node(std::forward<X>(x));
  using N = decltype(n);
  if constexpr (any_poison<N>) {
    return poison{};
  } else if constexpr (!axis_in_range<op::cumsum, Axis, N::shape_type::rank>) {
    normalize_axis<op::cumsum, Axis, N::shape_type::rank>();  // reports axis_out_of_range
    return poison{};
  } else {
    constexpr int a = normalize_axis<op::cumsum, Axis, N::shape_type::rank>();
    return cumsum_node<a, N>{{}, {std::move(n)}};
  }
}

// torch.cummax(x, Axis): the running maximum along Axis and the int64 index
// where it was found. Returns values_indices{values, indices}, two nodes:
//   auto [values, indices] = cummax<1>(x);
//   Tensor<float, 2, 3> v = values;  Tensor<std::int64_t, 2, 3> i = indices;
// Each node computes its own result when evaluated (assigning both scans x
// twice); taking one result costs one scan. Ties take the later index; a NaN
// propagates (and a later NaN takes over with its own index), as PyTorch.
template <int Axis, tensor_operand X>
auto cummax(X&& x) {
  auto n = to_node(std::forward<X>(x));
  using N = decltype(n);
  if constexpr (any_poison<N>) {
    return values_indices<poison, poison>{};
  } else if constexpr (!axis_in_range<op::cummax, Axis, N::shape_type::rank>) {
    normalize_axis<op::cummax, Axis, N::shape_type::rank>();  // reports axis_out_of_range
    return values_indices<poison, poison>{};
  } else {
    constexpr int a = normalize_axis<op::cummax, Axis, N::shape_type::rank>();
    using values = cummax_node<a, result_part::values, N>;
    using indices = cummax_node<a, result_part::indices, N>;
    return values_indices<values, indices>{values{{}, {n}}, indices{{}, {std::move(n)}}};
  }
}

}  // namespace ctrace
