// Movement ops users call: reshape, view, permute, transpose, squeeze,
// unsqueeze, expand, slice, select, diagonal. On a tensor (or a tensor leaf)
// each gives a tensor leaf over the zero-copy view from the tensor's own view
// members; on any other expression, a movement node that the backend evaluates
// once and reads through the same view. Every compile-time check is here.
#pragma once

#include <array>
#include <cstdint>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/movement.hpp"
#include "ctrace/expr/ops/movement_ops.hpp"

namespace ctrace {

namespace detail {

template <class T>
inline constexpr bool is_tensor_leaf_v = false;
template <class T, class S, class D>
inline constexpr bool is_tensor_leaf_v<tensor_leaf<T, S, D>> = true;

// x seen through `op`: a leaf over the view for tensors, a movement node for
// expressions, poison after a compile-time error.
template <class Op, tensor_operand X>
auto make_movement(X&& x, Op op) {
  auto n = to_node(std::forward<X>(x));
  using N = decltype(n);
  if constexpr (any_poison<N>) {
    return poison{};
  } else if constexpr (!Op::template check<typename N::shape_type>()) {
    return poison{};
  } else if constexpr (is_tensor_leaf_v<N>) {
    return to_node(op.apply(n.value));
  } else {
    auto sizes = op.template result_sizes<typename N::shape_type>(n.sizes());
    return movement_node<Op, N>{{}, {std::move(n)}, std::move(op), sizes};
  }
}

// Sizes for reshape/expand without run-time sizes: static dims as given,
// anything else -1 (inferred or kept).
template <auto... Dims>
sizes_t<sizeof...(Dims)> static_sizes_or_unknown() {
  constexpr std::array<extent, sizeof...(Dims)> given{to_extent(Dims)...};
  sizes_t<sizeof...(Dims)> s{};
  for (std::size_t i = 0; i < given.size(); ++i) s[i] = given[i].is_static() ? given[i].value() : -1;
  return s;
}

}  // namespace detail

// Dims reordered: result dim i is x's dim Perm[i] (negative axes count from the end).
template <int... Perm, tensor_operand X>
auto permute(X&& x) {
  return detail::make_movement(std::forward<X>(x), movement::permute<Perm...>{});
}

// Dims A and B swapped; the last two by default.
template <int A = -2, int B = -1, tensor_operand X>
auto transpose(X&& x) {
  return detail::make_movement(std::forward<X>(x), movement::transpose<A, B>{});
}

// Index `index` of dim Axis, the dim removed; negative indices count from the
// end, an index out of range throws.
template <int Axis, tensor_operand X>
auto select(X&& x, index_t index) {
  return detail::make_movement(std::forward<X>(x), movement::select<Axis>{index});
}

// Elements start, start+step, ... before stop along Axis, PyTorch's clamping;
// the length is known at run time only.
template <int Axis, tensor_operand X>
auto slice(X&& x, index_t start, index_t stop, index_t step = 1) {
  return detail::make_movement(std::forward<X>(x), movement::slice<Axis>{start, stop, step});
}

// The same with static bounds: the length is static when the dim is.
template <int Axis, index_t Start, index_t Stop, index_t Step = 1, tensor_operand X>
auto slice(X&& x) {
  return detail::make_movement(std::forward<X>(x), movement::static_slice<Axis, Start, Stop, Step>{});
}

// Dim Axis, which must be 1, removed.
template <int Axis, tensor_operand X>
auto squeeze(X&& x) {
  return detail::make_movement(std::forward<X>(x), movement::squeeze<Axis>{});
}

// A dim of size 1 inserted before Axis (-1 appends).
template <int Axis, tensor_operand X>
auto unsqueeze(X&& x) {
  return detail::make_movement(std::forward<X>(x), movement::unsqueeze<Axis>{});
}

// Broadcast without copying to the dims given (ints and symbols; -1 keeps a
// dim); new dims go in front. Symbolic dims need the run-time sizes.
template <auto... Dims, tensor_operand X>
auto expand(X&& x, const sizes_t<sizeof...(Dims)>& sizes) {
  return detail::make_movement(std::forward<X>(x), movement::expand<Dims...>{sizes});
}
template <auto... Dims, tensor_operand X>
auto expand(X&& x) {
  static_assert(((to_extent(Dims).is_static()) && ...),
                "ctrace: expand<...>(x) with symbolic dims needs the sizes: expand<...>(x, sizes)");
  return expand<Dims...>(std::forward<X>(x), detail::static_sizes_or_unknown<Dims...>());
}

// The elements in row-major order with new dims; one -1 (or one symbolic dim)
// is inferred. A view where x's strides allow one, else a copy.
template <auto... Dims, tensor_operand X>
auto reshape(X&& x, const sizes_t<sizeof...(Dims)>& sizes) {
  return detail::make_movement(std::forward<X>(x), movement::reshape<false, Dims...>{sizes});
}
template <auto... Dims, tensor_operand X>
auto reshape(X&& x) {
  return reshape<Dims...>(std::forward<X>(x), detail::static_sizes_or_unknown<Dims...>());
}

// As reshape, but never copies: throws when x's strides do not allow a view.
template <auto... Dims, tensor_operand X>
auto view(X&& x, const sizes_t<sizeof...(Dims)>& sizes) {
  return detail::make_movement(std::forward<X>(x), movement::reshape<true, Dims...>{sizes});
}
template <auto... Dims, tensor_operand X>
auto view(X&& x) {
  return view<Dims...>(std::forward<X>(x), detail::static_sizes_or_unknown<Dims...>());
}

// The diagonal Offset of a 2-D x (above the main one when positive) as a 1-D
// view, as torch.diagonal.
template <std::int64_t Offset = 0, tensor_operand X>
auto diagonal(X&& x) {
  return detail::make_movement(std::forward<X>(x), movement::diagonal<Offset>{});
}

}  // namespace ctrace
