// CUDA side of masked_select, whose result length is the mask's number of true
// elements:
//   - exec::count_true<cuda>: the API counts the (broadcast, contiguous) device
//     mask when it builds the node: a grid-stride count, a warp sum and one
//     atomicAdd per warp, read back (one stream synchronization);
//   - the node's kernel, a stream compaction in three passes over tiles of
//     1024 mask elements: the count of each tile; an exclusive scan of the
//     counts (one block, its last entry the total); then each tile scans its
//     threads' counts and copies x's selected elements (read broadcast into the
//     mask's sizes) to their places, in row-major order. The total is read back
//     and checked against the count the node was built with before the copy
//     (as on the CPU: a mask changed since would overrun the result).
// No cub: its headers declare namespace ::cuda, which would make `cuda` (the
// device tag) ambiguous in code that says `using namespace ctrace;`.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ctrace/api/indexing.hpp"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/indexing.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/core/error.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/masked_select.hpp"

namespace ctrace::cuda_backend {

namespace masked_select_impl {

using indexing_impl::block;

// Kernels in headers are templates (here on nothing): a plain __global__
// function would be defined again in every .cu file that includes this.
template <int = 0>
__global__ void __launch_bounds__(block) count_kernel(const bool* mask, index_t n, unsigned long long* total) {
  unsigned long long mine = 0;
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    mine += mask[i] ? 1 : 0;
  }
#pragma unroll
  for (int d = 16; d > 0; d /= 2) mine += __shfl_down_sync(0xffffffffu, mine, d);
  if ((threadIdx.x & 31) == 0 && mine != 0) atomicAdd(total, mine);
}

inline constexpr int tile = 1024;
inline constexpr int per_thread = tile / block;
static_assert(per_thread * block == tile, "ctrace: a masked_select tile is whole threads");

// Exclusive prefix sum of one value per thread of a block of Threads threads
// (Hillis-Steele in shared memory); `total` gets the block's sum. Every
// thread of the block calls it.
template <int Threads>
CTRACE_DEVICE CTRACE_INLINE index_t block_exclusive_scan(index_t v, index_t& total) {
  __shared__ index_t sums[Threads];
  const int t = static_cast<int>(threadIdx.x);
  sums[t] = v;
  __syncthreads();
  for (int d = 1; d < Threads; d *= 2) {
    const index_t add = t >= d ? sums[t - d] : 0;
    __syncthreads();
    sums[t] += add;
    __syncthreads();
  }
  const index_t inclusive = sums[t];
  total = sums[Threads - 1];
  __syncthreads();  // before the next call writes sums
  return inclusive - v;
}

// The true elements among this thread's per_thread consecutive ones of a tile.
CTRACE_DEVICE CTRACE_INLINE index_t thread_count(const bool* mask, index_t n, index_t first) {
  index_t c = 0;
#pragma unroll
  for (int j = 0; j < per_thread; ++j) {
    const index_t i = first + j;
    c += i < n && mask[i] ? 1 : 0;
  }
  return c;
}

// counts[t] = the true elements of tile t.
template <int = 0>
__global__ void __launch_bounds__(block) tile_count_kernel(const bool* mask, index_t n, index_t tiles, index_t* counts) {
  for (index_t t = blockIdx.x; t < tiles; t += gridDim.x) {
    index_t total = 0;
    block_exclusive_scan<block>(thread_count(mask, n, t * tile + threadIdx.x * per_thread), total);
    if (threadIdx.x == 0) counts[t] = total;
  }
}

// counts[0, tiles) becomes its exclusive prefix sum, counts[tiles] the total;
// one block of `block` threads, a chunk of `block` tiles at a time.
template <int = 0>
__global__ void __launch_bounds__(block) scan_tiles_kernel(index_t* counts, index_t tiles) {
  index_t carry = 0;
  for (index_t base = 0; base < tiles; base += block) {
    const index_t t = base + threadIdx.x;
    const index_t v = t < tiles ? counts[t] : 0;
    index_t total = 0;
    const index_t before = block_exclusive_scan<block>(v, total);
    if (t < tiles) counts[t] = carry + before;
    carry += total;
  }
  if (threadIdx.x == 0) counts[tiles] = carry;
}

// Tile t's selected elements go to dest from starts[t] on, in row-major order
// over `s` (the mask's space).
template <class T, class In, int R>
__global__ void __launch_bounds__(block)
    select_kernel(T* dest, index_t dest_stride, indexing_impl::operand<const In, R> x, const bool* mask,
                  const index_t* starts, index_t tiles, indexing_impl::space<R> s) {
  for (index_t t = blockIdx.x; t < tiles; t += gridDim.x) {
    const index_t first = t * tile + threadIdx.x * per_thread;
    index_t total = 0;
    index_t at = starts[t] + block_exclusive_scan<block>(thread_count(mask, s.numel, first), total);
    for (int j = 0; j < per_thread; ++j) {
      const index_t i = first + j;
      if (i >= s.numel || !mask[i]) continue;
      index_t coord[R];
      indexing_impl::unravel(s, i, coord);
      dest[at++ * dest_stride] = convert<T>(x.data[indexing_impl::offset<R>(coord, x.strides)]);
    }
  }
}

// Waits for the work queued on the current stream, then reads one device value.
template <class T>
T read_back(const T* p, const char* what) {
  T value{};
  const cudaStream_t stream = current_stream();
  check(cudaMemcpyAsync(&value, p, sizeof value, cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync", " (", what, ")");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize", " (", what, ")");
  return value;
}

}  // namespace masked_select_impl

}  // namespace ctrace::cuda_backend

