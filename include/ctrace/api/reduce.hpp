// Reductions users call: sum, mean, prod, max, min over chosen axes or all
// dims, argmax/argmin, var/std, and the keepdim tag. Every compile-time check
// of a reduction happens here.
//
//   sum(x)                  all dims, rank-0 result
//   sum<1>(x), sum<0, -1>(x) the given axes (negative count from the end)
//   sum<1>(x, keepdim)      reduced dims kept with size 1
//   max / min               values only (torch.amax / torch.amin), NaN propagates
//   argmax(x)               int64 index into the row-major flattened x
//   argmax<1>(x[, keepdim]) int64 index along axis 1
//   var<1>(x[, keepdim][, correction = 1])   std likewise (torch.var's correction);
//                           call it ctrace::std(x): a bare `std` names the namespace
#pragma once

#include <array>
#include <bit>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/reduce.hpp"

namespace ctrace {

// Tag asking a reduction to keep its reduced dims as size 1: sum<1>(x, keepdim).
// The explicit constructor keeps `{}` from passing for it.
struct keepdim_t {
  explicit keepdim_t() = default;
};
inline constexpr keepdim_t keepdim{};

namespace detail {

// The axes<...> list (sorted) of the bits set in Mask.
template <unsigned Mask>
struct axes_of_mask {
  static constexpr int size = std::popcount(Mask);
  static constexpr std::array<int, static_cast<std::size_t>(size)> list = [] {
    std::array<int, static_cast<std::size_t>(size)> l{};
    for (int d = 0, k = 0; d < max_rank; ++d) {
      if (Mask & (1u << d)) l[static_cast<std::size_t>(k++)] = d;
    }
    return l;
  }();
  template <std::size_t... I>
  static auto make(std::index_sequence<I...>) -> axes<list[I]...>;
  using type = decltype(make(std::make_index_sequence<static_cast<std::size_t>(size)>{}));
};

// Axes as given (none: every dim), checked against Rank: an axis out of range
// reports diagnostic::axis_out_of_range, an axis named twice diagnostic::repeated_axis.
template <class Op, int Rank, int... Given>
struct reduce_axes {
  static constexpr std::array<int, sizeof...(Given)> given{Given...};
  static constexpr int out_of_range = [] {
    for (std::size_t i = 0; i < given.size(); ++i) {
      if (given[i] < -Rank || given[i] >= Rank) return static_cast<int>(i);
    }
    return -1;
  }();
  // First normalized axis named a second time, or -1.
  static constexpr int repeated = [] {
    unsigned seen = 0;
    for (int g : given) {
      if (g < -Rank || g >= Rank) continue;
      const int a = g < 0 ? g + Rank : g;
      if (seen & (1u << a)) return a;
      seen |= 1u << a;
    }
    return -1;
  }();
  static constexpr unsigned mask = [] {
    if (given.empty()) return Rank == 0 ? 0u : (1u << Rank) - 1u;
    unsigned m = 0;
    for (int g : given) {
      if (g >= -Rank && g < Rank) m |= 1u << (g < 0 ? g + Rank : g);
    }
    return m;
  }();
  static constexpr bool check() {
    if constexpr (out_of_range >= 0) {
      report<diagnostic::axis_out_of_range<Op, given[out_of_range], Rank>>();
      return false;
    } else if constexpr (repeated >= 0) {
      report<diagnostic::repeated_axis<Op, repeated>>();
      return false;
    } else {
      return true;
    }
  }
  using type = typename axes_of_mask<mask>::type;
};

// The reduce node of `x` over Axes, after the checks; poison after a failed one.
template <class Op, bool KeepDim, int... Axes, class X>
auto make_reduce(X&& x, Op op = {}) {
  auto n = to_node(std::forward<X>(x));
  using N = decltype(n);
  if constexpr (any_poison<N>) {
    return poison{};
  } else {
    using T = typename N::value_type;
    using checked_axes = reduce_axes<Op, N::shape_type::rank, Axes...>;
    if constexpr (!op::reduce_accepts<Op::rule, T>) {
      report<diagnostic::dtype_not_supported<Op, T>>();
      return poison{};
    } else if constexpr (!checked_axes::check()) {
      return poison{};
    } else {
      using node_t = reduce_node<Op, N, typename checked_axes::type, KeepDim>;
      auto sizes = node_t::result_sizes_for(n.sizes());
      return node_t{{}, {std::move(n)}, op, sizes};
    }
  }
}

}  // namespace detail

// ---- sum, mean, prod, max, min: over Axes (none: all dims) ---------------------
#define CTRACE_REDUCE_FUNCTION(fn, tag)                                        \
  template <int... Axes, tensor_operand X>                                     \
  auto fn(X&& x) {                                                             \
    return detail::make_reduce<op::tag, false, Axes...>(std::forward<X>(x));   \
  }                                                                            \
  template <int... Axes, tensor_operand X>                                     \
  auto fn(X&& x, keepdim_t) {                                                  \
    return detail::make_reduce<op::tag, true, Axes...>(std::forward<X>(x));    \
  }
// Sum; bool and integers give int64, an empty dim gives 0.
CTRACE_REDUCE_FUNCTION(sum, sum)
// Mean of floating types; an empty dim gives NaN.
CTRACE_REDUCE_FUNCTION(mean, mean)
// Product; bool and integers give int64, an empty dim gives 1.
CTRACE_REDUCE_FUNCTION(prod, prod)
// Largest and smallest values (torch.amax, torch.amin): NaN propagates; an empty
// dim throws.
CTRACE_REDUCE_FUNCTION(max, amax)
CTRACE_REDUCE_FUNCTION(min, amin)
#undef CTRACE_REDUCE_FUNCTION

// ---- argmax, argmin: int64 indices -----------------------------------------------
// Over all elements: the index into x flattened in row-major order (with
// keepdim, the result has every dim 1). Over one Axis: the index along it.
// The first NaN wins, else the first occurrence of the extreme.
#define CTRACE_ARG_FUNCTION(fn)                                                \
  template <tensor_operand X>                                                  \
  auto fn(X&& x) {                                                             \
    return detail::make_reduce<op::fn, false>(std::forward<X>(x));             \
  }                                                                            \
  template <tensor_operand X>                                                  \
  auto fn(X&& x, keepdim_t) {                                                  \
    return detail::make_reduce<op::fn, true>(std::forward<X>(x));              \
  }                                                                            \
  template <int Axis, tensor_operand X>                                        \
  auto fn(X&& x) {                                                             \
    return detail::make_reduce<op::fn, false, Axis>(std::forward<X>(x));       \
  }                                                                            \
  template <int Axis, tensor_operand X>                                        \
  auto fn(X&& x, keepdim_t) {                                                  \
    return detail::make_reduce<op::fn, true, Axis>(std::forward<X>(x));        \
  }
CTRACE_ARG_FUNCTION(argmax)
CTRACE_ARG_FUNCTION(argmin)
#undef CTRACE_ARG_FUNCTION

// ---- var, std: floating types --------------------------------------------------
// `correction` is subtracted from the element count (torch.var: 1 gives the
// unbiased estimate, 0 the population variance); count <= correction gives NaN
// or inf.
template <int... Axes, tensor_operand X>
auto var(X&& x, double correction = 1) {
  return detail::make_reduce<op::var, false, Axes...>(std::forward<X>(x), op::var{correction});
}
template <int... Axes, tensor_operand X>
auto var(X&& x, keepdim_t, double correction = 1) {
  return detail::make_reduce<op::var, true, Axes...>(std::forward<X>(x), op::var{correction});
}
template <int... Axes, tensor_operand X>
auto std(X&& x, double correction = 1) {
  return detail::make_reduce<op::std_dev, false, Axes...>(std::forward<X>(x), op::std_dev{correction});
}
template <int... Axes, tensor_operand X>
auto std(X&& x, keepdim_t, double correction = 1) {
  return detail::make_reduce<op::std_dev, true, Axes...>(std::forward<X>(x), op::std_dev{correction});
}

}  // namespace ctrace
