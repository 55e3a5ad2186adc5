// CPU kernels of the accumulating indexing nodes: index_add and scatter_add.
// Both copy their base into the destination, then add the source along lines
// of the indexed axis. Lines that differ in another dim write different
// elements, so lines run in parallel and each line adds its elements in order:
// repeated indices add up without races, and the sums do not depend on the
// thread count. Index values are all checked before anything is written.
#pragma once

#include <cstddef>
#include <vector>

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/indexing.hpp"  // check_indices
#include "ctrace/backend/cpu/lines.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/expr/index_add.hpp"
#include "ctrace/expr/scatter_add.hpp"

namespace ctrace::cpu_backend {

namespace detail {
template <class T>
CTRACE_INLINE void add_into(T& d, const T& s) {
  using C = compute_type_t<T>;
  d = convert<T>(static_cast<C>(d) + static_cast<C>(s));
}
}  // namespace detail

// Slice j of the source along Axis is added to slice index[j] of the result.
template <int Axis, class X, class I, class V>
struct root_kernel<index_add_node<Axis, X, I, V>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const index_add_node<Axis, X, I, V>& node) {
    const auto index = as_tensor(node.index());
    detail::check_indices(op::index_add::name, index.strided(), dest.sizes[Axis], Axis);
    const auto v = as_tensor(node.source());
    exec::backend<cpu>::assign(dest, node.base());
    if (v.numel() == 0) return;
    const auto vv = v.strided();
    const auto iv = index.strided();
    // The destination offset of each index value along Axis, read once.
    std::vector<index_t> at(static_cast<std::size_t>(iv.sizes[0]));
    for (std::size_t j = 0; j < at.size(); ++j) {
      at[j] = static_cast<index_t>(iv.data[static_cast<index_t>(j) * iv.strides[0]]) * dest.strides[Axis];
    }
    const lines<R> rows{vv.sizes, Axis};
    const index_t n = rows.length(), v_axis = vv.strides[Axis];
    parallel_for(rows.count(), line_grain(n), [&](index_t b, index_t e) {
      for (index_t r = b; r < e; ++r) {
        T* d = dest.data + rows.offset(r, dest.strides);
        const T* s = vv.data + rows.offset(r, vv.strides);
        for (index_t j = 0; j < n; ++j) detail::add_into(d[at[static_cast<std::size_t>(j)]], s[j * v_axis]);
      }
    });
  }
};

// src[i] is added at the result's position i with coordinate Axis replaced by
// index[i], for every position i of the index.
template <int Axis, class X, class I, class S>
struct root_kernel<scatter_add_node<Axis, X, I, S>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const scatter_add_node<Axis, X, I, S>& node) {
    const auto index = as_tensor(node.index());
    detail::check_indices(op::scatter_add::name, index.strided(), dest.sizes[Axis], Axis);
    const auto src = as_tensor(node.source());
    exec::backend<cpu>::assign(dest, node.base());
    const auto iv = index.strided();
    const auto sv = src.strided();
    // Lines numbered over the index's sizes: the source and the destination
    // are at least as long in every dim but Axis, so the same line number
    // reaches the same coordinates in each.
    const lines<R> rows{iv.sizes, Axis};
    const index_t n = rows.length();
    if (rows.count() == 0 || n == 0) return;
    const index_t i_axis = iv.strides[Axis], s_axis = sv.strides[Axis], d_axis = dest.strides[Axis];
    parallel_for(rows.count(), line_grain(n), [&](index_t b, index_t e) {
      for (index_t r = b; r < e; ++r) {
        T* d = dest.data + rows.offset(r, dest.strides);
        const T* s = sv.data + rows.offset(r, sv.strides);
        const auto* ip = iv.data + rows.offset(r, iv.strides);
        for (index_t j = 0; j < n; ++j) {
          detail::add_into(d[static_cast<index_t>(ip[j * i_axis]) * d_axis], s[j * s_axis]);
        }
      }
    });
  }
};

}  // namespace ctrace::cpu_backend
