// CUDA kernels of the indexing nodes that backward graphs use: gather,
// index_select (and x[idx]), index_add, scatter_add and cumsum.
//   - gather / index_select: a thread per result element (grid-stride loop),
//     every operand read through its own strides. index_select is gather with
//     an index read only along the axis (its other strides 0).
//   - scatter_add / index_add: the base copied into the destination, then a
//     thread per source element adding it at its place with atomicAdd
//     (f32, f64, i32, i64; f16/bf16 are refused at compile time).
//   - cumsum: a thread per line along the axis, accumulating as the CPU
//     backend does (double for f32/f64, float for f16/bf16, wrapping uint64
//     for integers and bool).
// Index values are checked as on the CPU, before anything is written: a
// kernel records the first (row-major) bad position in a device word, read
// back after it, and a bad value raises ctrace::error naming the op, the
// value, the dim and its size (this costs one stream synchronization per node).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <string_view>
#include <type_traits>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/core/error.hpp"
#include "ctrace/expr/cumsum.hpp"
#include "ctrace/expr/gather.hpp"
#include "ctrace/expr/index_add.hpp"
#include "ctrace/expr/index_select.hpp"
#include "ctrace/expr/scatter_add.hpp"

namespace ctrace::cuda_backend {

namespace indexing_impl {

inline constexpr int block = 256;

// Blocks for a grid-stride loop over n items (at most a few waves).
inline unsigned grid_for(index_t n) {
  const index_t most = static_cast<index_t>(multiprocessor_count(current_device())) * 8;
  const index_t want = (n + block - 1) / block;
  return static_cast<unsigned>(want < most ? want : most);
}

// Sizes of an R-dim iteration space and the strides of each operand in it.
template <int R>
struct space {
  index_t sizes[R];
  index_t numel;
};
template <class T, int R>
struct operand {
  T* data;
  index_t strides[R];
};

template <int R, class Src>
space<R> space_of(const Src& sizes) {
  space<R> s{};
  s.numel = 1;
  for (int d = 0; d < R; ++d) {
    s.sizes[d] = sizes[static_cast<std::size_t>(d)];
    s.numel *= s.sizes[d];
  }
  return s;
}

template <class T, int R, class Strides>
operand<T, R> operand_of(T* data, const Strides& strides) {
  operand<T, R> o{data, {}};
  for (int d = 0; d < R; ++d) o.strides[d] = strides[static_cast<std::size_t>(d)];
  return o;
}

template <int R>
CTRACE_DEVICE CTRACE_INLINE void unravel(const space<R>& s, index_t i, index_t* coord) {
#pragma unroll
  for (int d = R - 1; d >= 0; --d) {
    coord[d] = i % s.sizes[d];
    i /= s.sizes[d];
  }
}

template <int R>
CTRACE_DEVICE CTRACE_INLINE index_t offset(const index_t* coord, const index_t* strides) {
  index_t o = 0;
#pragma unroll
  for (int d = 0; d < R; ++d) o += coord[d] * strides[d];
  return o;
}

// ---- index checks -------------------------------------------------------------

// The smallest row-major position of a value outside [0, limit) goes to *bad.
template <class I, int R>
__global__ void __launch_bounds__(block) check_kernel(operand<const I, R> index, space<R> s, index_t limit,
                                                      long long* bad) {
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < s.numel;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    index_t coord[R];
    unravel(s, i, coord);
    const index_t v = static_cast<index_t>(index.data[offset<R>(coord, index.strides)]);
    if (v < 0 || v >= limit) {
      atomicMin(bad, static_cast<long long>(i));
      return;  // later positions of this thread are larger
    }
  }
}

// Throws unless every value of the (device) index lies in [0, limit); waits
// for the check on the current stream.
template <class I, int R>
void check_indices(std::string_view op, const strided_view<I, R>& index, index_t limit, int dim) {
  const space<R> s = space_of<R>(index.sizes);
  if (s.numel == 0) return;
  auto flag = tensor<std::int64_t, shape_of<1>, cuda>::uninitialized({1});
  long long* bad = reinterpret_cast<long long*>(flag.data());
  const cudaStream_t stream = current_stream();
  check(cudaMemsetAsync(bad, 0x7f, sizeof(long long), stream), "cudaMemsetAsync", " (", op, " index check)");
  check_kernel<I, R><<<grid_for(s.numel), block, 0, stream>>>(operand_of<const I, R>(index.data, index.strides), s,
                                                                limit, bad);
  check(cudaGetLastError(), "index check kernel launch", " (", op, ", ", s.numel, " indices)");
  long long first = 0;
  check(cudaMemcpyAsync(&first, bad, sizeof first, cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync",
        " (", op, " index check)");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize", " (", op, " index check)");
  if (first >= s.numel) return;
  index_t coord[R];
  index_t rest = static_cast<index_t>(first);
  for (int d = R - 1; d >= 0; --d) {
    coord[d] = rest % s.sizes[d];
    rest /= s.sizes[d];
  }
  index_t off = 0;
  for (int d = 0; d < R; ++d) off += coord[d] * index.strides[static_cast<std::size_t>(d)];
  I value{};
  check(cudaMemcpy(&value, index.data + off, sizeof value, cudaMemcpyDeviceToHost), "cudaMemcpy",
        " (", op, " index check)");
  ctrace::detail::raise(op, ": index ", static_cast<index_t>(value), " is out of range for dim ", dim, " of size ",
                        limit);
}

// ---- gather and index_select ----------------------------------------------------

// dest[c] = x[c with coordinate Axis replaced by index[c]] over dest's space;
// x's stride at Axis is applied to the index value only.
template <int Axis, class T, class I, int R>
__global__ void __launch_bounds__(block) gather_kernel(operand<T, R> dest, operand<const T, R> x,
                                                       operand<const I, R> index, space<R> s) {
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < s.numel;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    index_t coord[R];
    unravel(s, i, coord);
    const index_t v = static_cast<index_t>(index.data[offset<R>(coord, index.strides)]);
    const index_t at = coord[Axis];
    coord[Axis] = 0;
    const index_t xo = offset<R>(coord, x.strides) + v * x.strides[Axis];
    coord[Axis] = at;
    dest.data[offset<R>(coord, dest.strides)] = x.data[xo];
  }
}

template <int Axis, class T, class I, int R>
void launch_gather(const strided_view<T, R>& dest, const strided_view<T, R>& x, const operand<const I, R>& index) {
  const space<R> s = space_of<R>(dest.sizes);
  if (s.numel == 0) return;
  gather_kernel<Axis, T, I, R><<<grid_for(s.numel), block, 0, current_stream()>>>(
      operand_of<T, R>(dest.data, dest.strides), operand_of<const T, R>(x.data, x.strides), index, s);
  check(cudaGetLastError(), "gather kernel launch", " (", s.numel, " elements)");
}

// ---- scatter_add and index_add ----------------------------------------------------

template <class T>
inline constexpr bool atomic_addable_v = std::is_same_v<T, float> || std::is_same_v<T, double> ||
                                         std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>;

template <class T>
CTRACE_DEVICE CTRACE_INLINE void atomic_add(T* p, T v) {
  if constexpr (std::is_same_v<T, std::int64_t>) {
    // Two's complement: the unsigned sum wraps to the signed one.
    atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));
  } else {
    atomicAdd(p, v);
  }
}

