// Random ops over a generator given explicitly: rand/randn over a symbolic
// shape, normal, bernoulli, dropout. Inside a captured graph the generator is
// an input (rng_spec{} while tracing, the caller's generator when called), so
// a graph and the same function run eagerly draw the same values from the
// same seed: every draw reserves Philox blocks from that generator, in order.
#pragma once

#include <cstdint>
#include <string_view>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/symbolic_size.hpp"
#include "ctrace/tensor/factories.hpp"
#include "ctrace/tensor/rng.hpp"

namespace ctrace {

namespace op {
struct bernoulli {
  static constexpr std::string_view name = "bernoulli";
};
struct dropout {
  static constexpr std::string_view name = "dropout";
};
}  // namespace op

namespace detail {
template <class Gen, class Shape, std::size_t... I, class G>
auto random_of_shape(const shape_value<Shape>& s, G& g, double a, double b, const char* what, std::index_sequence<I...>) {
  return random_node<Gen, shape_of<Shape::extents[I]...>>(s.sizes, g, a, b, what);
}
}  // namespace detail

// Uniform on [low, high) / normal(mean, std) with x.shape()'s dims.
template <element_type T, class Shape, random_source G>
  requires is_floating_dtype_v<T>
auto rand(const shape_value<Shape>& s, G& g, double low = 0.0, double high = 1.0) {
  return detail::random_of_shape<gen::uniform<T>>(s, g, low, high, "rand", std::make_index_sequence<Shape::rank>{});
}
template <element_type T, class Shape, random_source G>
  requires is_floating_dtype_v<T>
auto randn(const shape_value<Shape>& s, G& g) {
  return detail::random_of_shape<gen::normal<T>>(s, g, 0.0, 1.0, "randn", std::make_index_sequence<Shape::rank>{});
}
template <element_type T, class Shape, random_source G>
  requires is_floating_dtype_v<T>
auto normal(double mean, double stddev, const shape_value<Shape>& s, G& g) {
  if (!(stddev >= 0)) detail::raise("normal: std must be non-negative, got ", stddev);
  return detail::random_of_shape<gen::normal<T>>(s, g, mean, stddev, "normal", std::make_index_sequence<Shape::rank>{});
}

// 1 with probability p (elementwise from a tensor of probabilities, or one p),
// else 0, in p's dtype (torch.bernoulli).
template <tensor_operand P, random_source G>
auto bernoulli(const P& p, G& g) {
  auto np = to_node(p);
  using T = typename decltype(np)::value_type;
  static_assert(is_floating_dtype_v<T>, "ctrace: bernoulli takes floating probabilities");
  return cast_to<T>(rand<T>(np.shape(), g) < np);
}
template <class Shape, random_source G>
auto bernoulli(double p, const shape_value<Shape>& s, G& g) {
  if (!(p >= 0 && p <= 1)) detail::raise("bernoulli: p must be in [0, 1], got ", p);
  return cast_to<float>(rand<float>(s, g) < p);
}

// Zeroes each element with probability p and scales the rest by 1/(1-p)
// (torch.nn.functional.dropout in training mode); p = 1 gives zeros.
template <tensor_operand X, random_source G>
auto dropout(const X& x, double p, G& g) {
  if (!(p >= 0 && p <= 1)) detail::raise("dropout: p must be in [0, 1], got ", p);
  auto nx = to_node(x);
  using T = typename decltype(nx)::value_type;
  static_assert(is_floating_dtype_v<T>, "ctrace: dropout takes a floating tensor");
  const double scale = p < 1 ? 1.0 / (1.0 - p) : 0.0;
  return where(rand<T>(nx.shape(), g) >= p, nx * scale, scalar_leaf<T>{{}, T(0)});
}

}  // namespace ctrace
