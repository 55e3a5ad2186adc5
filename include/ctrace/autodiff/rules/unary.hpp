// Derivatives of the elementwise functions (unary_node<Op, A>): one
// unary_derivative<Op> each. x is the operand, y the node itself (its value is
// the forward value: a fused backward loop recomputes it or reads it).
#pragma once

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/unary.hpp"

namespace ctrace::autodiff {

// derivative(x, y, g, op): the cotangent of x. `flows` is false where the
// derivative is zero everywhere (rounding) or cut on purpose (detach).
template <class Op>
struct unary_derivative {
  static constexpr bool defined = false;
};

struct unary_derivative_base {
  static constexpr bool defined = true;
  static constexpr bool flows = true;
};
struct no_flow {
  static constexpr bool defined = true;
  static constexpr bool flows = false;
};

template <> struct unary_derivative<op::detach> : no_flow {};
template <> struct unary_derivative<op::sign> : no_flow {};
template <> struct unary_derivative<op::floor> : no_flow {};
template <> struct unary_derivative<op::ceil> : no_flow {};
template <> struct unary_derivative<op::round> : no_flow {};

template <>
struct unary_derivative<op::neg> : unary_derivative_base {
  static auto apply(const auto&, const auto&, const auto& g, const auto&) { return -g; }
};
template <>
struct unary_derivative<op::abs> : unary_derivative_base {
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) { return g * sign(x); }
};
template <>
struct unary_derivative<op::exp> : unary_derivative_base {
  static auto apply(const auto&, const auto& y, const auto& g, const auto&) { return g * y; }
};
template <>
struct unary_derivative<op::expm1> : unary_derivative_base {
  static auto apply(const auto&, const auto& y, const auto& g, const auto&) { return g * (y + flit<1>); }
};
template <>
struct unary_derivative<op::log> : unary_derivative_base {
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) { return g / x; }
};
template <>
struct unary_derivative<op::log1p> : unary_derivative_base {
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) { return g / (x + flit<1>); }
};
template <>
struct unary_derivative<op::sqrt> : unary_derivative_base {
  static auto apply(const auto&, const auto& y, const auto& g, const auto&) { return g * flit<1, 2> / y; }
};
template <>
struct unary_derivative<op::rsqrt> : unary_derivative_base {  // d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
  static auto apply(const auto&, const auto& y, const auto& g, const auto&) { return g * flit<-1, 2> * (y * y * y); }
};
template <>
struct unary_derivative<op::sin> : unary_derivative_base {
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) { return g * cos(x); }
};
template <>
struct unary_derivative<op::cos> : unary_derivative_base {
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) { return -(g * sin(x)); }
};
template <>
struct unary_derivative<op::tanh> : unary_derivative_base {
  static auto apply(const auto&, const auto& y, const auto& g, const auto&) { return g * (flit<1> - y * y); }
};
template <>
struct unary_derivative<op::sigmoid> : unary_derivative_base {
  static auto apply(const auto&, const auto& y, const auto& g, const auto&) { return g * (y * (flit<1> - y)); }
};
template <>
struct unary_derivative<op::relu> : unary_derivative_base {  // 0 at 0, as PyTorch
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) { return where(x > lit<0>, g, flit<0>); }
};
template <>
struct unary_derivative<op::erf> : unary_derivative_base {  // 2/sqrt(pi) e^(-x^2)
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) {
    return g * (flit<112837916709551, 100000000000000> * exp(-(x * x)));
  }
};
template <>
struct unary_derivative<op::gelu> : unary_derivative_base {  // Phi(x) + x phi(x)
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) {
    auto cdf = flit<1, 2> * (flit<1> + erf(x * flit<70710678118655, 100000000000000>));
    auto pdf = flit<39894228040143, 100000000000000> * exp(x * x * flit<-1, 2>);
    return g * (cdf + x * pdf);
  }
};
template <>
struct unary_derivative<op::gelu_tanh> : unary_derivative_base {
  // y = x/2 (1 + t), t = tanh(k (x + c x^3)): y' = (1 + t)/2 + x/2 (1 - t^2) k (1 + 3 c x^2)
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) {
    constexpr auto k = flit<79788456080287, 100000000000000>;
    constexpr auto c = flit<44715, 1000000>;
    auto t = tanh(k * (x + c * (x * x * x)));
    return g * (flit<1, 2> * (flit<1> + t) +
                flit<1, 2> * x * (flit<1> - t * t) * k * (flit<1> + flit<134145, 1000000> * (x * x)));
  }
};
template <>
struct unary_derivative<op::silu> : unary_derivative_base {  // s (1 + x (1 - s))
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) {
    auto s = sigmoid(x);
    return g * (s * (flit<1> + x * (flit<1> - s)));
  }
};
template <>
struct unary_derivative<op::softplus> : unary_derivative_base {  // sigmoid(x); 1 above the threshold
  static auto apply(const auto& x, const auto&, const auto& g, const auto&) {
    return where(x > lit<20>, g, g * sigmoid(x));
  }
};
template <class T>
struct unary_derivative<op::clamp<T>> : unary_derivative_base {  // 1 inside [lo, hi], bounds included
  static auto apply(const auto& x, const auto&, const auto& g, const op::clamp<T>& c) {
    const double lo = c.has_lo ? static_cast<double>(c.lo) : -std::numeric_limits<double>::infinity();
    const double hi = c.has_hi ? static_cast<double>(c.hi) : std::numeric_limits<double>::infinity();
    return where(logical_and(x >= lo, x <= hi), g, flit<0>);
  }
};

template <class F>
struct unary_derivative<op::gradient_hook<F>> : unary_derivative_base {
  static auto apply(const auto&, const auto&, const auto& g, const op::gradient_hook<F>& h) { return to_node(h.fn(g)); }
};

template <class Op, class A>
struct rule<unary_node<Op, A>> : rule_base {
  static constexpr bool differentiable(std::size_t) {
    if constexpr (unary_derivative<Op>::defined) return unary_derivative<Op>::flows;
    else return true;  // reaches vjp, which says that the rule is missing
  }
  template <std::size_t, class G>
  static auto vjp(const unary_node<Op, A>& n, const G& g) {
    static_assert(unary_derivative<Op>::defined,
                  "ctrace: this elementwise function has no derivative rule (autodiff/rules/unary.hpp)");
    return unary_derivative<Op>::apply(n.arg(), n, g, n.op);
  }
};

}  // namespace ctrace::autodiff
