// Reduction op tags (sum, mean, prod, amax, amin, argmax, argmin, var, std):
// names, accepted element types, result and accumulation types, and the scalar
// semantics of their running state (host and device). Packet forms live in
// each backend.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "ctrace/core/config.hpp"
#include "ctrace/core/dtype.hpp"
#include "ctrace/core/error.hpp"

namespace ctrace::op {

// How elements combine; ops of one kind share their running state (sum and
// mean, var and std).
enum class reduce_kind { sum, product, max, min, argmax, argmin, moments };

// Which element types an op takes and what it gives (PyTorch's rules).
enum class reduce_rule {
  widen_integers,  // any type; bool and integers give int64 (sum, prod)
  floating_only,   // floating types only, same type out (mean, var, std)
  same_type,       // any type, same type out (amax, amin)
  index,           // any type, int64 index out (argmax, argmin)
};

template <reduce_rule Rule, class T>
inline constexpr bool reduce_accepts = Rule != reduce_rule::floating_only || is_floating_dtype_v<T>;

template <reduce_rule Rule, class T>
using reduce_result_t =
    std::conditional_t<Rule == reduce_rule::index || (Rule == reduce_rule::widen_integers && !is_floating_dtype_v<T>),
                       std::int64_t, T>;

// The type elements are accumulated in: half types in float (as PyTorch's
// CPU kernels), integers and bool summed or multiplied in int64.
template <reduce_kind Kind, class T>
using reduce_compute_t =
    std::conditional_t<is_half_v<T>, float,
                       std::conditional_t<(Kind == reduce_kind::sum || Kind == reduce_kind::product) &&
                                              !is_floating_dtype_v<T>,
                                          std::int64_t, T>>;

// Running state of argmax/argmin: the best value and its index in the reduced
// elements' row-major order.
template <class T>
struct arg_state {
  T value;
  index_t index;
};

// Running state of var/std (Welford): count, mean and sum of squared deviations.
template <class T>
struct moments_state {
  T mean;
  T m2;
  index_t count;
};

namespace detail {

template <class T>
CTRACE_HOST_DEVICE constexpr bool is_nan(const T& x) {
  if constexpr (std::is_floating_point_v<T>) return x != x;
  else return false;
}

// The lowest and highest values of T, infinities where T has them.
template <class T>
CTRACE_HOST_DEVICE constexpr T lowest_value() {
  if constexpr (std::numeric_limits<T>::has_infinity) return -std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::lowest();
}
template <class T>
CTRACE_HOST_DEVICE constexpr T highest_value() {
  if constexpr (std::numeric_limits<T>::has_infinity) return std::numeric_limits<T>::infinity();
  else return std::numeric_limits<T>::max();
}

// Integer sums and products wrap like PyTorch's instead of overflowing (UB).
template <class T>
CTRACE_HOST_DEVICE constexpr T wrapping_add(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <class T>
CTRACE_HOST_DEVICE constexpr T wrapping_mul(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}

}  // namespace detail

// reduction<Kind, T>: the state type and init/add/merge over compute type T.
// merge is associative, and for the arg kinds commutative too (ties go to the
// lower index), so any fixed split of the work gives the same answer.
template <reduce_kind Kind, class T>
struct reduction;

template <class T>
struct reduction<reduce_kind::sum, T> {
  using state = T;
  CTRACE_HOST_DEVICE static state init() { return T(0); }
  CTRACE_HOST_DEVICE static void add(state& s, T x, index_t) { s = detail::wrapping_add(s, x); }
  CTRACE_HOST_DEVICE static state merge(const state& a, const state& b) { return detail::wrapping_add(a, b); }
};

template <class T>
struct reduction<reduce_kind::product, T> {
  using state = T;
  CTRACE_HOST_DEVICE static state init() { return T(1); }
  CTRACE_HOST_DEVICE static void add(state& s, T x, index_t) { s = detail::wrapping_mul(s, x); }
  CTRACE_HOST_DEVICE static state merge(const state& a, const state& b) { return detail::wrapping_mul(a, b); }
};

// NaN wins over every number and stays (torch.amax propagates NaN).
template <class T>
struct reduction<reduce_kind::max, T> {
  using state = T;
  CTRACE_HOST_DEVICE static state init() { return detail::lowest_value<T>(); }
  CTRACE_HOST_DEVICE static void add(state& s, T x, index_t) {
    if (!detail::is_nan(s) && (detail::is_nan(x) || x > s)) s = x;
  }
  CTRACE_HOST_DEVICE static state merge(state a, const state& b) {
    add(a, b, 0);
    return a;
  }
};

template <class T>
struct reduction<reduce_kind::min, T> {
  using state = T;
  CTRACE_HOST_DEVICE static state init() { return detail::highest_value<T>(); }
  CTRACE_HOST_DEVICE static void add(state& s, T x, index_t) {
    if (!detail::is_nan(s) && (detail::is_nan(x) || x < s)) s = x;
  }
  CTRACE_HOST_DEVICE static state merge(state a, const state& b) {
    add(a, b, 0);
    return a;
  }
};

// The first NaN if there is one, else the first occurrence of the extreme.
// The initial state loses every tie (index past any real one).
template <class T, bool Max>
struct arg_reduction {
  using state = arg_state<T>;
  CTRACE_HOST_DEVICE static state init() {
    return {Max ? detail::lowest_value<T>() : detail::highest_value<T>(), std::numeric_limits<index_t>::max()};
  }
  CTRACE_HOST_DEVICE static state merge(const state& a, const state& b) {
    const bool na = detail::is_nan(a.value), nb = detail::is_nan(b.value);
    if (na || nb) {
      if (na && nb) return a.index <= b.index ? a : b;
      return na ? a : b;
    }
    if (Max ? b.value > a.value : b.value < a.value) return b;
    if (Max ? a.value > b.value : a.value < b.value) return a;
    return a.index <= b.index ? a : b;
  }
  CTRACE_HOST_DEVICE static void add(state& s, T x, index_t i) { s = merge(s, state{x, i}); }
};
template <class T>
struct reduction<reduce_kind::argmax, T> : arg_reduction<T, true> {};
template <class T>
struct reduction<reduce_kind::argmin, T> : arg_reduction<T, false> {};

// Welford's update and Chan's merge: no cancellation, one pass over the input.
template <class T>
struct reduction<reduce_kind::moments, T> {
  using state = moments_state<T>;
  CTRACE_HOST_DEVICE static state init() { return {T(0), T(0), 0}; }
  CTRACE_HOST_DEVICE static void add(state& s, T x, index_t) {
    s.count += 1;
    const T d = x - s.mean;
    s.mean += d / static_cast<T>(s.count);
    s.m2 += d * (x - s.mean);
  }
  CTRACE_HOST_DEVICE static state merge(const state& a, const state& b) {
    if (a.count == 0) return b;
    if (b.count == 0) return a;
    const index_t n = a.count + b.count;
    const T d = b.mean - a.mean;
    const T wb = static_cast<T>(b.count) / static_cast<T>(n);
    return {a.mean + d * wb, a.m2 + b.m2 + d * d * static_cast<T>(a.count) * wb, n};
  }
};

// ---- the op tags ---------------------------------------------------------------
// finish(state, count) turns the state of `count` reduced elements into the result.

#define CTRACE_REDUCE_TAG(tag, kind_value, rule_value)           \
  static constexpr std::string_view name = #tag;                 \
  static constexpr reduce_kind kind = reduce_kind::kind_value;   \
  static constexpr reduce_rule rule = reduce_rule::rule_value

struct sum {
  CTRACE_REDUCE_TAG(sum, sum, widen_integers);
  std::string attributes() const { return {}; }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    return convert<Out>(s);
  }
};

struct mean {
  CTRACE_REDUCE_TAG(mean, sum, floating_only);
  std::string attributes() const { return {}; }
  // Zero elements give 0/0 = NaN, as torch.mean.
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t count) const {
    return convert<Out>(s / static_cast<S>(count));
  }
};

