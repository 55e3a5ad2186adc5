// literal_node<V, T>: a number whose value is part of its type, `x * lit<2.0>`.
// Unlike a run-time number (scalar_leaf), two uses of lit<2.0> are the same
// graph node, so `auto a = x * lit<2.0>; a * a` captures one multiplication;
// arithmetic on literals alone folds while compiling (lit<2.0> * lit<3.0> is
// lit<6.0>). It takes part in promotion as a wrapped scalar.
#pragma once

#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/core/dtype.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

template <auto V, class T>
struct literal_node : node_base<literal_node<V, T>> {
  using value_type = T;
  using shape_type = ctrace::shape<>;
  using device_type = any_device;
  using children_type = std::tuple<>;
  static constexpr std::string_view name = "constant";
  static constexpr promotion_priority priority = promotion_priority::wrapped_scalar;
  static constexpr bool is_literal = true;
  static constexpr auto literal = V;
  template <class U>
  using rebind = literal_node<V, U>;

  static T value_of() { return convert<T>(V); }
  sizes_t<0> sizes() const { return {}; }
};

// The literal V as PyTorch reads a Python number: bool, int64 or double.
template <auto V>
inline constexpr auto lit =
    literal_node<V, std::conditional_t<std::is_same_v<decltype(V), bool>, bool,
                                       std::conditional_t<std::is_integral_v<decltype(V)>, std::int64_t, double>>>{};

template <class T>
inline constexpr bool is_literal_v = false;
template <auto V, class T>
inline constexpr bool is_literal_v<literal_node<V, T>> = true;

}  // namespace ctrace
