// CUDA kernel of diag_embed: one pass over the square result, a thread per
// element (grid-stride loop), writing the operand's element on diagonal Offset
// and zero elsewhere; the destination and the operand are read through their
// strides.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/indexing.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/expr/diag_embed.hpp"

namespace ctrace::cuda_backend {

namespace diag_embed_impl {

template <std::int64_t Offset, class T, class In>
__global__ void __launch_bounds__(indexing_impl::block)
    diag_embed_kernel(T* dest, index_t side, index_t row_stride, index_t col_stride, const In* x, index_t x_stride) {
  const index_t numel = side * side;
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < numel;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    const index_t r = i / side, c = i % side;
    // x[j] sits at (j - min(Offset, 0), j + max(Offset, 0)): c - r == Offset.
    const index_t j = Offset >= 0 ? r : c;
    dest[r * row_stride + c * col_stride] = c - r == Offset ? convert<T>(x[j * x_stride]) : convert<T>(0);
  }
}

}  // namespace diag_embed_impl

template <std::int64_t Offset, class A>
struct root_kernel<diag_embed_node<Offset, A>> {
  using node_type = diag_embed_node<Offset, A>;
  static constexpr bool exists = true;

  // Any element type (converted as written); a destination of other sizes
  // (broadcast) goes through a temporary.
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    if constexpr (R == 2) {
      if (node.sizes() == dest.sizes) {
        using In = typename A::value_type;
        const index_t side = dest.sizes[0];
        if (side == 0) return;
        const auto x = as_device_tensor(node.arg());
        const auto xv = x.strided();
        diag_embed_impl::diag_embed_kernel<Offset, T, In>
            <<<indexing_impl::grid_for(side * side), indexing_impl::block, 0, current_stream()>>>(
                dest.data, side, dest.strides[0], dest.strides[1], xv.data, xv.strides[0]);
        check(cudaGetLastError(), "diag_embed kernel launch", " (", side, " x ", side, ")");
        return;
      }
    }
    run_via_temporary(dest, node);
  }
};

}  // namespace ctrace::cuda_backend
