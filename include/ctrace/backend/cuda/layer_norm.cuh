// The CUDA kernels of layer_norm_node, with or without weight and bias. The
// operand's device tree is evaluated inside the kernel (layer_norm(x + y)
// makes no x + y); weight and bias may be expressions too.
//   - last axis (rows): a group of threads per row, the row read once with
//     16-byte loads into registers (row_tuning: 64 bytes per thread), then
//     its mean and the sum of squared deviations from it (two group
//     reductions of plain sums: the exact two-pass variance), and the result
//     written from the registers: one read and one write of memory. Rows
//     longer than a group holds (64 KiB) go in chunks: each thread's exact
//     moments of each chunk merged with Chan's formula over the chunks and
//     the group, the chunks read again.
//   - any other axis (lines): a thread per line, Welford's update along the
//     axis, then a writing pass.
// The variance is the biased one (PyTorch's layer_norm); results are computed
// in the compute type of x's type (float for half types).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/expr/layer_norm.hpp"
#include "ctrace/expr/ops/reduce_ops.hpp"

namespace ctrace::cuda_backend {

namespace layer_norm_impl {

template <class T>
using moments = op::moments_state<T>;
template <class T>
using moment_rules = op::reduction<op::reduce_kind::moments, T>;

template <class T>
struct merge_moments {
  CTRACE_DEVICE CTRACE_INLINE moments<T> operator()(const moments<T>& a, const moments<T>& b) const {
    return moment_rules<T>::merge(a, b);
  }
};

// Count, mean and squared deviations of one thread's K vectors (n[k] columns
// valid in vector k), in two passes over the registers.
template <class T, int V, int K>
CTRACE_DEVICE CTRACE_INLINE moments<T> chunk_moments(const vec<T, V> (&x)[K], const int (&n)[K]) {
  index_t count = 0;
  T sum = 0;
#pragma unroll
  for (int k = 0; k < K; ++k) {
    count += n[k];
#pragma unroll
    for (int e = 0; e < V; ++e) {
      if (e < n[k]) sum += x[k].v[e];
    }
  }
  if (count == 0) return moment_rules<T>::init();
  const T mean = sum / static_cast<T>(count);
  T m2 = 0;
#pragma unroll
  for (int k = 0; k < K; ++k) {
#pragma unroll
    for (int e = 0; e < V; ++e) {
      if (e < n[k]) {
        const T d = x[k].v[e] - mean;
        m2 += d * d;
      }
    }
  }
  return {mean, m2, count};
}

template <class T>
CTRACE_DEVICE CTRACE_INLINE T inverse_std(const moments<T>& m, index_t cols, T eps) {
  using std::sqrt;
  return T(1) / sqrt(m.m2 / static_cast<T>(cols) + eps);
}

// No weight and bias: stand-ins that the kernels never read.
template <class T>
using no_affine = scalar_ref<T>;

template <class T>
struct plus {
  CTRACE_DEVICE CTRACE_INLINE T operator()(T a, T b) const { return a + b; }
};

// The result of vector vi of a row (its first `valid` columns) from its
// values x: (x - mean) * rstd, times weight plus bias.
template <bool Affine, int V, class T, class WB, class BB>
CTRACE_DEVICE CTRACE_INLINE vec<T, V> normalized(const vec<T, V>& x, T mean, T rstd, const WB& wb, const BB& bb, int vi,
                                                 int valid) {
  vec<T, V> y;
#pragma unroll
  for (int e = 0; e < V; ++e) y.v[e] = (x.v[e] - mean) * rstd;
  if constexpr (Affine) {
    vec<T, V> w, s;
    if (valid == V) {
      w = eval_columns<T, V, false>(wb, static_cast<index_t>(vi) * V);
      s = eval_columns<T, V, false>(bb, static_cast<index_t>(vi) * V);
    } else {
      w = eval_partial<T, V>(wb, static_cast<index_t>(vi) * V, valid);
      s = eval_partial<T, V>(bb, static_cast<index_t>(vi) * V, valid);
    }
#pragma unroll
    for (int e = 0; e < V; ++e) y.v[e] = y.v[e] * w.v[e] + s.v[e];
  }
  return y;
}

template <bool Affine, int V, int K, int MaxThreads, class T, class Expr, class W, class B, int R, class Out>
__global__ void __launch_bounds__(MaxThreads) layer_norm_rows_kernel(Out* dest, Expr expr, W weight, B bias,
                                                                      row_space<R> space, row_output<R> out, T eps) {
  const int G = out.group;
  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid & (G - 1);
  const index_t row = static_cast<index_t>(blockIdx.x) * (static_cast<int>(blockDim.x) / G) + tid / G;
  const bool active = row < space.rows;
  index_t coord[R] = {};
  if (active) unravel_row(space, row, coord);
  const auto b = bind_row(expr, coord);
  Out* orow = dest + offset_of<R>(coord, out.strides);
  const index_t ostride = out.strides[R - 1];
  [[maybe_unused]] const auto wb = bind_row(weight, coord);
  [[maybe_unused]] const auto bb = bind_row(bias, coord);
  const row_vectors rv = vectors_of<V>(space.cols);
  const int chunk = G * K;
  const int chunks = (rv.count() + chunk - 1) / chunk;  // the same in the whole block
  __shared__ alignas(16) unsigned char scratch[32 * sizeof(moments<T>)];
  vec<T, V> x[K];
  int n[K];

  if (chunks <= 1) {
    // The row in registers, read once: its mean, then the sum of squared
    // deviations from it (two group reductions of plain sums), then the result.
#pragma unroll
    for (int k = 0; k < K; ++k) n[k] = active ? rv.template valid<V>(lane + k * G) : 0;
    if (active) load_vectors<T, V, K, true>(b, lane, G, rv, x);
    T sum = 0;
#pragma unroll
    for (int k = 0; k < K; ++k) {
#pragma unroll
      for (int e = 0; e < V; ++e) {
        if (e < n[k]) sum += x[k].v[e];
      }
    }
    sum = group_reduce(sum, G, plus<T>{}, reinterpret_cast<T*>(scratch));
    const T mean = sum / static_cast<T>(space.cols);
    T squares = 0;
#pragma unroll
    for (int k = 0; k < K; ++k) {
#pragma unroll
      for (int e = 0; e < V; ++e) {
        if (e < n[k]) {
          const T d = x[k].v[e] - mean;
          squares += d * d;
        }
      }
    }
    squares = group_reduce(squares, G, plus<T>{}, reinterpret_cast<T*>(scratch));
    using std::sqrt;
    const T rstd = T(1) / sqrt(squares / static_cast<T>(space.cols) + eps);
#pragma unroll
    for (int k = 0; k < K; ++k) {
      if (n[k] == 0) continue;
      const int vi = lane + k * G;
      store_columns<V>(orow, ostride, vi, n[k], normalized<Affine, V>(x[k], mean, rstd, wb, bb, vi, n[k]));
    }
    return;
  }

  // Longer rows, in chunks: each thread's exact moments of each chunk merged
  // (Chan's formula) over the chunks and the group, then each chunk read again.
  moments<T> acc = moment_rules<T>::init();
  for (int c = 0; c < chunks; ++c) {
    const int first = c * chunk + lane;
#pragma unroll
    for (int k = 0; k < K; ++k) n[k] = active ? rv.template valid<V>(first + k * G) : 0;
    if (active) load_vectors<T, V, K, false>(b, first, G, rv, x);
    acc = moment_rules<T>::merge(acc, chunk_moments<T, V, K>(x, n));
  }
  acc = group_reduce(acc, G, merge_moments<T>{}, reinterpret_cast<moments<T>*>(scratch));
  const T mean = acc.mean;
  const T rstd = inverse_std(acc, space.cols, eps);
  if (!active) return;
  for (int c = 0; c < chunks; ++c) {
    const int first = c * chunk + lane;
    load_vectors<T, V, K, false>(b, first, G, rv, x);
#pragma unroll
    for (int k = 0; k < K; ++k) {
      const int vi = first + k * G;
      const int valid = rv.template valid<V>(vi);
      if (valid == 0) continue;
      store_columns<V>(orow, ostride, vi, valid, normalized<Affine, V>(x[k], mean, rstd, wb, bb, vi, valid));
    }
  }
}

// ---- any axis: a thread per line ----------------------------------------------------

template <int R>
struct lines {
  index_t sizes[R];
  index_t out_strides[R];
  int others[R];  // the dims other than the axis, outermost first
  int other_count;
  int axis;
  index_t count;  // lines
};

template <bool Affine, class T, class Expr, class W, class B, int R, class Out>
__global__ void __launch_bounds__(256) layer_norm_lines_kernel(Out* dest, Expr expr, W weight, B bias, lines<R> l, T eps) {
  const index_t line = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (line >= l.count) return;
  index_t coord[R] = {};
  index_t offset = 0;
  index_t rest = line;
  for (int i = l.other_count - 1; i >= 0; --i) {
    const int d = l.others[i];
    coord[d] = rest % l.sizes[d];
    rest /= l.sizes[d];
    offset += coord[d] * l.out_strides[d];
  }
  Out* o = dest + offset;
  const index_t n = l.sizes[l.axis];
  const index_t ostride = l.out_strides[l.axis];
  moments<T> acc = moment_rules<T>::init();
  for (index_t i = 0; i < n; ++i) {
    coord[l.axis] = i;
    moment_rules<T>::add(acc, convert<T>(expr.template eval<1, false>(strided_pos<R>{coord}).v[0]), i);
  }
  const T mean = acc.mean;
  const T rstd = inverse_std(acc, n, eps);
  for (index_t i = 0; i < n; ++i) {
    coord[l.axis] = i;
    T y = (convert<T>(expr.template eval<1, false>(strided_pos<R>{coord}).v[0]) - mean) * rstd;
    if constexpr (Affine) {
      const T w = convert<T>(weight.template eval<1, false>(strided_pos<1>{&i}).v[0]);
      const T s = convert<T>(bias.template eval<1, false>(strided_pos<1>{&i}).v[0]);
      y = y * w + s;
    }
    o[i * ostride] = convert<Out>(y);
  }
}

template <bool Affine, int V, class T, class Tuning, class Expr, class W, class B, int R, class Out>
void launch_rows(Out* dest, const Expr& expr, const W& weight, const B& bias, const row_space<R>& space,
                 row_output<R> out, T eps) {
  constexpr int K = Tuning::template vectors<V, T>;
  constexpr int max_threads = Tuning::max_threads;
  out.group = std::min(group_for(vectors_of<V>(space.cols).count(), K), max_threads);
  const row_launch l = launch_for_rows(space.rows, out.group);
  layer_norm_rows_kernel<Affine, V, K, max_threads, T, Expr, W, B, R, Out>
      <<<static_cast<unsigned>(l.blocks), static_cast<unsigned>(l.block), 0, current_stream()>>>(
          dest, expr, weight, bias, space, out, eps);
  check(cudaGetLastError(), "layer_norm kernel launch", " (", space.rows, " rows of ", space.cols, ")");
}

// The device trees of weight and bias (1-D, the axis's size), or stand-ins.
template <class Node>
auto affine_trees(const Node& node, index_t size) {
  using T = compute_type_t<typename Node::value_type>;
  if constexpr (Node::affine) {
    const sizes_t<1> iter{size};
    return std::pair{make_device_expr<1>(node.weight(), iter), make_device_expr<1>(node.bias(), iter)};
  } else {
    return std::pair{no_affine<T>{T(1)}, no_affine<T>{T(0)}};
  }
}

template <int Axis, class Tuning = row_tuning<>, class Node, class Out, int R>
void run(const strided_view<Out, R>& dest, const Node& node) {
  using T = compute_type_t<Out>;
  constexpr bool affine = Node::affine;
  if (dest.numel() == 0) return;
  const index_t size = dest.sizes[static_cast<std::size_t>(Axis)];
  auto expr = make_device_expr<R>(node.arg(), dest.sizes);
  auto [weight, bias] = affine_trees(node, size);
  using Expr = decltype(expr);
  using W = decltype(weight);
  using B = decltype(bias);
  const T eps = static_cast<T>(node.eps);
  if constexpr (Axis == R - 1) {
    if (dest.sizes[static_cast<std::size_t>(R - 1)] <= longest_row) {
      row_output<R> out{};
      for (int d = 0; d < R; ++d) out.strides[d] = dest.strides[static_cast<std::size_t>(d)];
      stride_sets<R> sets;
      sets.add_tree(expr);
      sets.add(out.strides, dest.data, sizeof(Out));
      row_space<R> space{};
      plan_rows<R>(dest.sizes, sets, space);
      constexpr std::size_t smallest = std::min({Expr::smallest_element, W::smallest_element, B::smallest_element, sizeof(Out)});
      constexpr int V = static_cast<int>(16 / smallest);
      if constexpr (V > 1) {
        // Weight and bias: one row of their own.
        stride_sets<1> affine_sets;
        affine_sets.add_tree(weight);
        affine_sets.add_tree(bias);
        const row_space<1> affine_space{{size}, 0, 1, size};
        if (rows_vectorize(space, sets) && rows_vectorize(affine_space, affine_sets)) {
          launch_rows<affine, V, T, Tuning>(dest.data, expr, weight, bias, space, out, eps);
          return;
        }
      }
      launch_rows<affine, 1, T, Tuning>(dest.data, expr, weight, bias, space, out, eps);
      return;
    }
  }
  // Another axis (or rows too long for the row kernel): a thread per line.
  lines<R> l{};
  l.axis = Axis;
  l.count = 1;
  for (int d = 0; d < R; ++d) {
    l.sizes[d] = dest.sizes[static_cast<std::size_t>(d)];
    l.out_strides[d] = dest.strides[static_cast<std::size_t>(d)];
    if (d != Axis) {
      l.others[l.other_count++] = d;
      l.count *= l.sizes[d];
    }
  }
  constexpr int block = 256;
  layer_norm_lines_kernel<affine, T, Expr, W, B, R, Out>
      <<<static_cast<unsigned>((l.count + block - 1) / block), block, 0, current_stream()>>>(dest.data, expr, weight,
                                                                                            bias, l, eps);
  check(cudaGetLastError(), "layer_norm kernel launch", " (", l.count, " lines along dim ", Axis, ")");
}

}  // namespace layer_norm_impl

template <int Axis, class A, class... Affine>
struct root_kernel<layer_norm_node<Axis, A, Affine...>> {
  using node_type = layer_norm_node<Axis, A, Affine...>;
  static constexpr bool exists = true;
  template <class Out, int R>
  static void run(const strided_view<Out, R>& dest, const node_type& node) {
    if constexpr (exact_result_type<node_type, Out, R>) {
      if (node.sizes() == dest.sizes) {
        layer_norm_impl::run<Axis>(dest, node);
        return;
      }
    }
    run_via_temporary(dest, node);
  }
};

}  // namespace ctrace::cuda_backend
