// Unary op tags: name, accepted element types, result type and scalar semantics
// (host and device). Vector (packet) forms live in each backend.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "ctrace/core/config.hpp"
#include "ctrace/core/dtype.hpp"

namespace ctrace::op {

// How a unary op treats element types (PyTorch's behaviour for each).
enum class unary_rule {
  numeric,        // any type but bool, result the same type (neg, abs, relu)
  any,            // any type, result the same type (sign)
  to_floating,    // integers and bool are promoted to f32 (exp, tanh, ...)
  floating_only,  // only floating types (gelu, silu, softplus)
  rounding,       // floating computed, integers unchanged, not bool (floor)
  predicate,      // any type, result bool (isnan, logical_not)
};

template <unary_rule Rule, class T>
inline constexpr bool unary_accepts = Rule == unary_rule::any || Rule == unary_rule::to_floating ||
                                      Rule == unary_rule::predicate ||
                                      ((Rule == unary_rule::numeric || Rule == unary_rule::rounding) &&
                                       !std::is_same_v<T, bool>) ||
                                      (Rule == unary_rule::floating_only && is_floating_dtype_v<T>);

// The type the op computes in, given the input type (after promotion).
template <unary_rule Rule, class T>
using unary_compute_t = std::conditional_t<Rule == unary_rule::to_floating && !is_floating_dtype_v<T>, float, T>;

template <unary_rule Rule, class T>
using unary_result_t = std::conditional_t<Rule == unary_rule::predicate, bool, unary_compute_t<Rule, T>>;

namespace detail {
// Integer arithmetic that wraps like PyTorch's instead of overflowing (UB).
template <class T>
CTRACE_HOST_DEVICE constexpr T wrap_neg(T x) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(U(0) - static_cast<U>(x));
}
}  // namespace detail

#define CTRACE_UNARY_TAG(tag, rule_value)                        \
  static constexpr std::string_view name = #tag;                 \
  static constexpr unary_rule rule = unary_rule::rule_value

struct neg {
  CTRACE_UNARY_TAG(neg, numeric);
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return detail::wrap_neg(x);
    else return -x;
  }
};
struct abs {
  CTRACE_UNARY_TAG(abs, numeric);
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return x < 0 ? detail::wrap_neg(x) : x;
    else return std::fabs(x);
  }
};
struct exp {
  CTRACE_UNARY_TAG(exp, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::exp(x); }
};
struct expm1 {
  CTRACE_UNARY_TAG(expm1, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::expm1(x); }
};
struct log {
  CTRACE_UNARY_TAG(log, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::log(x); }
};
struct log1p {
  CTRACE_UNARY_TAG(log1p, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::log1p(x); }
};
struct sqrt {
  CTRACE_UNARY_TAG(sqrt, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::sqrt(x); }
};
struct rsqrt {
  CTRACE_UNARY_TAG(rsqrt, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return T(1) / std::sqrt(x); }
};
struct sin {
  CTRACE_UNARY_TAG(sin, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::sin(x); }
};
struct cos {
  CTRACE_UNARY_TAG(cos, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::cos(x); }
};
struct tanh {
  CTRACE_UNARY_TAG(tanh, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::tanh(x); }
};
struct sigmoid {
  CTRACE_UNARY_TAG(sigmoid, to_floating);
  // 1/(1+e^-x) overflows gracefully: e^-x = inf gives 0, never NaN.
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return T(1) / (T(1) + std::exp(-x)); }
};
struct relu {
  CTRACE_UNARY_TAG(relu, numeric);
  // NaN stays NaN, as in PyTorch (x > 0 is false for NaN, so test x < 0).
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return x < T(0) ? T(0) : x; }
};
struct erf {
  CTRACE_UNARY_TAG(erf, to_floating);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return std::erf(x); }
};
struct gelu {
  CTRACE_UNARY_TAG(gelu, floating_only);
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
  }
};
struct gelu_tanh {
  CTRACE_UNARY_TAG(gelu_tanh, floating_only);
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    const T inner = T(0.79788456080286535588) * (x + T(0.044715) * x * x * x);
    return T(0.5) * x * (T(1) + std::tanh(inner));
  }
};
struct silu {
  CTRACE_UNARY_TAG(silu, floating_only);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const { return x / (T(1) + std::exp(-x)); }
};
struct softplus {
  CTRACE_UNARY_TAG(softplus, floating_only);
  // PyTorch's threshold: above 20 the result is x itself (log1p(e^x) == x in float).
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const { return x > T(20) ? x : std::log1p(std::exp(x)); }
};
// The value unchanged, cut from gradients (torch.Tensor.detach): a node so
// that autodiff can see where gradients stop.
struct detach {
  CTRACE_UNARY_TAG(detach, any);
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    return x;
  }
};
// The identity, with a function applied to the gradient flowing back
// (api/custom.hpp: hook; autodiff/rules/unary.hpp applies fn).
template <class F>
struct gradient_hook {
  static constexpr std::string_view name = "hook";
  static constexpr unary_rule rule = unary_rule::any;
  F fn;
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    return x;
  }
};
struct sign {
  CTRACE_UNARY_TAG(sign, any);
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_same_v<T, bool>) return x;
    else if constexpr (std::is_floating_point_v<T>) return std::isnan(x) ? x : T((T(0) < x) - (x < T(0)));
    else return T((T(0) < x) - (x < T(0)));
  }
};
struct floor {
  CTRACE_UNARY_TAG(floor, rounding);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return x;
    else return std::floor(x);
  }
};
struct ceil {
  CTRACE_UNARY_TAG(ceil, rounding);
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return x;
    else return std::ceil(x);
  }
};
struct round {
  CTRACE_UNARY_TAG(round, rounding);
  // Half to even, as torch.round (std::nearbyint in the default rounding mode).
  template <class T> CTRACE_HOST_DEVICE T operator()(T x) const {
    if constexpr (std::is_integral_v<T>) return x;
    else return std::nearbyint(x);
  }
};
struct logical_not {
  CTRACE_UNARY_TAG(logical_not, predicate);
  template <class T> CTRACE_HOST_DEVICE bool operator()(T x) const { return !(x != T(0)); }
};
struct isnan {
  CTRACE_UNARY_TAG(isnan, predicate);
  template <class T> CTRACE_HOST_DEVICE bool operator()(T x) const {
    if constexpr (std::is_floating_point_v<T>) return std::isnan(x);
    else return false;
  }
};

// clamp(x, lo, hi) with scalar bounds; either bound may be absent. NaN stays NaN.
template <class T>
struct clamp {
  static constexpr std::string_view name = "clamp";
  static constexpr unary_rule rule = unary_rule::numeric;
  T lo, hi;
  bool has_lo, has_hi;
  CTRACE_HOST_DEVICE T operator()(T x) const {
    if (has_lo && x < lo) x = lo;
    if (has_hi && x > hi) x = hi;
    return x;
  }
  std::string attributes() const {
    auto text = [](T v) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
      return std::string(buf);
    };
    std::string s;
    if (has_lo) s += "min=" + text(lo);
    if (has_hi) s += std::string(has_lo ? ", " : "") + "max=" + text(hi);
    return s;
  }
};

#undef CTRACE_UNARY_TAG

}  // namespace ctrace::op
