// CPU kernels of the scans: cumsum and cummax, one line along the scan axis
// at a time, lines spread over the cores.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

// assign.hpp first: materialize.hpp calls exec::backend<cpu> without including it.
#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/lines.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/expr/cummax.hpp"
#include "ctrace/expr/cumsum.hpp"

namespace ctrace::cpu_backend {

namespace detail {

// What a running sum accumulates in: PyTorch's CPU accumulate types (double
// for f32 and f64, float for f16/bf16); integers wrap in uint64 as PyTorch's
// int64 arithmetic does (signed overflow would be undefined behaviour).
template <class T>
using cumsum_acc_t = std::conditional_t<is_half_v<T>, float,
                                        std::conditional_t<is_floating_dtype_v<T>, double, std::uint64_t>>;

template <class T>
bool is_nan_element(const T& v) {
  if constexpr (is_floating_dtype_v<T>) return std::isnan(static_cast<compute_type_t<T>>(v));
  else return false;
}

// Calls f(in, in_stride, out, out_stride, length) for every line of x along
// `axis`, writing to dest (which has x's sizes), lines spread over the cores.
template <class In, class Out, int R, class F>
void for_each_scan_line(const strided_view<In, R>& x, const strided_view<Out, R>& dest, int axis, F&& f) {
  const lines<R> all{dest.sizes, axis};
  const index_t n = all.length();
  if (n == 0 || all.count() == 0) return;
  parallel_for(all.count(), line_grain(n), [&](index_t b, index_t e) {
    for (index_t line = b; line < e; ++line) {
      f(x.data + all.offset(line, x.strides), x.strides[axis], dest.data + all.offset(line, dest.strides),
        dest.strides[axis], n);
    }
  });
}

}  // namespace detail

template <int Axis, class A>
struct root_kernel<cumsum_node<Axis, A>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cumsum_node<Axis, A>& node) {
    using In = typename A::value_type;
    using Acc = detail::cumsum_acc_t<In>;
    const auto x = as_tensor(node.arg());
    detail::for_each_scan_line(x.strided(), dest, Axis, [](const In* in, index_t is, T* out, index_t os, index_t n) {
      Acc acc = 0;
      for (index_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<Acc, std::uint64_t>) {
          acc += static_cast<std::uint64_t>(static_cast<std::int64_t>(in[i * is]));
          out[i * os] = static_cast<T>(acc);
        } else {
          acc += static_cast<Acc>(static_cast<compute_type_t<In>>(in[i * is]));
          out[i * os] = convert<T>(acc);
        }
      }
    });
  }
};

// values: the running maximum; indices: where it was found. The update rule is
// PyTorch's: take x[i] when it is NaN, or when the maximum so far is not NaN
// and x[i] >= it (so ties move to the later index).
template <int Axis, result_part Part, class A>
struct root_kernel<cummax_node<Axis, Part, A>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cummax_node<Axis, Part, A>& node) {
    using In = typename A::value_type;
    using C = compute_type_t<In>;
    const auto x = as_tensor(node.arg());
    detail::for_each_scan_line(x.strided(), dest, Axis, [](const In* in, index_t is, T* out, index_t os, index_t n) {
      C best = static_cast<C>(in[0]);
      index_t where = 0;
      for (index_t i = 0; i < n; ++i) {
        const C v = static_cast<C>(in[i * is]);
        if (detail::is_nan_element(v) || (!detail::is_nan_element(best) && v >= best)) {
          best = v;
          where = i;
        }
        if constexpr (Part == result_part::values) out[i * os] = in[where * is];
        else out[i * os] = where;
      }
    });
  }
};

}  // namespace ctrace::cpu_backend
