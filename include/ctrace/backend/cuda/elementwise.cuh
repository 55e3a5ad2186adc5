// The fused elementwise kernel: evaluating an elementwise expression into a
// tensor launches one kernel over the expression's device tree
// (device_expr.cuh). Two kernels per expression type:
//   - vector: when, after merging dims, the destination and every tensor read
//     are one contiguous run (or a tensor is broadcast whole), all 16-byte
//     aligned: 16-byte loads and stores, several vectors per thread per step
//     so that many loads are in flight, over a grid-stride loop;
//   - strided: any strides and broadcasting; each thread turns a linear index
//     into coordinates (32-bit division when the sizes allow) and each tensor
//     read takes its own offset.
// Dims that are contiguous in the destination and in every tensor read are
// merged first, so a contiguous tensor of any rank is one run, and a strided
// view pays only for the dims that are really strided.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/tensor/view.hpp"

namespace ctrace::cuda_backend {

// Compile-time tuning of the elementwise kernels. bench/cuda/elementwise_tuning
// sweeps it; on an H100 (bench/RESULTS.md, issue 5) variants from 8 to 32
// elements per thread, with or without streaming accesses, differ by less
// than the run-to-run spread, except too few threads in flight (128-thread
// blocks, 4 per SM). 32 elements (8 float vectors loaded per thread before any
// is computed) with 256-thread blocks and a resident grid was among the best.
template <int ElementsPerThread = 32, bool Streaming = false>
struct elementwise_tuning {
  // Elements each thread computes per step of the vector kernel's loop: that
  // many / V vectors, loaded before any is computed.
  static constexpr int elements_per_thread = ElementsPerThread;
  // Streaming (evict-first) loads and stores in the vector kernel.
  static constexpr bool streaming = Streaming;
};
using default_tuning = elementwise_tuning<>;

// Run-time launch shape: threads per block, and blocks per multiprocessor
// (0: as many as fit at once, a grid that loops over the work).
struct launch_shape {
  int block = 256;
  int blocks_per_sm = 0;
};

// The iteration space after merging dims: sizes right-aligned, dims before
// `first` of size 1; `narrow` when linear indices fit 32-bit arithmetic.
template <int R>
struct iteration_space {
  index_t sizes[R];
  index_t out_strides[R];
  index_t numel;
  int first;
  bool narrow;
};

template <class Tuning, int V, class T, class Expr>
__global__ void elementwise_vector_kernel(T* out, Expr expr, index_t vectors, index_t numel) {
  constexpr int U = Tuning::elements_per_thread / V > 1 ? Tuning::elements_per_thread / V : 1;
  constexpr bool S = Tuning::streaming;
  const index_t threads = static_cast<index_t>(gridDim.x) * blockDim.x;
  const index_t tid = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  index_t v = tid;
  // U vectors per step, `threads` apart: neighbouring threads touch
  // neighbouring 16-byte pieces (coalesced); all loads issue before the stores.
  for (; v + (U - 1) * threads < vectors; v += U * threads) {
    vec<T, V> r[U];
#pragma unroll
    for (int u = 0; u < U; ++u) r[u] = expr.template eval<V, S>(linear_pos{(v + u * threads) * V});
#pragma unroll
    for (int u = 0; u < U; ++u) store_vector<V, S>(out + (v + u * threads) * V, r[u]);
  }
  for (; v < vectors; v += threads) store_vector<V, S>(out + v * V, expr.template eval<V, S>(linear_pos{v * V}));
  // The last numel % V elements, one per thread.
  for (index_t i = vectors * V + tid; i < numel; i += threads) out[i] = expr.template eval<1, false>(linear_pos{i}).v[0];
}

template <class I, int R, class T, class Expr>
__device__ CTRACE_INLINE void strided_loop(T* out, const Expr& expr, const iteration_space<R>& space) {
  const I threads = static_cast<I>(gridDim.x) * blockDim.x;
  const I n = static_cast<I>(space.numel);
  for (I i = static_cast<I>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += threads) {
    index_t coord[R];
    I rest = i;
    // Dims after `first` take a remainder; `first` takes what is left, so a
    // run that merged into one dim costs no division at all.
#pragma unroll
    for (int d = R - 1; d >= 0; --d) {
      if (d > space.first) {
        const I size = static_cast<I>(space.sizes[d]);
        coord[d] = static_cast<index_t>(rest % size);
        rest /= size;
      } else if (d == space.first) {
        coord[d] = static_cast<index_t>(rest);
      } else {
        coord[d] = 0;
      }
    }
    index_t offset = 0;
#pragma unroll
    for (int d = 0; d < R; ++d) offset += coord[d] * space.out_strides[d];
    out[offset] = expr.template eval<1, false>(strided_pos<R>{coord}).v[0];
  }
}

template <int R, class T, class Expr>
__global__ void elementwise_strided_kernel(T* out, Expr expr, iteration_space<R> space) {
  if (space.narrow) strided_loop<std::uint32_t>(out, expr, space);
  else strided_loop<index_t>(out, expr, space);
}

// Blocks of `block` threads of `kernel` that fit on one multiprocessor, asked
// once per kernel and block size.
template <auto Kernel>
int resident_blocks(int block) {
  static std::atomic<int> cache[33] = {};
  const int slot = block / 32;
  int blocks = (block % 32 == 0 && slot <= 32) ? cache[slot].load(std::memory_order_relaxed) : 0;
  if (blocks == 0) {
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, Kernel, block, 0),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
    if (blocks < 1) blocks = 1;
    if (block % 32 == 0 && slot <= 32) cache[slot].store(blocks, std::memory_order_relaxed);
  }
  return blocks;
}

