// CPU kernels of the indexing nodes: gather, index_select (and x[idx]),
// masked_select. Index values are all checked before any element of the
// source is read, so a bad index throws and leaves the destination untouched.
#pragma once

#include <algorithm>
#include <atomic>
#include <limits>
#include <string_view>
#include <vector>

// assign.hpp first: materialize.hpp calls exec::backend<cpu> without including it.
#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/lines.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/expr/gather.hpp"
#include "ctrace/expr/index_select.hpp"
#include "ctrace/expr/masked_select.hpp"

namespace ctrace::cpu_backend {

namespace detail {

// Throws unless every value of `index` lies in [0, limit): names the op, the
// first offending value (row-major), the dim it indexes and that dim's size.
template <class I, int R>
void check_indices(std::string_view op, const strided_view<I, R>& index, index_t limit, int dim) {
  static_assert(R >= 1, "ctrace: index tensors have at least one dim");
  const lines<R> rows{index.sizes, R - 1};
  const index_t n = rows.length(), s = index.strides[R - 1];
  if (rows.count() == 0 || n == 0) return;
  constexpr index_t none = std::numeric_limits<index_t>::max();
  std::atomic<index_t> first_bad{none};
  // Each chunk stops at its first bad value; the smallest position wins, so the
  // report does not depend on the thread count.
  parallel_for(rows.count(), line_grain(n), [&](index_t b, index_t e) {
    for (index_t r = b; r < e; ++r) {
      const I* p = index.data + rows.offset(r, index.strides);
      for (index_t j = 0; j < n; ++j) {
        const index_t v = static_cast<index_t>(p[j * s]);
        if (v < 0 || v >= limit) {
          index_t pos = r * n + j, seen = first_bad.load();
          while (pos < seen && !first_bad.compare_exchange_weak(seen, pos)) {
          }
          return;
        }
      }
    }
  });
  const index_t bad = first_bad.load();
  if (bad != none) {
    const index_t v = static_cast<index_t>(index.data[rows.offset(bad / n, index.strides) + (bad % n) * s]);
    ctrace::detail::raise(op, ": index ", v, " is out of range for dim ", dim, " of size ", limit);
  }
}

}  // namespace detail

// result[i] = x[i with coordinate Axis replaced by index[i]], row by row.
template <int Axis, class X, class I>
struct root_kernel<gather_node<Axis, X, I>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const gather_node<Axis, X, I>& node) {
    const auto index = as_tensor(node.index());
    const index_t limit = node.source().sizes()[Axis];
    detail::check_indices(op::gather::name, index.strided(), limit, Axis);
    if (dest.numel() == 0) return;
    const auto x = as_tensor(node.source());
    const auto xv = x.strided();
    const auto iv = index.strided();
    // x's strides over the result's coordinates: coordinate Axis comes from the index.
    sizes_t<R> xs = xv.strides;
    xs[Axis] = 0;
    const lines<R> rows{dest.sizes, R - 1};
    const index_t n = rows.length(), x_inner = xs[R - 1], x_axis = xv.strides[Axis], i_inner = iv.strides[R - 1];
    parallel_for(rows.count(), line_grain(n), [&](index_t b, index_t e) {
      for (index_t r = b; r < e; ++r) {
        const T* xp = xv.data + rows.offset(r, xs);
        const auto* ip = iv.data + rows.offset(r, iv.strides);
        T* out = dest.data + r * n;
        for (index_t j = 0; j < n; ++j) out[j] = xp[j * x_inner + static_cast<index_t>(ip[j * i_inner]) * x_axis];
      }
    });
  }
};

