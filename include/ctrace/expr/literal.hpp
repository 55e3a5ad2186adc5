// literal_node<V, T>: a number whose value is part of its type: `x * flit<2>`
// (2.0), `x + lit<3>` (an integer), `flit<1, 2>` (0.5). Unlike a run-time
// number (scalar_leaf), two uses of one literal are the same graph node, so
// `auto a = x * flit<2>; a * a` captures one multiplication, and arithmetic on
// literals alone folds while compiling (flit<2> * flit<3> is flit<6>). A
// literal takes part in promotion as a wrapped scalar (an f32 tensor times
// flit<2> stays f32).
//
// Values are exact rationals: clang 14 takes no floating-point template
// arguments, and a fraction keeps folding exact.
#pragma once

#include <cstdint>
#include <numeric>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/core/dtype.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

struct literal_value {
  std::int64_t num;
  std::int64_t den;  // > 0, gcd(num, den) == 1
  constexpr bool operator==(const literal_value&) const = default;
};

constexpr literal_value make_literal_value(std::int64_t num, std::int64_t den) {
  if (den < 0) {
    num = -num;
    den = -den;
  }
  const std::int64_t g = std::gcd(num < 0 ? -num : num, den);
  return g > 1 ? literal_value{num / g, den / g} : literal_value{num, den};
}

template <literal_value V, class T>
struct literal_node : node_base<literal_node<V, T>> {
  using value_type = T;
  using shape_type = ctrace::shape<>;
  using device_type = any_device;
  using children_type = std::tuple<>;
  static constexpr std::string_view name = "constant";
  static constexpr promotion_priority priority = promotion_priority::wrapped_scalar;
  static constexpr bool is_literal = true;
  static constexpr literal_value literal = V;
  template <class U>
  using rebind = literal_node<V, U>;

  static T value_of() {
    if constexpr (is_floating_dtype_v<T>) return convert<T>(static_cast<double>(V.num) / static_cast<double>(V.den));
    else return convert<T>(V.num / V.den);
  }
  sizes_t<0> sizes() const { return {}; }
};

// An integer literal (a Python int: int64) or a boolean one.
template <auto V>
  requires std::is_integral_v<decltype(V)>
inline constexpr auto lit =
    literal_node<literal_value{static_cast<std::int64_t>(V), 1},
                 std::conditional_t<std::is_same_v<decltype(V), bool>, bool, std::int64_t>>{};

// A floating literal Num / Den (a Python float: f64): flit<2>, flit<1, 2>.
template <std::int64_t Num, std::int64_t Den = 1>
  requires(Den != 0)
inline constexpr auto flit = literal_node<make_literal_value(Num, Den), double>{};

template <class T>
inline constexpr bool is_literal_v = false;
template <literal_value V, class T>
inline constexpr bool is_literal_v<literal_node<V, T>> = true;

// Literal arithmetic, exact; the result is converted to the op's type when read.
template <class Op>
constexpr literal_value fold_literals(literal_value a, literal_value b, bool integral_result) {
  literal_value r{};
  if constexpr (Op::name == std::string_view("add")) r = make_literal_value(a.num * b.den + b.num * a.den, a.den * b.den);
  else if constexpr (Op::name == std::string_view("sub")) r = make_literal_value(a.num * b.den - b.num * a.den, a.den * b.den);
  else if constexpr (Op::name == std::string_view("mul")) r = make_literal_value(a.num * b.num, a.den * b.den);
  else r = make_literal_value(a.num * b.den, a.den * b.num);
  // Integer ops truncate each operand first and wrap like the run-time op.
  if (integral_result) r = literal_value{r.num / r.den, 1};
  return r;
}

}  // namespace ctrace