template <auto Kernel>
unsigned grid_size(const launch_shape& shape, index_t threads_wanted) {
  const int per_sm = shape.blocks_per_sm > 0 ? shape.blocks_per_sm : resident_blocks<Kernel>(shape.block);
  const index_t resident = static_cast<index_t>(per_sm) * multiprocessor_count(current_device());
  const index_t wanted = (threads_wanted + shape.block - 1) / shape.block;
  return static_cast<unsigned>(std::max<index_t>(1, std::min(wanted, resident)));
}

// Merges dims of the destination and every tensor read where each stride set
// is contiguous across the pair, and drops size-1 dims. `sets` holds `count`
// stride arrays of length R (the destination's first).
template <int R>
int merge_dims(index_t* sizes, index_t* const* sets, int count) {
  index_t merged_sizes[R];
  index_t merged[64][R];  // count <= 64
  int k = 0;  // merged dims so far, innermost first
  for (int d = R - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    bool joins = k > 0;
    for (int s = 0; joins && s < count; ++s) {
      joins = sets[s][d] == merged[s][k - 1] * merged_sizes[k - 1];
    }
    if (joins) {
      merged_sizes[k - 1] *= sizes[d];
    } else {
      merged_sizes[k] = sizes[d];
      for (int s = 0; s < count; ++s) merged[s][k] = sets[s][d];
      ++k;
    }
  }
  // Written back right-aligned: dim R-1 is the innermost merged dim.
  for (int d = 0; d < R; ++d) {
    const int j = R - 1 - d;  // merged index of dim d
    sizes[d] = j < k ? merged_sizes[j] : 1;
    for (int s = 0; s < count; ++s) sets[s][d] = j < k ? merged[s][j] : 0;
  }
  return R - k;
}

// Evaluates `node` into `dest` (node broadcast to dest's sizes) with one kernel
// on this thread's current stream.
template <class Tuning = default_tuning, class T, int R, class Node>
void run_elementwise(const strided_view<T, R>& dest, const Node& node, const launch_shape& shape = {}) {
  if constexpr (R == 0) {
    run_elementwise<Tuning>(strided_view<T, 1>{dest.data, {1}, {1}}, node, shape);
  } else {
    const index_t numel = dest.numel();
    if (numel == 0) return;
    auto expr = make_device_expr<R>(node, dest.sizes);
    using Expr = decltype(expr);

    iteration_space<R> space{};
    for (int d = 0; d < R; ++d) {
      space.sizes[d] = dest.sizes[d];
      space.out_strides[d] = dest.strides[d];
    }
    space.numel = numel;
    index_t* sets[64];
    int count = 0;
    sets[count++] = space.out_strides;
    bool all_listed = true;
    auto list = [&](const void*, index_t* strides, std::size_t) {
      if (count < 64) sets[count++] = strides;
      else all_listed = false;
    };
    expr.for_each_tensor(list);
    // With more tensors than that, every dim stays as it is (the strided kernel).
    space.first = all_listed ? merge_dims<R>(space.sizes, sets, count) : 0;

    // The vector kernel: one run, every tensor read along it or broadcast,
    // all 16-byte aligned.
    constexpr std::size_t smallest = Expr::smallest_element < sizeof(T) ? Expr::smallest_element : sizeof(T);
    constexpr int V = static_cast<int>(16 / smallest);
    bool vector = all_listed && space.first >= R - 1 && (space.out_strides[R - 1] == 1 || space.sizes[R - 1] == 1);
    const auto aligned = [](const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; };
    vector = vector && aligned(dest.data);
    auto check_read = [&](const void* data, index_t* strides, std::size_t) {
      const index_t s = strides[R - 1];
      vector = vector && (s == 0 || (s == 1 && aligned(data)) || space.sizes[R - 1] == 1);
    };
    expr.for_each_tensor(check_read);

    // Linear indices (not offsets) in 32 bits for the strided kernel's
    // divisions; below 2^31 so that index + grid size cannot wrap.
    space.narrow = numel <= static_cast<index_t>(INT32_MAX);

    cudaStream_t stream = current_stream();
    if (vector) {
      const index_t vectors = numel / V;
      constexpr int U = Tuning::elements_per_thread / V > 1 ? Tuning::elements_per_thread / V : 1;
      constexpr auto kernel = &elementwise_vector_kernel<Tuning, V, T, Expr>;
      const unsigned grid = grid_size<kernel>(shape, std::max<index_t>((vectors + U - 1) / U, numel % V));
      kernel<<<grid, static_cast<unsigned>(shape.block), 0, stream>>>(dest.data, expr, vectors, numel);
      check(cudaGetLastError(), "elementwise kernel launch", " (vector path, ", numel, " elements)");
    } else {
      constexpr auto kernel = &elementwise_strided_kernel<R, T, Expr>;
      const unsigned grid = grid_size<kernel>(shape, numel);
      kernel<<<grid, static_cast<unsigned>(shape.block), 0, stream>>>(dest.data, expr, space);
      check(cudaGetLastError(), "elementwise kernel launch", " (strided path, ", numel, " elements)");
    }
  }
}

}  // namespace ctrace::cuda_backend

namespace ctrace::exec {

template <>
struct backend<cuda> {
  // dest gets node's value, broadcast to dest's sizes: one kernel, queued on
  // this thread's current stream.
  template <class T, int R, class Node>
  static void assign(const strided_view<T, R>& dest, const Node& node) {
    auto& held = cuda_backend::pending_temporaries();
    const std::size_t mark = held.size();
    if constexpr (cuda_backend::has_root_kernel<Node>) {
      cuda_backend::root_kernel<Node>::run(dest, node);
    } else {
      cuda_backend::run_elementwise(dest, node);
    }
    held.resize(mark);  // the kernels that read them are queued: back to the cache
  }
};

}  // namespace ctrace::exec
