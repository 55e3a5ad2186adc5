// spec<T, Dims...>: how a captured graph's tensor input is described: dtype
// and shape, dims as in tensor types (ints, sym<"N">, 2*N).
#pragma once

#include <type_traits>

#include "ctrace/core/device.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace {

template <class T, auto... Dims>
struct spec {
  using value_type = T;
  using shape_type = shape_of<Dims...>;
  using device_type = cpu;
};

// The same on another device.
template <class Device, class T, auto... Dims>
struct spec_on {
  using value_type = T;
  using shape_type = shape_of<Dims...>;
  using device_type = Device;
};

// A spec from a shape type (what an expression of that type would need).
template <class T, class Shape, class Device = cpu>
struct spec_of_shape {
  using value_type = T;
  using shape_type = Shape;
  using device_type = Device;
};

// A random generator input: the graph draws from the caller's generator.
struct rng_spec {
  using value_type = void;
  using shape_type = shape<>;
  using device_type = void;
};

template <class S>
struct is_spec : std::false_type {};
template <>
struct is_spec<rng_spec> : std::true_type {};
template <class T, class S, class Dv>
struct is_spec<spec_of_shape<T, S, Dv>> : std::true_type {};
template <class T, auto... D>
struct is_spec<spec<T, D...>> : std::true_type {};
template <class Dv, class T, auto... D>
struct is_spec<spec_on<Dv, T, D...>> : std::true_type {};

// A spec's dims as the value a symbol stands for while tracing: every symbol
// takes this value, so equal symbols meet as equal sizes. (The values are
// never computed on; they only let an op's run-time checks pass.)
inline constexpr index_t trace_symbol_value = 8;

template <class Shape>
sizes_t<Shape::rank> trace_sizes() {
  sizes_t<Shape::rank> s{};
  for (int i = 0; i < Shape::rank; ++i) {
    const extent& e = Shape::extents[i];
    if (e.is_dynamic()) {
      s[i] = trace_symbol_value;
      continue;
    }
    index_t v = 0;
    for (int t = 0; t < e.term_count; ++t) {
      index_t term = e.terms[t].coef;
      for (int k = 0; k < e.terms[t].count; ++k) term *= trace_symbol_value;
      v += term;
    }
    s[i] = v;
  }
  return s;
}

}  // namespace ctrace
