// Accumulating indexing ops users call: index_add and scatter_add, the
// adjoints of index_select and gather (their gradients are built from them).
// Repeated index values add up. Index tensors hold int64 or int32; their
// values are checked when the node runs, before anything is written.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/api/indexing.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/index_add.hpp"
#include "ctrace/expr/scatter_add.hpp"

namespace ctrace {

namespace detail {

// The element types an accumulating op takes: numbers, not bool (torch's
// index_add and scatter_add take bool, but `+` on bools is an `or`).
template <class Op, class T, class S>
constexpr bool check_accumulate_dtypes() {
  if constexpr (std::is_same_v<T, bool>) {
    return report<diagnostic::dtype_not_supported<Op, T>>();
  } else if constexpr (is_floating_dtype_v<S> && !is_floating_dtype_v<T>) {
    return report<diagnostic::dtype_mismatch<Op, S, T>>();
  } else {
    return true;
  }
}

// index_add: the first dim where the source statically disagrees with x (or,
// at Axis, with the index's length), or -1.
template <class SX, class SV, extent Len, int Axis>
constexpr int index_add_bad_dim() {
  for (int d = 0; d < SX::rank; ++d) {
    const extent& want = d == Axis ? Len : SX::extents[d];
    if (provably_different(SV::extents[d], want)) return d;
  }
  return -1;
}

template <int Axis, std::size_t R>
void check_index_add_sizes(const std::array<index_t, R>& xs, index_t len, const std::array<index_t, R>& vs) {
  for (std::size_t d = 0; d < R; ++d) {
    const index_t want = static_cast<int>(d) == Axis ? len : xs[d];
    if (vs[d] != want) {
      raise("index_add: the source has size ", vs[d], " at dim ", d, " but needs ", want, " (x sizes ",
            sizes_to_string(xs), ", ", len, " indices along dim ", Axis, ", source sizes ", sizes_to_string(vs), ")");
    }
  }
}

// scatter_add: the first dim where the index is statically longer than the
// source, or -1.
template <class SI, class SS>
constexpr int scatter_add_bad_source_dim() {
  for (int d = 0; d < SI::rank; ++d) {
    const extent& i = SI::extents[d];
    const extent& s = SS::extents[d];
    if (i.is_static() && s.is_static() && i.value() > s.value()) return d;
  }
  return -1;
}

// Run time: the index is no longer than x in the dims other than Axis, nor
// than the source in any.
template <int Axis, std::size_t R>
void check_scatter_add_sizes(const std::array<index_t, R>& xs, const std::array<index_t, R>& is,
                             const std::array<index_t, R>& ss) {
  for (std::size_t d = 0; d < R; ++d) {
    const bool past_x = static_cast<int>(d) != Axis && is[d] > xs[d];
    if (past_x || is[d] > ss[d]) {
      raise("scatter_add: the index has size ", is[d], " at dim ", d, " but ", past_x ? "x" : "the source",
            " has only ", past_x ? xs[d] : ss[d], " (x sizes ", sizes_to_string(xs), ", index sizes ",
            sizes_to_string(is), ", source sizes ", sizes_to_string(ss), ")");
    }
  }
}

}  // namespace detail

// torch.index_add(x, Axis, index, source): x with slice j of source (along
// Axis) added to slice index[j] of x, for each j of the 1-D index; repeated
// indices add up. source has x's dims except at Axis, where it has the index's
// length; it is converted to x's element type.
template <int Axis, tensor_operand X, tensor_operand I, tensor_operand V>
auto index_add(X&& x, I&& index, V&& source) {
  auto nx = to_node(std::forward<X>(x));
  auto ni = to_node(std::forward<I>(index));
  auto nv = to_node(std::forward<V>(source));
  using NX = decltype(nx);
  using NI = decltype(ni);
  using NV = decltype(nv);
  if constexpr (any_poison<NX, NI, NV>) {
    return poison{};
  } else {
    using SX = typename NX::shape_type;
    using SI = typename NI::shape_type;
    using SV = typename NV::shape_type;
    using T = typename NX::value_type;
    using IT = typename NI::value_type;
    if constexpr (!detail::check_accumulate_dtypes<op::index_add, T, typename NV::value_type>()) {
      return poison{};
    } else if constexpr (!detail::is_index_dtype_v<IT>) {
      report<diagnostic::dtype_not_supported<op::index_add, IT>>();
      return poison{};
    } else if constexpr (SI::rank != 1) {
      // rank_mismatch<op, 1 (the rank an index must have), the index's rank>
      report<diagnostic::rank_mismatch<op::index_add, 1, SI::rank>>();
      return poison{};
    } else if constexpr (SV::rank != SX::rank) {
      report<diagnostic::rank_mismatch<op::index_add, SX::rank, SV::rank>>();
      return poison{};
    } else if constexpr (!axis_in_range<op::index_add, Axis, SX::rank>) {
      normalize_axis<op::index_add, Axis, SX::rank>();  // reports axis_out_of_range
      return poison{};
    } else if constexpr (!detail::devices_meet<op::index_add, typename NX::device_type, typename NI::device_type,
                                               typename NV::device_type>()) {
      return poison{};
    } else {
      constexpr int a = normalize_axis<op::index_add, Axis, SX::rank>();
      constexpr int bad = detail::index_add_bad_dim<SX, SV, SI::extents[0], a>();
      if constexpr (bad >= 0) {
        // shape_mismatch<index_add, dim, the source's size, the size it needs>
        constexpr extent want = bad == a ? SI::extents[0] : SX::extents[bad];
        report<diagnostic::shape_mismatch<op::index_add, bad, SV::extents[bad].value(), want.value()>>();
        return poison{};
      } else {
        auto cv = cast_to<T>(std::move(nv));
        detail::check_index_add_sizes<a>(nx.sizes(), ni.sizes()[0], cv.sizes());
        using node = index_add_node<a, NX, NI, decltype(cv)>;
        return node{{}, {std::move(nx), std::move(ni), std::move(cv)}};
      }
    }
  }
}

// torch.scatter_add(x, Axis, index, src): x with src[i] added at x[i with
// coordinate Axis replaced by index[i]], for every position i of the index;
// repeated positions add up. The index has x's rank, is no longer than x in
// the other dims and no longer than src in any; src is converted to x's type.
template <int Axis, tensor_operand X, tensor_operand I, tensor_operand S>
auto scatter_add(X&& x, I&& index, S&& src) {
  auto nx = to_node(std::forward<X>(x));
  auto ni = to_node(std::forward<I>(index));
  auto ns = to_node(std::forward<S>(src));
  using NX = decltype(nx);
  using NI = decltype(ni);
  using NS = decltype(ns);
  if constexpr (any_poison<NX, NI, NS>) {
    return poison{};
  } else {
    using SX = typename NX::shape_type;
    using SI = typename NI::shape_type;
    using SS = typename NS::shape_type;
    using T = typename NX::value_type;
    using IT = typename NI::value_type;
    if constexpr (!detail::check_accumulate_dtypes<op::scatter_add, T, typename NS::value_type>()) {
      return poison{};
    } else if constexpr (!detail::is_index_dtype_v<IT>) {
      report<diagnostic::dtype_not_supported<op::scatter_add, IT>>();
      return poison{};
    } else if constexpr (SX::rank != SI::rank) {
      report<diagnostic::rank_mismatch<op::scatter_add, SX::rank, SI::rank>>();
      return poison{};
    } else if constexpr (SS::rank != SI::rank) {
      report<diagnostic::rank_mismatch<op::scatter_add, SS::rank, SI::rank>>();
      return poison{};
    } else if constexpr (!axis_in_range<op::scatter_add, Axis, SX::rank>) {
      normalize_axis<op::scatter_add, Axis, SX::rank>();  // reports axis_out_of_range
      return poison{};
    } else if constexpr (!detail::devices_meet<op::scatter_add, typename NX::device_type, typename NI::device_type,
                                               typename NS::device_type>()) {
      return poison{};
    } else {
      constexpr int a = normalize_axis<op::scatter_add, Axis, SX::rank>();
      constexpr int bad = detail::gather_bad_dim<SX, SI, a>();
      constexpr int bad_source = detail::scatter_add_bad_source_dim<SI, SS>();
      if constexpr (bad >= 0) {
        // shape_mismatch<scatter_add, dim, x's size, the index's (larger) size>
        report<diagnostic::shape_mismatch<op::scatter_add, bad, SX::extents[bad].value(), SI::extents[bad].value()>>();
        return poison{};
      } else if constexpr (bad_source >= 0) {
        // shape_mismatch<scatter_add, dim, the source's size, the index's (larger) size>
        report<diagnostic::shape_mismatch<op::scatter_add, bad_source, SS::extents[bad_source].value(),
                                          SI::extents[bad_source].value()>>();
        return poison{};
      } else {
        auto cs = cast_to<T>(std::move(ns));
        detail::check_scatter_add_sizes<a>(nx.sizes(), ni.sizes(), cs.sizes());
        using node = scatter_add_node<a, NX, NI, decltype(cs)>;
        return node{{}, {std::move(nx), std::move(ni), std::move(cs)}};
      }
    }
  }
}

}  // namespace ctrace
