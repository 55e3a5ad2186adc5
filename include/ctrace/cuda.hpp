// The CUDA backend: device tensors (tensor<T, Shape, cuda>, CudaTensor<T, Dims...>)
// in memory from a caching allocator, per-thread streams, copies between host
// and device, elementwise expressions evaluated as one fused kernel, and
// reductions, softmax and layer_norm fused with their producers, and matrix
// products (matmul) with their elementwise consumers in the GEMM's epilogue.
// Include it in sources compiled by nvcc (.cu); it brings the tensor and the
// elementwise, reduction, normalization and indexing ops (gather,
// index_select, index_add, scatter_add, cumsum, masked_select), cat and stack,
// diag_embed, cummax and topk, slice assignment and index_put_ (and so the
// gradients of views), generators (arange, eye, rand, ...), and the evaluation
// of control flow (cond, fori_loop, scan: their API is
// ctrace/graph/control.hpp), not Eigen or Hana.
#pragma once

#if !defined(__CUDACC__)
#error "ctrace/cuda.hpp holds CUDA kernels: include it from a source compiled by nvcc (a .cu file)"
#endif

#include "ctrace/api/elementwise.hpp"
#include "ctrace/api/indexing.hpp"
#include "ctrace/api/join.hpp"
#include "ctrace/api/linalg.hpp"
#include "ctrace/api/nn.hpp"
#include "ctrace/api/reduce.hpp"
#include "ctrace/api/scan.hpp"
#include "ctrace/api/scatter.hpp"
#include "ctrace/api/sort.hpp"
#include "ctrace/backend/cuda/allocator.hpp"
#include "ctrace/backend/cuda/control.cuh"
#include "ctrace/backend/cuda/copy.cuh"
#include "ctrace/backend/cuda/diag_embed.cuh"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/gemm.cuh"
#include "ctrace/backend/cuda/indexing.cuh"
#include "ctrace/backend/cuda/join.cuh"
#include "ctrace/backend/cuda/layer_norm.cuh"
#include "ctrace/backend/cuda/masked_select.cuh"
#include "ctrace/backend/cuda/reduce.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/scan.cuh"
#include "ctrace/backend/cuda/softmax.cuh"
#include "ctrace/backend/cuda/sort.cuh"
#include "ctrace/backend/cuda/update.cuh"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

// The user-facing spelling of a device tensor: CudaTensor<float, N, 3>.
template <element_type T, auto... Dims>
using CudaTensor = tensor<T, shape_of<Dims...>, cuda>;

}  // namespace ctrace