namespace ctrace::exec {

template <>
struct count_true<cuda> {
  static index_t run(const bool* mask, index_t n) {
    namespace impl = cuda_backend::masked_select_impl;
    if (n == 0) return 0;
    auto total = tensor<std::int64_t, shape_of<1>, cuda>::uninitialized({1});
    auto* t = reinterpret_cast<unsigned long long*>(total.data());
    const cudaStream_t stream = current_stream();
    cuda_backend::check(cudaMemsetAsync(t, 0, sizeof *t, stream), "cudaMemsetAsync", " (masked_select mask count)");
    impl::count_kernel<0><<<cuda_backend::indexing_impl::grid_for(n), impl::block, 0, stream>>>(mask, n, t);
    cuda_backend::check(cudaGetLastError(), "masked_select count kernel launch", " (", n, " mask elements)");
    return static_cast<index_t>(impl::read_back(t, "masked_select mask count"));
  }
};

}  // namespace ctrace::exec

namespace ctrace::cuda_backend {

template <class X, class MS>
struct root_kernel<masked_select_node<X, tensor_leaf<bool, MS, cuda>>> {
  using node_type = masked_select_node<X, tensor_leaf<bool, MS, cuda>>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      select(out, node);
    });
  }

 private:
  template <class T>
  static void select(const strided_view<T, 1>& dest, const node_type& node) {
    namespace impl = masked_select_impl;
    using In = typename X::value_type;
    constexpr int RM = MS::rank;
    constexpr int RX = X::shape_type::rank;
    constexpr int R = RM > 0 ? RM : 1;  // a 0-D mask is one element
    const auto& mask = node.mask().value;
    const index_t n = mask.numel();
    if (n == 0) {
      if (node.count != 0) changed(node.count, 0);
      return;
    }
    const cudaStream_t stream = current_stream();
    // Where each tile's selected elements start, and the total.
    const index_t tiles = (n + impl::tile - 1) / impl::tile;
    auto starts = tensor<index_t, shape_of<dyn>, cuda>::uninitialized({tiles + 1});
    index_t* st = starts.data();
    const unsigned grid = indexing_impl::grid_for(tiles * impl::block);
    impl::tile_count_kernel<0><<<grid, impl::block, 0, stream>>>(mask.data(), n, tiles, st);
    check(cudaGetLastError(), "masked_select count kernel launch", " (", n, " mask elements)");
    impl::scan_tiles_kernel<0><<<1, impl::block, 0, stream>>>(st, tiles);
    check(cudaGetLastError(), "masked_select scan kernel launch", " (", tiles, " tiles)");
    const index_t found = impl::read_back(st + tiles, "masked_select mask count");
    // The mask is the caller's memory when it needed no broadcast: writing by
    // a stale count would overrun the destination.
    if (found != node.count) changed(node.count, found);
    if (found == 0) return;

    // x's strides in the mask's space (right-aligned, 0 where broadcast).
    const auto x = as_device_tensor(node.source());
    indexing_impl::operand<const In, R> xo{x.data(), {}};
    indexing_impl::space<R> s{};
    s.numel = n;
    for (int d = 0; d < R; ++d) {
      s.sizes[d] = RM > 0 ? mask.sizes()[static_cast<std::size_t>(d)] : 1;
      xo.strides[d] = 0;
      if constexpr (RX > 0) {
        const int xd = d - (R - RX);
        const auto at = static_cast<std::size_t>(xd);
        if (xd >= 0 && x.sizes()[at] != 1) xo.strides[d] = x.strides()[at];
      }
    }
    impl::select_kernel<T, In, R><<<grid, impl::block, 0, stream>>>(dest.data, dest.strides[0], xo, mask.data(), st,
                                                                     tiles, s);
    check(cudaGetLastError(), "masked_select kernel launch", " (", n, " mask elements)");
  }

  [[noreturn]] static void changed(index_t expected, index_t found) {
    ctrace::detail::raise("masked_select: the mask has ", found, " true elements now but had ", expected,
                          " when the expression was built; evaluate the result before changing the mask");
  }
};

}  // namespace ctrace::cuda_backend