// For each position c of the space: dest[c with coordinate Axis replaced by
// index[c]] += src[c].
template <int Axis, class T, class I, int R>
__global__ void __launch_bounds__(block) scatter_add_kernel(operand<T, R> dest, operand<const T, R> src,
                                                            operand<const I, R> index, space<R> s) {
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < s.numel;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    index_t coord[R];
    unravel(s, i, coord);
    const T value = src.data[offset<R>(coord, src.strides)];
    const index_t v = static_cast<index_t>(index.data[offset<R>(coord, index.strides)]);
    coord[Axis] = 0;
    atomic_add(dest.data + offset<R>(coord, dest.strides) + v * dest.strides[Axis], value);
  }
}

template <int Axis, class T, class I, int R, class Sizes>
void launch_scatter_add(std::string_view op, const strided_view<T, R>& dest, const strided_view<T, R>& src,
                        const operand<const I, R>& index, const Sizes& sizes) {
  const space<R> s = space_of<R>(sizes);
  if (s.numel == 0) return;
  scatter_add_kernel<Axis, T, I, R><<<grid_for(s.numel), block, 0, current_stream()>>>(
      operand_of<T, R>(dest.data, dest.strides), operand_of<const T, R>(src.data, src.strides), index, s);
  check(cudaGetLastError(), "scatter_add kernel launch", " (", op, ", ", s.numel, " elements)");
}

// ---- cumsum ---------------------------------------------------------------------

template <class T>
using cumsum_acc_t = std::conditional_t<is_half_v<T>, float,
                                        std::conditional_t<is_floating_dtype_v<T>, double, std::uint64_t>>;

// A thread per line along Axis; consecutive threads take consecutive
// positions of the other dims (coalesced when the axis is not innermost).
// `s` is the space with dim Axis of size 1.
template <int Axis, class Out, class In, int R>
__global__ void __launch_bounds__(block) cumsum_kernel(operand<Out, R> dest, operand<const In, R> x, space<R> s,
                                                       index_t n) {
  using Acc = cumsum_acc_t<In>;
  for (index_t line = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; line < s.numel;
       line += static_cast<index_t>(gridDim.x) * blockDim.x) {
    index_t coord[R];
    unravel(s, line, coord);
    const In* in = x.data + offset<R>(coord, x.strides);
    Out* out = dest.data + offset<R>(coord, dest.strides);
    const index_t is = x.strides[Axis], os = dest.strides[Axis];
    Acc acc = 0;
    for (index_t i = 0; i < n; ++i) {
      if constexpr (std::is_same_v<Acc, std::uint64_t>) {
        acc += static_cast<std::uint64_t>(static_cast<std::int64_t>(in[i * is]));
        out[i * os] = static_cast<Out>(acc);
      } else {
        acc += static_cast<Acc>(convert<compute_type_t<In>>(in[i * is]));
        out[i * os] = convert<Out>(acc);
      }
    }
  }
}

}  // namespace indexing_impl

