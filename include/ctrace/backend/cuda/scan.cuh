// CUDA kernel of cummax (values and indices, each part its own node as on the
// CPU: taking both scans x twice). A thread per line along the axis;
// consecutive threads take consecutive positions of the other dims, so the
// reads coalesce unless the axis is innermost. The update rule is the CPU
// backend's (PyTorch's): take x[i] when it is NaN, or when the maximum so far
// is not NaN and x[i] >= it (ties move to the later index). cumsum's kernel is
// in indexing.cuh, beside the indexing nodes of its gradients.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/indexing.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/expr/cummax.hpp"

namespace ctrace::cuda_backend {

namespace scan_impl {

template <class C>
CTRACE_DEVICE CTRACE_INLINE bool is_nan(const C& v) {
  if constexpr (is_floating_dtype_v<C>) return v != v;
  else return false;
}

// `s` is the space with dim Axis of size 1; n the length along Axis.
template <int Axis, result_part Part, class Out, class In, int R>
__global__ void __launch_bounds__(indexing_impl::block)
    cummax_kernel(indexing_impl::operand<Out, R> dest, indexing_impl::operand<const In, R> x,
                  indexing_impl::space<R> s, index_t n) {
  using C = compute_type_t<In>;
  for (index_t line = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; line < s.numel;
       line += static_cast<index_t>(gridDim.x) * blockDim.x) {
    index_t coord[R];
    indexing_impl::unravel(s, line, coord);
    const In* in = x.data + indexing_impl::offset<R>(coord, x.strides);
    Out* out = dest.data + indexing_impl::offset<R>(coord, dest.strides);
    const index_t is = x.strides[Axis], os = dest.strides[Axis];
    C best = convert<C>(in[0]);
    index_t where = 0;
    for (index_t i = 0; i < n; ++i) {
      const C v = convert<C>(in[i * is]);
      if (is_nan(v) || (!is_nan(best) && v >= best)) {
        best = v;
        where = i;
      }
      if constexpr (Part == result_part::values) out[i * os] = convert<Out>(in[where * is]);
      else out[i * os] = static_cast<Out>(where);
    }
  }
}

}  // namespace scan_impl

template <int Axis, result_part Part, class A>
struct root_kernel<cummax_node<Axis, Part, A>> {
  using node_type = cummax_node<Axis, Part, A>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      using In = typename A::value_type;
      if (out.numel() == 0) return;
      const index_t n = out.sizes[Axis];
      const auto x = as_device_tensor(node.arg());
      const auto xv = x.strided();
      auto lines = out.sizes;
      lines[Axis] = 1;
      const indexing_impl::space<R> s = indexing_impl::space_of<R>(lines);
      scan_impl::cummax_kernel<Axis, Part, T, In, R>
          <<<indexing_impl::grid_for(s.numel), indexing_impl::block, 0, current_stream()>>>(
              indexing_impl::operand_of<T, R>(out.data, out.strides),
              indexing_impl::operand_of<const In, R>(xv.data, xv.strides), s, n);
      check(cudaGetLastError(), "cummax kernel launch", " (", s.numel, " lines of ", n, ")");
    });
  }
};

}  // namespace ctrace::cuda_backend
