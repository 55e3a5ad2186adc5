// Factories: make_tensor from values, and the lazy generators zeros, ones,
// full, arange, linspace, eye, rand, randn (nodes: they fuse into expressions
// and become tensors when assigned or eval()'d).
#pragma once

#include <cmath>
#include <initializer_list>

#include "ctrace/expr/generator.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

namespace detail {
template <class Shape>
sizes_t<Shape::rank> static_sizes_or_fail(const char* what) {
  static_assert(Shape::is_static, "ctrace: this factory needs run-time sizes for symbolic or dynamic dims: f(sizes, ...)");
  (void)what;
  return Shape::static_sizes();
}
template <class Gen, class Shape>
generator_node<Gen, Shape> make_generator(const Gen& g, const sizes_t<Shape::rank>& sizes, const char* what) {
  check_sizes<Shape>(sizes, what);
  return {{}, g, sizes};
}
}  // namespace detail

// A tensor holding `values` in row-major order.
template <element_type T, auto... Dims>
tensor<T, shape_of<Dims...>> make_tensor(std::initializer_list<T> values) {
  using S = shape_of<Dims...>;
  static_assert(S::is_static, "ctrace: make_tensor<T, dims...>(values) needs static dims; pass sizes first");
  auto t = tensor<T, S>::uninitialized(S::static_sizes());
  if (static_cast<index_t>(values.size()) != t.numel()) {
    detail::raise("make_tensor: ", values.size(), " values given for shape ", S::to_string(), " (", t.numel(),
                  " elements)");
  }
  index_t i = 0;
  for (const T& v : values) t.data()[i++] = v;
  return t;
}
template <element_type T, auto... Dims>
tensor<T, shape_of<Dims...>> make_tensor(const sizes_t<sizeof...(Dims)>& sizes, std::initializer_list<T> values) {
  auto t = tensor<T, shape_of<Dims...>>::uninitialized(sizes);
  if (static_cast<index_t>(values.size()) != t.numel()) {
    detail::raise("make_tensor: ", values.size(), " values given for sizes ", sizes_to_string(sizes), " (",
                  t.numel(), " elements)");
  }
  index_t i = 0;
  for (const T& v : values) t.data()[i++] = v;
  return t;
}

template <element_type T, auto... Dims>
auto full(const sizes_t<sizeof...(Dims)>& sizes, T value) {
  return detail::make_generator<gen::full<T>, shape_of<Dims...>>({value}, sizes, "full");
}
template <element_type T, auto... Dims>
auto full(T value) {
  return full<T, Dims...>(detail::static_sizes_or_fail<shape_of<Dims...>>("full"), value);
}
template <element_type T, auto... Dims>
auto zeros(const sizes_t<sizeof...(Dims)>& sizes) {
  return full<T, Dims...>(sizes, T(0));
}
template <element_type T, auto... Dims>
auto zeros() {
  return full<T, Dims...>(T(0));
}
template <element_type T, auto... Dims>
auto ones(const sizes_t<sizeof...(Dims)>& sizes) {
  return full<T, Dims...>(sizes, convert<T>(1));
}
template <element_type T, auto... Dims>
auto ones() {
  return full<T, Dims...>(convert<T>(1));
}

// 0, 1, ..., Length-1 (static length).
template <element_type T, index_t Length>
auto arange() {
  using A = typename gen::arange<T>::acc;
  return detail::make_generator<gen::arange<T>, shape_of<Length>>({A(0), A(1)}, {Length}, "arange");
}
// start, start+step, ... before end (length known at run time), as torch.arange.
template <element_type T>
auto arange(double start, double end, double step = 1.0) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(end)) {
    detail::raise("arange: step must be non-zero and bounds finite (start ", start, ", end ", end, ", step ", step, ")");
  }
  if ((end - start) / step < 0) {
    detail::raise("arange: the step ", step, " does not lead from ", start, " to ", end);
  }
  const index_t length = static_cast<index_t>(std::ceil((end - start) / step));
  using A = typename gen::arange<T>::acc;
  return detail::make_generator<gen::arange<T>, shape_of<dyn>>({static_cast<A>(start), static_cast<A>(step)}, {length},
                                                               "arange");
}
template <element_type T>
auto arange(double end) {
  return arange<T>(0.0, end, 1.0);
}

template <element_type T, index_t Steps>
auto linspace(double start, double end) {
  static_assert(Steps >= 0, "ctrace: linspace needs a non-negative number of steps");
  return detail::make_generator<gen::linspace<T>, shape_of<Steps>>({start, end, Steps}, {Steps}, "linspace");
}
template <element_type T>
auto linspace(double start, double end, index_t steps) {
  if (steps < 0) detail::raise("linspace: number of steps ", steps, " is negative");
  return detail::make_generator<gen::linspace<T>, shape_of<dyn>>({start, end, steps}, {steps}, "linspace");
}

// Identity matrix (ones on the main diagonal).
template <element_type T, auto Rows, auto Cols = Rows>
auto eye() {
  using S = shape_of<Rows, Cols>;
  auto sizes = detail::static_sizes_or_fail<S>("eye");
  return detail::make_generator<gen::eye<T>, S>({sizes[1]}, sizes, "eye");
}
template <element_type T, auto Rows, auto Cols = Rows>
auto eye(index_t rows, index_t cols) {
  return detail::make_generator<gen::eye<T>, shape_of<Rows, Cols>>({cols}, {rows, cols}, "eye");
}

namespace detail {
// G is a generator, or a graph's generator input (which has source()).
template <class Gen, class Shape, class G>
auto random_node(const sizes_t<Shape::rank>& sizes, G& g, double a, double b, const char* what) {
  check_sizes<Shape>(sizes, what);
  index_t n = 1;
  for (index_t s : sizes) n *= s;
  const std::uint64_t blocks = static_cast<std::uint64_t>((n + Gen::per_block - 1) / Gen::per_block);
  int source = -1;
  if constexpr (requires { g.source(); }) source = g.source();
  return generator_node<Gen, Shape>{{}, Gen{g.seed(), g.reserve(blocks), a, b, source}, sizes};
}
}  // namespace detail

// Uniform on [0, 1): each call draws new values from the generator.
template <element_type T, auto... Dims, random_source G = generator>
  requires is_floating_dtype_v<T>
auto rand(const sizes_t<sizeof...(Dims)>& sizes, G& g = default_generator()) {
  return detail::random_node<gen::uniform<T>, shape_of<Dims...>>(sizes, g, 0.0, 1.0, "rand");
}
template <element_type T, auto... Dims, random_source G = generator>
  requires is_floating_dtype_v<T>
auto rand(G& g = default_generator()) {
  return rand<T, Dims...>(detail::static_sizes_or_fail<shape_of<Dims...>>("rand"), g);
}
// Standard normal.
template <element_type T, auto... Dims, random_source G = generator>
  requires is_floating_dtype_v<T>
auto randn(const sizes_t<sizeof...(Dims)>& sizes, G& g = default_generator()) {
  return detail::random_node<gen::normal<T>, shape_of<Dims...>>(sizes, g, 0.0, 1.0, "randn");
}
template <element_type T, auto... Dims, random_source G = generator>
  requires is_floating_dtype_v<T>
auto randn(G& g = default_generator()) {
  return randn<T, Dims...>(detail::static_sizes_or_fail<shape_of<Dims...>>("randn"), g);
}

}  // namespace ctrace