struct prod {
  CTRACE_REDUCE_TAG(prod, product, widen_integers);
  std::string attributes() const { return {}; }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    return convert<Out>(s);
  }
};

struct amax {
  CTRACE_REDUCE_TAG(amax, max, same_type);
  std::string attributes() const { return {}; }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    return convert<Out>(s);
  }
};

struct amin {
  CTRACE_REDUCE_TAG(amin, min, same_type);
  std::string attributes() const { return {}; }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    return convert<Out>(s);
  }
};

struct argmax {
  CTRACE_REDUCE_TAG(argmax, argmax, index);
  std::string attributes() const { return {}; }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    return static_cast<Out>(s.index);
  }
};

struct argmin {
  CTRACE_REDUCE_TAG(argmin, argmin, index);
  std::string attributes() const { return {}; }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    return static_cast<Out>(s.index);
  }
};

namespace detail {
// m2 / max(0, count - correction), as torch.var: NaN or inf when nothing is left.
template <class S>
CTRACE_HOST_DEVICE auto variance(const S& s, double correction) {
  using T = decltype(s.mean);
  T dof = static_cast<T>(s.count) - static_cast<T>(correction);
  if (dof < T(0)) dof = T(0);
  return s.m2 / dof;
}
}  // namespace detail

// Variance with `correction` subtracted from the count (1: unbiased, the default).
struct var {
  CTRACE_REDUCE_TAG(var, moments, floating_only);
  double correction = 1;
  std::string attributes() const { return ctrace::detail::concat("correction=", correction); }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    return convert<Out>(detail::variance(s, correction));
  }
};

// Standard deviation: the square root of var. Named std_dev here because a
// class named `std` would hide namespace std inside ctrace::op; the IR says "std".
struct std_dev {
  static constexpr std::string_view name = "std";
  static constexpr reduce_kind kind = reduce_kind::moments;
  static constexpr reduce_rule rule = reduce_rule::floating_only;
  double correction = 1;
  std::string attributes() const { return ctrace::detail::concat("correction=", correction); }
  template <class Out, class S>
  CTRACE_HOST_DEVICE Out finish(const S& s, index_t) const {
    using std::sqrt;
    return convert<Out>(sqrt(detail::variance(s, correction)));
  }
};

#undef CTRACE_REDUCE_TAG

// Kinds that have no value for zero elements: reducing an empty dim is an error.
template <class Op>
inline constexpr bool reduce_needs_elements = Op::kind == reduce_kind::max || Op::kind == reduce_kind::min ||
                                               Op::kind == reduce_kind::argmax || Op::kind == reduce_kind::argmin;

}  // namespace ctrace::op
