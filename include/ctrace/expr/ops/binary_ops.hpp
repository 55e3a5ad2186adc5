// Binary op tags: name, element-type rules and scalar semantics.
#pragma once

#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

#include "ctrace/core/config.hpp"
#include "ctrace/core/dtype.hpp"

namespace ctrace::op {

enum class binary_rule {
  arithmetic,   // promoted type in and out (add, mul, minimum)
  no_bool,      // as arithmetic, but bool operands are an error (sub)
  true_divide,  // promoted, integers and bool computed in f32 (div)
  comparison,   // promoted type in, bool out
  logical,      // bool in (operands converted), bool out
};

template <binary_rule Rule, class T>
inline constexpr bool binary_accepts = Rule != binary_rule::no_bool || !std::is_same_v<T, bool>;

template <binary_rule Rule, class T>
using binary_compute_t = std::conditional_t<
    Rule == binary_rule::logical, bool,
    std::conditional_t<Rule == binary_rule::true_divide && !is_floating_dtype_v<T>, float, T>>;

template <binary_rule Rule, class T>
using binary_result_t = std::conditional_t<Rule == binary_rule::comparison || Rule == binary_rule::logical, bool,
                                           binary_compute_t<Rule, T>>;

namespace detail {
template <class T>
CTRACE_HOST_DEVICE constexpr T wrapping(T a, T b, char op) {
  using U = std::make_unsigned_t<T>;
  U ua = static_cast<U>(a), ub = static_cast<U>(b);
  return static_cast<T>(op == '+' ? U(ua + ub) : op == '-' ? U(ua - ub) : U(ua * ub));
}
}  // namespace detail

#define CTRACE_BINARY_TAG(tag, rule_value, symbol_text)          \
  static constexpr std::string_view name = #tag;                 \
  static constexpr std::string_view symbol = symbol_text;        \
  static constexpr binary_rule rule = binary_rule::rule_value

struct add {
  CTRACE_BINARY_TAG(add, arithmetic, "+");
  template <class T> CTRACE_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) return a || b;
    else if constexpr (std::is_integral_v<T>) return detail::wrapping(a, b, '+');
    else return a + b;
  }
};
struct sub {
  CTRACE_BINARY_TAG(sub, no_bool, "-");
  template <class T> CTRACE_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_integral_v<T>) return detail::wrapping(a, b, '-');
    else return a - b;
  }
};
struct mul {
  CTRACE_BINARY_TAG(mul, arithmetic, "*");
  template <class T> CTRACE_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) return a && b;
    else if constexpr (std::is_integral_v<T>) return detail::wrapping(a, b, '*');
    else return a * b;
  }
};
struct div {
  CTRACE_BINARY_TAG(div, true_divide, "/");
  template <class T> CTRACE_HOST_DEVICE T operator()(T a, T b) const { return a / b; }
};
struct pow {
  CTRACE_BINARY_TAG(pow, arithmetic, "");
  template <class T> CTRACE_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_same_v<T, bool>) {
      return a || !b;
    } else if constexpr (std::is_integral_v<T>) {
      // Negative exponents give 1/a^|b| truncated, as PyTorch does for tensors.
      if (b < 0) return a == 1 ? T(1) : a == -1 ? ((b & 1) ? T(-1) : T(1)) : T(0);
      T result = 1, base = a;
      for (T e = b; e > 0; e >>= 1) {
        if (e & 1) result = detail::wrapping(result, base, '*');
        base = detail::wrapping(base, base, '*');
      }
      return result;
    } else {
      return std::pow(a, b);
    }
  }
};
struct minimum {
  CTRACE_BINARY_TAG(minimum, arithmetic, "");
  // NaN in either operand gives NaN (torch.minimum).
  template <class T> CTRACE_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    }
    return b < a ? b : a;
  }
};
struct maximum {
  CTRACE_BINARY_TAG(maximum, arithmetic, "");
  template <class T> CTRACE_HOST_DEVICE T operator()(T a, T b) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    }
    return a < b ? b : a;
  }
};
struct eq {
  CTRACE_BINARY_TAG(eq, comparison, "==");
  template <class T> CTRACE_HOST_DEVICE bool operator()(T a, T b) const { return a == b; }
};
struct ne {
  CTRACE_BINARY_TAG(ne, comparison, "!=");
  template <class T> CTRACE_HOST_DEVICE bool operator()(T a, T b) const { return a != b; }
};
struct lt {
  CTRACE_BINARY_TAG(lt, comparison, "<");
  template <class T> CTRACE_HOST_DEVICE bool operator()(T a, T b) const { return a < b; }
};
struct le {
  CTRACE_BINARY_TAG(le, comparison, "<=");
  template <class T> CTRACE_HOST_DEVICE bool operator()(T a, T b) const { return a <= b; }
};
struct gt {
  CTRACE_BINARY_TAG(gt, comparison, ">");
  template <class T> CTRACE_HOST_DEVICE bool operator()(T a, T b) const { return a > b; }
};
struct ge {
  CTRACE_BINARY_TAG(ge, comparison, ">=");
  template <class T> CTRACE_HOST_DEVICE bool operator()(T a, T b) const { return a >= b; }
};
struct logical_and {
  CTRACE_BINARY_TAG(logical_and, logical, "&&");
  CTRACE_HOST_DEVICE bool operator()(bool a, bool b) const { return a && b; }
};
struct logical_or {
  CTRACE_BINARY_TAG(logical_or, logical, "||");
  CTRACE_HOST_DEVICE bool operator()(bool a, bool b) const { return a || b; }
};

#undef CTRACE_BINARY_TAG

}  // namespace ctrace::op
