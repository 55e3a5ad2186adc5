// gradcheck(g, inputs...): the analytic gradient of a captured graph against
// central finite differences, in double (torch.autograd.gradcheck).
//
// The graph's function is traced again over f64 specs (floating inputs only;
// integer inputs keep their type), the inputs are converted to double, and
// for a non-scalar output the check is on <c, f(x)> with a fixed cotangent c
// of varied values, which exercises the vector-Jacobian product fully. Every
// element of every floating input is perturbed. In-place updates inside f
// shape the values but are not written back to the inputs here.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/autodiff/grad.hpp"

namespace ctrace {

struct gradcheck_options {
  double eps = 1e-6;   // the finite-difference step
  double atol = 1e-5;  // |analytic - numeric| <= atol + rtol |numeric|
  double rtol = 1e-3;
};

struct gradcheck_result {
  bool passed = true;
  double max_error = 0;  // the largest |analytic - numeric| seen
  int input = -1;        // where the first failure (or the largest error) is
  index_t element = -1;
  double analytic = 0;
  double numeric = 0;
  explicit operator bool() const { return passed; }
  std::string message() const {
    std::ostringstream os;
    os << (passed ? "gradcheck passed" : "gradcheck failed") << ": input " << input << ", element " << element
       << ": analytic " << analytic << ", numeric " << numeric << " (largest error " << max_error << ")";
    return os.str();
  }
};

namespace autodiff::detail {

// f without its in-place effects on the caller's tensors: gradcheck calls
// it many times on the same inputs.
template <class F>
struct without_write_back {
  F f;
  static constexpr bool writes_back = false;
  template <class... In>
  auto operator()(const In&... in) const {
    return f(in...);
  }
};

template <class S>
struct double_spec {
  using type = S;
};
template <class S>
  requires(is_spec<S>::value && !std::is_same_v<S, rng_spec>)
struct double_spec<S> {
  using type = std::conditional_t<is_floating_dtype_v<typename S::value_type>,
                                  spec_of_shape<double, typename S::shape_type, typename S::device_type>, S>;
};

template <class T, class S>
auto as_double(const tensor<T, S, cpu>& t) {
  if constexpr (is_floating_dtype_v<T>) return tensor<double, S, cpu>(cast<double>(t)).contiguous();
  else return t;
}

// Element k of a tensor, row-major, whatever its strides.
template <class T, class S>
double element_at(const tensor<T, S, cpu>& t, index_t k) {
  constexpr int R = S::rank;
  sizes_t<R> idx{};
  for (int d = R - 1; d >= 0; --d) {
    idx[static_cast<std::size_t>(d)] = k % t.sizes()[static_cast<std::size_t>(d)];
    k /= t.sizes()[static_cast<std::size_t>(d)];
  }
  return static_cast<double>(*t.strided().element(idx));
}

// The fixed cotangent: values in [-1, 1] that differ from element to element.
inline double cotangent_value(index_t k) { return std::sin(0.7 * static_cast<double>(k) + 0.3); }

template <class T, class S>
tensor<T, S, cpu> cotangent_like(const tensor<T, S, cpu>& y, index_t offset) {
  auto c = tensor<T, S, cpu>(y.sizes());
  for (index_t k = 0; k < c.numel(); ++k) c.data()[k] = static_cast<T>(cotangent_value(offset + k));
  return c;
}

// <c, y> over every output (each with its own part of the cotangent values);
// one scalar output is taken as it is (its cotangent is 1).
template <class T, class S>
double weighted_sum(const tensor<T, S, cpu>& y, index_t offset = 0) {
  double s = 0;
  for (index_t k = 0; k < y.numel(); ++k) s += cotangent_value(offset + k) * element_at(y, k);
  return s;
}
template <class R>
constexpr bool flat_outputs() {
  if constexpr (output_tree::leaf_count<R>() == 1) return true;
  else if constexpr (requires { std::tuple_size<R>::value; }) return std::tuple_size_v<R> == output_tree::leaf_count<R>();
  else return false;
}

// Output k's cotangent values start at k * output_stride.
inline constexpr index_t output_stride = 1000003;

template <class... T>
double weighted_sum(const std::tuple<T...>& ys) {
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    return (weighted_sum(std::get<K>(ys), static_cast<index_t>(K) * output_stride) + ...);
  }(std::index_sequence_for<T...>{});
}
template <class T>
constexpr bool is_scalar_tensor() {
  if constexpr (tensor_type<T>) return T::rank == 0;
  else return false;
}
template <class T>
double objective(const T& y) {
  if constexpr (is_scalar_tensor<T>()) return element_at(y, 0);
  else return weighted_sum(y);
}
template <class T>
auto cotangents_like(const T& y) {
  if constexpr (tensor_type<T>) {
    return cotangent_like(y, 0);
  } else {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::make_tuple(cotangent_like(std::get<K>(y), static_cast<index_t>(K) * output_stride)...);
    }(std::make_index_sequence<std::tuple_size_v<T>>{});
  }
}

}  // namespace autodiff::detail