// Slice j of the result along Axis is slice index[j] of x.
template <class Op, int Axis, class X, class I>
struct root_kernel<index_select_node<Op, Axis, X, I>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const index_select_node<Op, Axis, X, I>& node) {
    const auto index = as_tensor(node.index());
    const index_t limit = node.source().sizes()[Axis];
    detail::check_indices(Op::name, index.strided(), limit, Axis);
    if (dest.numel() == 0) return;
    const auto x = as_tensor(node.source());
    const auto xv = x.strided();
    // Offsets of the chosen slices, read once (the index may be strided or int32).
    std::vector<index_t> slice(static_cast<std::size_t>(index.size(0)));
    for (std::size_t j = 0; j < slice.size(); ++j) {
      slice[j] = static_cast<index_t>(index.strided().data[static_cast<index_t>(j) * index.stride(0)]) * xv.strides[Axis];
    }
    sizes_t<R> xs = xv.strides;
    xs[Axis] = 0;
    const lines<R> rows{dest.sizes, R - 1};
    const index_t n = rows.length(), x_inner = xv.strides[R - 1];
    parallel_for(rows.count(), line_grain(n), [&](index_t b, index_t e) {
      for (index_t r = b; r < e; ++r) {
        const T* xp = xv.data + rows.offset(r, xs);
        T* out = dest.data + r * n;
        if constexpr (Axis == R - 1) {
          for (index_t j = 0; j < n; ++j) out[j] = xp[slice[static_cast<std::size_t>(j)]];
        } else {
          xp += slice[static_cast<std::size_t>(rows.coordinate(r, Axis))];
          for (index_t j = 0; j < n; ++j) out[j] = xp[j * x_inner];
        }
      }
    });
  }
};

// The elements of x where the (already broadcast, contiguous) mask is true, in
// row-major order. Two passes over chunks of rows: count per chunk, then
// write each chunk at its prefix offset.
template <class X, class M>
struct root_kernel<masked_select_node<X, M>> {
  static constexpr bool exists = true;

  template <class T>
  static void run(const strided_view<T, 1>& dest, const masked_select_node<X, M>& node) {
    const auto& mask = node.mask().value;
    constexpr int R = M::shape_type::rank;
    const auto x = as_tensor(node.source());
    if constexpr (R == 0) {
      const index_t found = *mask.data() ? 1 : 0;
      if (found != node.count) changed(node.count, found);
      if (found) dest.data[0] = *x.data();
    } else {
      const lines<R> rows{mask.sizes(), R - 1};
      const index_t n = rows.length(), count = rows.count();
      if (n == 0 || count == 0) {
        if (node.count != 0) changed(node.count, 0);
        return;
      }
      const sizes_t<R> xs = broadcast_strides<R, X::shape_type::rank>(x.sizes(), x.strides(), mask.sizes());
      const bool* m = mask.data();
      const index_t grain = line_grain(n);
      const index_t chunks = std::min<index_t>(num_threads(), (count + grain - 1) / grain);
      const index_t per = (count + chunks - 1) / chunks;
      std::vector<index_t> start(static_cast<std::size_t>(chunks) + 1, 0);
      parallel_for(chunks, 1, [&](index_t b, index_t e) {
        for (index_t c = b; c < e; ++c) {
          const index_t lo = std::min(count, c * per) * n, hi = std::min(count, (c + 1) * per) * n;
          start[static_cast<std::size_t>(c) + 1] = std::count(m + lo, m + hi, true);
        }
      });
      for (std::size_t c = 0; c < static_cast<std::size_t>(chunks); ++c) start[c + 1] += start[c];
      // The mask is the caller's memory when it needed no broadcast: writing
      // by a stale count would overrun the destination.
      if (start.back() != node.count) changed(node.count, start.back());
      const T* xd = x.data();
      parallel_for(chunks, 1, [&](index_t b, index_t e) {
        for (index_t c = b; c < e; ++c) {
          T* out = dest.data + start[static_cast<std::size_t>(c)];
          for (index_t r = std::min(count, c * per); r < std::min(count, (c + 1) * per); ++r) {
            const bool* mr = m + r * n;
            const T* xp = xd + rows.offset(r, xs);
            for (index_t j = 0; j < n; ++j) {
              if (mr[j]) *out++ = xp[j * xs[R - 1]];
            }
          }
        }
      });
    }
  }

 private:
  [[noreturn]] static void changed(index_t expected, index_t found) {
    ctrace::detail::raise("masked_select: the mask has ", found, " true elements now but had ", expected,
                          " when the expression was built; evaluate the result before changing the mask");
  }
};

}  // namespace ctrace::cpu_backend
