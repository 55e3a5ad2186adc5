// generator_node<Gen, Shape>: a node with no operands whose element i is
// Gen{}(i), i being the element's row-major index in the node's own shape
// (full, arange, linspace, eye, rand, randn).
#pragma once

#include <cmath>
#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/core/dtype.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/tensor/rng.hpp"

namespace ctrace {

template <class Gen, class Shape>
struct generator_node : node_base<generator_node<Gen, Shape>> {
  using value_type = typename Gen::value_type;
  using shape_type = Shape;
  using device_type = any_device;
  using children_type = std::tuple<>;
  static constexpr std::string_view name = Gen::name;
  static constexpr promotion_priority priority = priority_of<generator_node>;

  Gen gen;
  sizes_t<Shape::rank> result_sizes;

  const sizes_t<Shape::rank>& sizes() const { return result_sizes; }
  std::string attributes() const {
    if constexpr (requires { gen.attributes(); }) return gen.attributes();
    else return {};
  }
};

namespace gen {

// A random node's attributes: its generator's seed and the first Philox block
// it uses, or, inside a graph, which input generator and how far into this
// call's draws (the seed and offset are then the caller's, at call time).
inline std::string random_attributes(std::uint64_t seed, std::uint64_t first_block, int source) {
  if (source >= 0) return "generator=" + std::to_string(source) + ", offset=+" + std::to_string(first_block);
  return "seed=" + std::to_string(seed) + ", offset=" + std::to_string(first_block);
}

template <class T>
struct full {
  using value_type = T;
  static constexpr std::string_view name = "full";
  static constexpr bool linear = false;  // the value does not depend on the index
  T value;
  CTRACE_HOST_DEVICE T operator()(index_t) const { return value; }
  std::string attributes() const { return "value=" + std::to_string(static_cast<double>(static_cast<compute_type_t<T>>(value))); }
};

// start + i * step, computed in double (or int64) and converted once.
template <class T>
struct arange {
  using value_type = T;
  static constexpr std::string_view name = "arange";
  using acc = std::conditional_t<std::is_integral_v<T>, std::int64_t, double>;
  acc start, step;
  CTRACE_HOST_DEVICE T operator()(index_t i) const { return convert<T>(start + static_cast<acc>(i) * step); }
};

// Evenly spaced from start to end inclusive; the second half counts back from
// `end` so that both ends are exact (as torch.linspace).
template <class T>
struct linspace {
  using value_type = T;
  static constexpr std::string_view name = "linspace";
  double start, end;
  index_t steps;
  CTRACE_HOST_DEVICE T operator()(index_t i) const {
    if (steps == 1) return convert<T>(start);
    const double step = (end - start) / static_cast<double>(steps - 1);
    const index_t half = steps / 2;
    return convert<T>(i < half ? start + step * static_cast<double>(i)
                               : end - step * static_cast<double>(steps - 1 - i));
  }
};

template <class T>
struct eye {
  using value_type = T;
  static constexpr std::string_view name = "eye";
  index_t cols;
  CTRACE_HOST_DEVICE T operator()(index_t i) const { return convert<T>(cols > 0 && i / cols == i % cols); }
};

// Uniform on [low, high). Floats use one Philox lane per element (24 bits),
// doubles two (53 bits).
template <class T>
struct uniform {
  using value_type = T;
  static constexpr std::string_view name = "rand";
  std::uint64_t seed, first_block;
  double low, high;
  int source = -1;  // the graph input it draws from (-1: a generator outside any graph)
  std::string attributes() const { return random_attributes(seed, first_block, source); }
  static constexpr index_t per_block = std::is_same_v<T, double> ? 2 : 4;
  CTRACE_HOST_DEVICE T operator()(index_t i) const {
    const auto b = philox4x32::at(seed, first_block + static_cast<std::uint64_t>(i / per_block));
    const int lane = static_cast<int>(i % per_block);
    double u;
    if constexpr (std::is_same_v<T, double>) u = detail::uniform_double(b.v[2 * lane], b.v[2 * lane + 1]);
    else u = detail::uniform_float(b.v[lane]);
    return convert<T>(low + (high - low) * u);
  }
};

// Normal(mean, std) by Box-Muller: elements 2k and 2k+1 are the two outputs of
// one block's pair of uniforms.
template <class T>
struct normal {
  using value_type = T;
  static constexpr std::string_view name = "randn";
  std::uint64_t seed, first_block;
  double mean, stddev;
  int source = -1;
  std::string attributes() const { return random_attributes(seed, first_block, source); }
  static constexpr index_t per_block = 2;
  CTRACE_HOST_DEVICE T operator()(index_t i) const {
    const auto b = philox4x32::at(seed, first_block + static_cast<std::uint64_t>(i / 2));
    double u1, u2;
    if constexpr (std::is_same_v<T, double>) {
      u1 = detail::uniform_double(b.v[0], b.v[1]);
      u2 = detail::uniform_double(b.v[2], b.v[3]);
    } else {
      u1 = detail::uniform_float(b.v[0]);
      u2 = detail::uniform_float(b.v[1]);
    }
    const double r = std::sqrt(-2.0 * std::log(1.0 - u1));  // 1 - u1 is in (0, 1]
    const double theta = 6.283185307179586476925 * u2;
    const double z = (i % 2 == 0) ? r * std::cos(theta) : r * std::sin(theta);
    return convert<T>(mean + stddev * z);
  }
};

}  // namespace gen
}  // namespace ctrace
