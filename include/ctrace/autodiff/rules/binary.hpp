// Derivatives of the arithmetic binary ops (binary_node<Op, A, B>). Each
// operand's cotangent is summed back over the dims it was broadcast along.
// Comparisons and logical ops give bool: nothing flows through them.
#pragma once

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/binary.hpp"

namespace ctrace::autodiff {

template <class Op>
struct binary_derivative {
  static constexpr bool defined = false;
};

template <>
struct binary_derivative<op::add> {
  static constexpr bool defined = true;
  template <std::size_t>
  static auto apply(const auto&, const auto&, const auto&, const auto& g) { return to_node(g); }
};
template <>
struct binary_derivative<op::sub> {
  static constexpr bool defined = true;
  template <std::size_t K>
  static auto apply(const auto&, const auto&, const auto&, const auto& g) {
    if constexpr (K == 0) return to_node(g);
    else return -g;
  }
};
template <>
struct binary_derivative<op::mul> {
  static constexpr bool defined = true;
  template <std::size_t K>
  static auto apply(const auto& a, const auto& b, const auto&, const auto& g) {
    if constexpr (K == 0) return g * b;
    else return g * a;
  }
};
template <>
struct binary_derivative<op::div> {  // y = a / b: da = g / b, db = -g y / b
  static constexpr bool defined = true;
  template <std::size_t K>
  static auto apply(const auto&, const auto& b, const auto& y, const auto& g) {
    if constexpr (K == 0) return g / b;
    else return -(g * y) / b;
  }
};
template <>
struct binary_derivative<op::pow> {  // y = a^b: da = g b a^(b-1), db = g y log(a)
  static constexpr bool defined = true;
  template <std::size_t K>
  static auto apply(const auto& a, const auto& b, const auto& y, const auto& g) {
    if constexpr (K == 0) return g * b * pow(a, b - flit<1>);
    else return g * y * log(a);
  }
};
// Ties split the cotangent evenly between the operands, as PyTorch does.
template <>
struct binary_derivative<op::maximum> {
  static constexpr bool defined = true;
  template <std::size_t K>
  static auto apply(const auto& a, const auto& b, const auto&, const auto& g) {
    if constexpr (K == 0) return where(a > b, g, where(a == b, g * flit<1, 2>, flit<0>));
    else return where(b > a, g, where(a == b, g * flit<1, 2>, flit<0>));
  }
};
template <>
struct binary_derivative<op::minimum> {
  static constexpr bool defined = true;
  template <std::size_t K>
  static auto apply(const auto& a, const auto& b, const auto&, const auto& g) {
    if constexpr (K == 0) return where(a < b, g, where(a == b, g * flit<1, 2>, flit<0>));
    else return where(b < a, g, where(a == b, g * flit<1, 2>, flit<0>));
  }
};

template <class Op, class A, class B>
struct rule<binary_node<Op, A, B>> : rule_base {
  template <std::size_t K, class G>
  static auto vjp(const binary_node<Op, A, B>& n, const G& g) {
    static_assert(binary_derivative<Op>::defined, "ctrace: this binary op has no derivative rule (autodiff/rules/binary.hpp)");
    auto d = binary_derivative<Op>::template apply<K>(n.lhs(), n.rhs(), n, g);
    if constexpr (K == 0) return sum_to<typename A::shape_type>(d, n.lhs().sizes());
    else return sum_to<typename B::shape_type>(d, n.rhs().sizes());
  }
};

}  // namespace ctrace::autodiff
