// Sizes read from tensors and expressions, kept symbolic: size<0>(x) is the
// value of x's dim 0 together with its extent (N, 2*N, 3), so what is built
// from it keeps the symbol in its type: arange<float>(size<0>(x)) is f32[N],
// full(x.shape(), 2.0f) has x's shape, reshape(x, size<1>(x) * size<0>(x))
// is [M*N]. In a captured graph the value is this call's size, never a
// constant frozen at trace time.
#pragma once

#include <array>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/api/movement.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/core/symbolic_size.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/tensor/factories.hpp"

namespace ctrace {

namespace op {
struct size {
  static constexpr std::string_view name = "size";
};
}  // namespace op

template <int Axis, tensor_operand X>
auto size(const X& x) {
  using N = node_of_t<const X&>;
  constexpr int a = normalize_axis<op::size, Axis, N::shape_type::rank>();
  return dim_size<N::shape_type::extents[a]>{x.sizes()[a]};
}

template <tensor_operand X>
auto numel(const X& x) {
  using S = typename node_of_t<const X&>::shape_type;
  index_t n = 1;
  for (index_t s : x.sizes()) n *= s;
  return dim_size<S::numel_extent()>{n};
}

namespace detail {
template <class Shape, std::size_t... I>
auto full_of_shape(const shape_value<Shape>& s, auto value, std::index_sequence<I...>) {
  return full<decltype(value), Shape::extents[I]...>(s.sizes, value);
}
}  // namespace detail

// Factories over symbolic sizes: the result's type keeps the symbols.
template <element_type T, class Shape>
auto full(const shape_value<Shape>& s, T value) {
  return detail::full_of_shape(s, value, std::make_index_sequence<Shape::rank>{});
}
template <element_type T, class Shape>
auto zeros(const shape_value<Shape>& s) {
  return full(s, T(0));
}
template <element_type T, class Shape>
auto ones(const shape_value<Shape>& s) {
  return full(s, convert<T>(1));
}
template <element_type T, extent E>
auto arange(dim_size<E> n) {
  using A = typename gen::arange<T>::acc;
  if (n.value < 0) detail::raise("arange: negative length ", n.value);
  return detail::make_generator<gen::arange<T>, shape_of<E>>({A(0), A(1)}, {n.value}, "arange");
}

// reshape/view to symbolic sizes: reshape(x, size<1>(x) * 2, size<0>(x)).
template <tensor_operand X, extent... E>
  requires(sizeof...(E) > 0)
auto reshape(X&& x, dim_size<E>... sizes) {
  return reshape<E...>(std::forward<X>(x), sizes_t<sizeof...(E)>{sizes.value...});
}
template <tensor_operand X, extent... E>
  requires(sizeof...(E) > 0)
auto view(X&& x, dim_size<E>... sizes) {
  return view<E...>(std::forward<X>(x), sizes_t<sizeof...(E)>{sizes.value...});
}

}  // namespace ctrace
