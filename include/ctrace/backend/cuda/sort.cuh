// CUDA kernel of topk (values and indices, each part its own node as on the
// CPU). The CPU backend's order is a strict total order on positions ("larger
// first, NaN above every number, lower index first on ties"), so an element's
// place in the sorted line is its rank: how many positions come before it. A
// block per line (grid-stride over lines): each thread ranks its elements
// against the whole line, read a tile at a time through shared memory, and
// writes those of rank < k at their rank. O(n^2 / threads) per line of n: meant
// for the short lines of topk/sort in models (a line of tens of thousands
// would want a radix or merge sort).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/indexing.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/expr/topk.hpp"

namespace ctrace::cuda_backend {

namespace sort_impl {

inline constexpr int block = 256;
inline constexpr int tile = 1024;

// Whether position a (value va) comes before position b (value vb).
template <class C>
CTRACE_DEVICE CTRACE_INLINE bool before(index_t a, C va, index_t b, C vb) {
  if constexpr (is_floating_dtype_v<C>) {
    const bool na = va != va, nb = vb != vb;
    if (na || nb) return na && (!nb || a < b);
  }
  if (va != vb) return va > vb;
  return a < b;
}

// `s` is the space with dim Axis of size 1 (the lines); n the line length, k
// the number of results per line.
template <int Axis, result_part Part, class Out, class In, int R>
__global__ void __launch_bounds__(block)
    topk_kernel(indexing_impl::operand<Out, R> dest, indexing_impl::operand<const In, R> x,
                indexing_impl::space<R> s, index_t n, index_t k) {
  using C = compute_type_t<In>;
  __shared__ C values[tile];
  for (index_t line = blockIdx.x; line < s.numel; line += gridDim.x) {
    index_t coord[R];
    indexing_impl::unravel(s, line, coord);
    const In* in = x.data + indexing_impl::offset<R>(coord, x.strides);
    Out* out = dest.data + indexing_impl::offset<R>(coord, dest.strides);
    const index_t is = x.strides[Axis], os = dest.strides[Axis];
    // Every thread runs the same number of steps: the tiles are shared.
    for (index_t base = 0; base < n; base += blockDim.x) {
      const index_t j = base + threadIdx.x;
      const bool mine = j < n;
      const C vj = mine ? convert<C>(in[j * is]) : C{};
      index_t rank = 0;
      for (index_t from = 0; from < n; from += tile) {
        const index_t count = n - from < tile ? n - from : tile;
        __syncthreads();  // the previous tile is read by every thread
        for (index_t t = threadIdx.x; t < count; t += blockDim.x) values[t] = convert<C>(in[(from + t) * is]);
        __syncthreads();
        if (mine) {
          for (index_t t = 0; t < count; ++t) rank += before(from + t, values[t], j, vj) ? 1 : 0;
        }
      }
      if (mine && rank < k) {
        if constexpr (Part == result_part::values) out[rank * os] = convert<Out>(in[j * is]);
        else out[rank * os] = static_cast<Out>(j);
      }
    }
  }
}

}  // namespace sort_impl

template <int Axis, std::int64_t K, result_part Part, class A>
struct root_kernel<topk_node<Axis, K, Part, A>> {
  using node_type = topk_node<Axis, K, Part, A>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      using In = typename A::value_type;
      if (out.numel() == 0) return;
      const auto x = as_device_tensor(node.arg());
      const auto xv = x.strided();
      const index_t n = xv.sizes[Axis];
      auto lines = out.sizes;
      lines[Axis] = 1;
      const indexing_impl::space<R> s = indexing_impl::space_of<R>(lines);
      const index_t most = static_cast<index_t>(multiprocessor_count(current_device())) * 16;
      const unsigned grid = static_cast<unsigned>(std::min<index_t>(s.numel, most));
      sort_impl::topk_kernel<Axis, Part, T, In, R><<<grid, sort_impl::block, 0, current_stream()>>>(
          indexing_impl::operand_of<T, R>(out.data, out.strides),
          indexing_impl::operand_of<const In, R>(xv.data, xv.strides), s, n, node.k);
      check(cudaGetLastError(), "topk kernel launch", " (", s.numel, " lines of ", n, ", k = ", node.k, ")");
    });
  }
};

}  // namespace ctrace::cuda_backend
