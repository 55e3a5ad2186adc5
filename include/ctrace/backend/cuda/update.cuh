// CUDA evaluation of in-place ops made functional, as backend/cpu/update.hpp:
//   - scatter (slice assignment, and the gradient of every view that drops
//     elements: select, slice, diagonal): the base is copied into the
//     destination, then the source written through the view of it;
//   - index_put: the base is copied, then one kernel writes each target row
//     from the last index that names it (the CPU writes the rows in order, so
//     the last write wins there too). The index is read back to the host for
//     that (one copy and a stream synchronization), where its values are
//     checked with the CPU's message before anything is written.
#pragma once

#include <cuda_runtime.h>

#include <vector>

#include "ctrace/backend/cuda/copy.cuh"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/indexing.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/expr/update.hpp"

namespace ctrace::cuda_backend {

template <class Op, class X, class V>
struct root_kernel<scatter_node<Op, X, V>> {
  using node_type = scatter_node<Op, X, V>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      exec::backend<cuda>::assign(out, node.base());
      // The destination as a tensor (not owning: the caller owns it), seen through the view.
      const tensor<T, typename node_type::shape_type, cuda> result(ctrace::detail::unchecked_tag{}, nullptr, out.data,
                                                                   out.sizes, out.strides);
      auto view = node.op.apply(result);
      view.assign(node.source());
    });
  }
};

namespace update_impl {

// dest[r, ...] = values[source_row[r], ...] for every row r with a source
// (source_row[r] >= 0); values' strides are in dest's coordinates, dim 0
// applied to the source row (0 when values broadcast over rows).
template <class T, class In, int R>
__global__ void __launch_bounds__(indexing_impl::block)
    index_put_kernel(indexing_impl::operand<T, R> dest, indexing_impl::operand<const In, R> values,
                     const index_t* source_row, indexing_impl::space<R> s) {
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < s.numel;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    index_t coord[R];
    indexing_impl::unravel(s, i, coord);
    const index_t j = source_row[coord[0]];
    if (j < 0) continue;
    index_t from = j * values.strides[0];
#pragma unroll
    for (int d = 1; d < R; ++d) from += coord[d] * values.strides[d];
    dest.data[indexing_impl::offset<R>(coord, dest.strides)] = convert<T>(values.data[from]);
  }
}

}  // namespace update_impl

template <class X, class I, class V>
struct root_kernel<index_put_node<X, I, V>> {
  using node_type = index_put_node<X, I, V>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      using In = typename V::value_type;
      constexpr int value_rank = V::shape_type::rank;
      const auto index = to_host(as_device_tensor(node.index()));
      const auto values = as_device_tensor(node.source());
      const auto iv = index.strided();
      const index_t rows = iv.sizes[0];
      // The CPU's checks and messages, before anything is written.
      for (index_t j = 0; j < rows; ++j) {
        const index_t v = static_cast<index_t>(iv.data[j * iv.strides[0]]);
        if (v < 0 || v >= out.sizes[0]) {
          ctrace::detail::raise("index_put_: index ", v, " is out of range for dim 0 of size ", out.sizes[0]);
        }
      }
      if constexpr (value_rank == R) {
        if (values.size(0) != rows && values.size(0) != 1) {
          ctrace::detail::raise("index_put_: ", rows, " indices but ", values.size(0), " rows of values");
        }
      }
      for (int d = 1; d < R; ++d) {
        const int k = d - (R - value_rank);
        if (k >= 0 && values.sizes()[k] != 1 && values.sizes()[k] != out.sizes[d]) {
          ctrace::detail::raise("index_put_: values of sizes ", sizes_to_string(values.sizes()),
                                " do not broadcast to rows of sizes ", sizes_to_string(out.sizes));
        }
      }
      exec::backend<cuda>::assign(out, node.base());
      if (rows == 0 || out.numel() == 0) return;
      // The source row of each destination row: the last index naming it.
      auto source_row = tensor<index_t, shape_of<dyn>, cpu>::uninitialized(sizes_t<1>{out.sizes[0]});
      for (index_t r = 0; r < out.sizes[0]; ++r) source_row.data()[r] = -1;
      for (index_t j = 0; j < rows; ++j) source_row.data()[static_cast<index_t>(iv.data[j * iv.strides[0]])] = j;
      const auto device_rows = to_device(source_row);
      indexing_impl::operand<const In, R> from{values.data(), {}};
      broadcast_strides<R, value_rank>(values.sizes(), values.strides(), out.sizes, from.strides);
      const indexing_impl::space<R> s = indexing_impl::space_of<R>(out.sizes);
      update_impl::index_put_kernel<T, In, R><<<indexing_impl::grid_for(s.numel), indexing_impl::block, 0, current_stream()>>>(
          indexing_impl::operand_of<T, R>(out.data, out.strides), from, device_rows.data(), s);
      check(cudaGetLastError(), "index_put kernel launch", " (", s.numel, " elements)");
      return;  // device_rows goes back to this stream's cache: its reuse is ordered after the kernel
    });
  }
};

}  // namespace ctrace::cuda_backend