template <class F, class Specs, class Result, class... Args>
gradcheck_result gradcheck(const captured_graph<F, Specs, Result>& g, const gradcheck_options& options,
                           const Args&... inputs) {
  using G = captured_graph<F, Specs, Result>;
  static_assert(autodiff::detail::flat_outputs<typename G::returned_type>(),
                "ctrace: gradcheck checks graphs returning one tensor or a flat tuple of tensors");
  static_assert((tensor_type<Args> && ...), "ctrace: gradcheck takes the graph's inputs as tensors");
  auto g64 = std::apply(
      [&](auto... s) {
        return trace(autodiff::detail::without_write_back<F>{g.function()},
                     typename autodiff::detail::double_spec<decltype(s)>::type{}...);
      },
      Specs{});
  auto x = std::make_tuple(autodiff::detail::as_double(inputs)...);
  auto y = std::apply(g64, x);
  auto analytic = [&] {
    if constexpr (autodiff::detail::is_scalar_tensor<decltype(y)>()) {
      return std::apply(grad(g64), x);
    } else {
      auto c = autodiff::detail::cotangents_like(y);
      return std::apply([&](const auto&... xs) { return vjp(g64)(xs..., c); }, x);
    }
  }();
  auto grads = [&] {
    if constexpr (tensor_type<decltype(analytic)>) return std::make_tuple(analytic);
    else return analytic;
  }();
  using floating = autodiff::detail::floating_inputs<typename G::spec_list>;

  gradcheck_result result;
  auto check_input = [&](auto kc) {
    constexpr std::size_t k = decltype(kc)::value;
    auto& xk = std::get<static_cast<std::size_t>(floating::list[k])>(x);
    const auto& gk = std::get<k>(grads);
    for (index_t e = 0; e < xk.numel(); ++e) {
      const double saved = xk.data()[e];
      xk.data()[e] = saved + options.eps;
      const double plus = autodiff::detail::objective(std::apply(g64, x));
      xk.data()[e] = saved - options.eps;
      const double minus = autodiff::detail::objective(std::apply(g64, x));
      xk.data()[e] = saved;
      const double numeric = (plus - minus) / (2 * options.eps);
      const double a = autodiff::detail::element_at(gk, e);
      const double err = std::fabs(a - numeric);
      const bool ok = err <= options.atol + options.rtol * std::fabs(numeric);
      if ((!ok && result.passed) || (result.passed && err > result.max_error)) {
        result.input = floating::list[k];
        result.element = e;
        result.analytic = a;
        result.numeric = numeric;
      }
      if (err > result.max_error || std::isnan(err)) result.max_error = std::isnan(err) ? err : std::max(result.max_error, err);
      if (!ok) result.passed = false;
    }
  };
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (check_input(std::integral_constant<std::size_t, K>{}), ...);
  }(std::make_index_sequence<floating::count>{});
  return result;
}

template <class F, class Specs, class Result, class... Args>
gradcheck_result gradcheck(const captured_graph<F, Specs, Result>& g, const Args&... inputs) {
  return gradcheck(g, gradcheck_options{}, inputs...);
}

}  // namespace ctrace