// result[c] = x[c with coordinate Axis replaced by index[c]].
template <int Axis, class X, class I>
struct root_kernel<gather_node<Axis, X, I>> {
  using node_type = gather_node<Axis, X, I>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      const auto index = as_device_tensor(node.index());
      const auto iv = index.strided();
      indexing_impl::check_indices(op::gather::name, iv, node.source().sizes()[Axis], Axis);
      if (out.numel() == 0) return;
      const auto x = as_device_tensor(node.source());
      indexing_impl::launch_gather<Axis>(out, x.strided(), indexing_impl::operand_of<const typename I::value_type, R>(
                                                                iv.data, iv.strides));
    });
  }
};

// Slice j of the result along Axis is slice index[j] of x.
template <class Op, int Axis, class X, class I>
struct root_kernel<index_select_node<Op, Axis, X, I>> {
  using node_type = index_select_node<Op, Axis, X, I>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      const auto index = as_device_tensor(node.index());
      const auto iv = index.strided();
      indexing_impl::check_indices(Op::name, iv, node.source().sizes()[Axis], Axis);
      if (out.numel() == 0) return;
      const auto x = as_device_tensor(node.source());
      // The 1-D index read along Axis of the result's space only.
      indexing_impl::operand<const typename I::value_type, R> ix{iv.data, {}};
      ix.strides[Axis] = iv.strides[0];
      indexing_impl::launch_gather<Axis>(out, x.strided(), ix);
    });
  }
};

// result = x; slice j of v along Axis is added to slice index[j] of it.
template <int Axis, class X, class I, class V>
struct root_kernel<index_add_node<Axis, X, I, V>> {
  using node_type = index_add_node<Axis, X, I, V>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    static_assert(indexing_impl::atomic_addable_v<typename node_type::value_type>,
                  "ctrace: index_add on CUDA adds with atomics: f32, f64, i32 and i64 (not f16/bf16)");
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      const auto index = as_device_tensor(node.index());
      const auto iv = index.strided();
      indexing_impl::check_indices(op::index_add::name, iv, out.sizes[Axis], Axis);
      const auto v = as_device_tensor(node.source());
      exec::backend<cuda>::assign(out, node.base());
      indexing_impl::operand<const typename I::value_type, R> ix{iv.data, {}};
      ix.strides[Axis] = iv.strides[0];
      const auto vv = v.strided();
      indexing_impl::launch_scatter_add<Axis>(op::index_add::name, out, vv, ix, vv.sizes);
    });
  }
};

// result = x; src[c] is added at c with coordinate Axis replaced by index[c],
// for every position c of the index.
template <int Axis, class X, class I, class S>
struct root_kernel<scatter_add_node<Axis, X, I, S>> {
  using node_type = scatter_add_node<Axis, X, I, S>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    static_assert(indexing_impl::atomic_addable_v<typename node_type::value_type>,
                  "ctrace: scatter_add on CUDA adds with atomics: f32, f64, i32 and i64 (not f16/bf16)");
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      const auto index = as_device_tensor(node.index());
      const auto iv = index.strided();
      indexing_impl::check_indices(op::scatter_add::name, iv, out.sizes[Axis], Axis);
      const auto src = as_device_tensor(node.source());
      exec::backend<cuda>::assign(out, node.base());
      indexing_impl::launch_scatter_add<Axis>(
          op::scatter_add::name, out, src.strided(),
          indexing_impl::operand_of<const typename I::value_type, R>(iv.data, iv.strides), iv.sizes);
    });
  }
};

template <int Axis, class A>
struct root_kernel<cumsum_node<Axis, A>> {
  using node_type = cumsum_node<Axis, A>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    run_exact_or_via_temporary(dest, node, [&](const auto& out) {
      using In = typename A::value_type;
      const index_t n = out.sizes[Axis];
      if (out.numel() == 0) return;
      const auto x = as_device_tensor(node.arg());
      const auto xv = x.strided();
      auto lines = out.sizes;
      lines[Axis] = 1;
      const indexing_impl::space<R> s = indexing_impl::space_of<R>(lines);
      indexing_impl::cumsum_kernel<Axis, T, In, R>
          <<<indexing_impl::grid_for(s.numel), indexing_impl::block, 0, current_stream()>>>(
              indexing_impl::operand_of<T, R>(out.data, out.strides),
              indexing_impl::operand_of<const In, R>(xv.data, xv.strides), s, n);
      check(cudaGetLastError(), "cumsum kernel launch", " (", s.numel, " lines of ", n, ")");
    });
  }
};

}  // namespace ctrace::cuda_backend
