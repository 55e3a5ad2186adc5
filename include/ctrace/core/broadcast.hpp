// Broadcasting (numpy/PyTorch rules): decided at compile time where the dims
// are known, checked once at run time where symbols or dynamic sizes meet.
#pragma once

#include <algorithm>
#include <array>

#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace {

namespace detail {

// How two dims combine: the result, and whether the pair can never agree.
struct dim_join {
  extent result;
  bool impossible;
};

// Symbols are never taken to be 1 (as torch.compile specializes 0 and 1), so
// N against M means N == M; a dynamic dim may still turn out 1 at run time.
constexpr dim_join join_dims(const extent& a, const extent& b) {
  if (provably_equal(a, b)) return {a, false};
  if (a.is_static() && a.value() == 1) return {b, false};
  if (b.is_static() && b.value() == 1) return {a, false};
  if (a.is_static() && b.is_static()) return {a, true};
  if (a.is_static()) return {a, false};
  if (b.is_static()) return {b, false};
  if (a.is_dynamic()) return {b, false};
  return {a, false};
}

template <class SA, class SB>
struct broadcast_result {
  static constexpr int rank = std::max(SA::rank, SB::rank);
  struct info {
    extent_list dims{{}, rank};
    int bad_axis = -1;
    std::int64_t bad_lhs = 0, bad_rhs = 0;
  };
  static constexpr info compute() {
    info r{};
    for (int i = 0; i < rank; ++i) {
      int ia = i - (rank - SA::rank), ib = i - (rank - SB::rank);
      extent a = ia >= 0 ? SA::extents[ia] : make_extent(1);
      extent b = ib >= 0 ? SB::extents[ib] : make_extent(1);
      dim_join j = join_dims(a, b);
      if (j.impossible && r.bad_axis < 0) {
        r.bad_axis = i;
        r.bad_lhs = a.value();
        r.bad_rhs = b.value();
      }
      r.dims.items[i] = j.result;
    }
    return r;
  }
  static constexpr info value = compute();
};

}  // namespace detail

// Broadcast shape of two shapes for op `Op`; on static disagreement it reports
// diagnostic::shape_mismatch<Op, axis, lhs dim, rhs dim> and `ok` is false.
template <class Op, class SA, class SB>
struct broadcast_shapes {
  using result = detail::broadcast_result<SA, SB>;
  static constexpr bool ok = result::value.bad_axis < 0;
  static constexpr bool check() {
    if constexpr (!ok) report<diagnostic::shape_mismatch<Op, result::value.bad_axis, result::value.bad_lhs, result::value.bad_rhs>>();
    return ok;
  }
  static constexpr bool checked = check();
  using type = shape_from<result::value.dims>;
};

// Run-time side of broadcasting: each result dim from the operands' sizes.
// A symbolic pair must be equal; a dynamic dim may broadcast from 1.
namespace detail {
// Extent k of S, or 1 for the dims S lacks (broadcasting's leading ones).
template <class S>
const extent& extent_or_one(int k) {
  static constexpr extent one = make_extent(1);
  if constexpr (S::rank == 0) {
    return one;
  } else {
    if (k < 0 || k >= S::rank) return one;
    return S::extents[static_cast<std::size_t>(k)];
  }
}
template <class S>
index_t size_or_one(const sizes_t<S::rank>& s, int k) {
  if constexpr (S::rank == 0) return 1;
  else return k < 0 || k >= S::rank ? 1 : s[static_cast<std::size_t>(k)];
}

// The result dim where the operands' sizes differ (sa != sb), or an error.
template <class Result, class SA, class SB>
[[gnu::noinline]] index_t broadcast_mismatch(const char* op, int i, const sizes_t<SA::rank>& a,
                                             const sizes_t<SB::rank>& b) {
  constexpr int R = Result::rank;
  const int ia = i - (R - SA::rank), ib = i - (R - SB::rank);
  const index_t sa = size_or_one<SA>(a, ia), sb = size_or_one<SB>(b, ib);
  const extent& ea = extent_or_one<SA>(ia);
  const extent& eb = extent_or_one<SB>(ib);
  // A symbol may be 1 at run time only where the result is not labelled by it.
  const extent& er = Result::extents[i];
  const bool a_may_be_one = sa == 1 && !(ea.is_symbolic() && provably_equal(er, ea));
  const bool b_may_be_one = sb == 1 && !(eb.is_symbolic() && provably_equal(er, eb));
  if (a_may_be_one) return sb;
  if (b_may_be_one) return sa;
  detail::raise(op, ": cannot broadcast dim ", i, ": lhs ", to_string(ea), " = ", sa, ", rhs ", to_string(eb), " = ", sb,
                " (sizes ", sizes_to_string(a), " and ", sizes_to_string(b), ")");
}

// Each result dim from the operands' sizes, where they may differ.
template <class Result, class SA, class SB>
sizes_t<Result::rank> broadcast_sizes_slow(const char* op, const sizes_t<SA::rank>& a, const sizes_t<SB::rank>& b) {
  constexpr int R = Result::rank;
  sizes_t<R> out{};
  for (int i = 0; i < R; ++i) {
    const index_t sa = detail::size_or_one<SA>(a, i - (R - SA::rank));
    const index_t sb = detail::size_or_one<SB>(b, i - (R - SB::rank));
    out[static_cast<std::size_t>(i)] = sa == sb ? sa : broadcast_mismatch<Result, SA, SB>(op, i, a, b);
  }
  return out;
}
}  // namespace detail

template <class Result, class SA, class SB>
sizes_t<Result::rank> broadcast_sizes(const char* op, const sizes_t<SA::rank>& a, const sizes_t<SB::rank>& b) {
  constexpr int R = Result::rank;
  if constexpr (SA::is_static && SB::is_static) {
    // Static operands have their types' sizes (checked when their tensors
    // were made), and the result's were checked while compiling.
    constexpr sizes_t<R> out = Result::static_sizes();
    return out;
  } else {
    if constexpr (SA::rank == R && SB::rank == R) {
      if (same_sizes(a, b)) return a;  // the common case: nothing broadcasts
    }
    return detail::broadcast_sizes_slow<Result, SA, SB>(op, a, b);
  }
}

}  // namespace ctrace
