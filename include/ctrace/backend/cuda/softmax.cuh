// The CUDA kernels of softmax_node (softmax, log_softmax). The operand's device
// tree is evaluated inside the kernel (softmax(x * 2) makes no x * 2).
//   - last axis (rows): a group of threads per row (a sub-warp for short
//     rows, up to 1024 threads), the row read once with 16-byte loads into
//     registers (row_tuning: 64 bytes per thread), then its max and the sum of
//     exp(x - max) (two group reductions through shuffles and shared memory,
//     exp taken once per element), then the result written from the
//     registers: one read and one write of memory. Rows longer than a group
//     holds (64 KiB) go in chunks: each thread's running (max, sum) pair over
//     the chunks (online softmax), the pairs merged, the chunks read again.
//   - any other axis (lines): a thread per line along the axis, consecutive
//     threads on consecutive positions of the other dims (coalesced when the
//     axis is not innermost): one online pass, then a writing pass.
// NaN and infinities give what the CPU backend gives: a NaN in a row makes
// the row NaN, +inf makes it NaN (inf - inf), a row of -inf is NaN.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/expr/ops/reduce_ops.hpp"
#include "ctrace/expr/softmax.hpp"

namespace ctrace::cuda_backend {

namespace softmax_impl {

// The largest value m (NaN if any) and the sum of exp(x - m) of some values.
template <class T>
struct max_sum {
  T m;
  T s;
};

template <class T>
CTRACE_DEVICE CTRACE_INLINE max_sum<T> empty() {
  return {op::detail::lowest_value<T>(), T(0)};
}

// Each sum rescaled to the larger max; a sum whose max is the result's keeps
// its value (-inf == -inf would give exp(NaN) otherwise).
template <class T>
struct merge_max_sum {
  CTRACE_DEVICE CTRACE_INLINE max_sum<T> operator()(const max_sum<T>& a, const max_sum<T>& b) const {
    T m = a.m;
    op::reduction<op::reduce_kind::max, T>::add(m, b.m, 0);
    using std::exp;
    const T sa = a.m == m ? a.s : a.s * exp(a.m - m);
    const T sb = b.m == m ? b.s : b.s * exp(b.m - m);
    return {m, sa + sb};
  }
};

// The pair of K vectors of one thread (n[k] columns valid in vector k).
template <class T, int V, int K>
CTRACE_DEVICE CTRACE_INLINE max_sum<T> chunk_max_sum(const vec<T, V> (&x)[K], const int (&n)[K]) {
  T m = op::detail::lowest_value<T>();
#pragma unroll
  for (int k = 0; k < K; ++k) {
#pragma unroll
    for (int e = 0; e < V; ++e) {
      if (e < n[k]) op::reduction<op::reduce_kind::max, T>::add(m, x[k].v[e], 0);
    }
  }
  // Values of -inf only (or none): nothing to add. (If the whole row is -inf,
  // the result is NaN all the same: exp(-inf - -inf).)
  T s = 0;
  if (m != op::detail::lowest_value<T>()) {
    using std::exp;
#pragma unroll
    for (int k = 0; k < K; ++k) {
#pragma unroll
      for (int e = 0; e < V; ++e) {
        if (e < n[k]) s += exp(x[k].v[e] - m);
      }
    }
  }
  return {m, s};
}

template <bool Log, class T>
CTRACE_DEVICE CTRACE_INLINE T result(T x, T m, T scale) {
  using std::exp;
  if constexpr (Log) return x - m - scale;
  else return exp(x - m) * scale;
}

template <class T>
struct larger {
  CTRACE_DEVICE CTRACE_INLINE T operator()(T a, T b) const {
    op::reduction<op::reduce_kind::max, T>::add(a, b, 0);
    return a;
  }
};
template <class T>
struct plus {
  CTRACE_DEVICE CTRACE_INLINE T operator()(T a, T b) const { return a + b; }
};

template <bool Log, int V, int K, int MaxThreads, class T, class Expr, int R, class Out>
__global__ void __launch_bounds__(MaxThreads) softmax_rows_kernel(Out* dest, Expr expr, row_space<R> space,
                                                                   row_output<R> out) {
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
  const row_vectors rv = vectors_of<V>(space.cols);
  const int chunk = G * K;
  const int chunks = (rv.count() + chunk - 1) / chunk;  // the same in the whole block
  __shared__ alignas(16) unsigned char scratch[32 * sizeof(max_sum<T>)];
  using std::exp;
  using std::log;
  vec<T, V> x[K];
  int n[K];

  if (chunks <= 1) {
    // The row in registers, read once: its max, then the sum of exp(x - max)
    // (two group reductions with plain merges), then the result.
#pragma unroll
    for (int k = 0; k < K; ++k) n[k] = active ? rv.template valid<V>(lane + k * G) : 0;
    if (active) load_vectors<T, V, K, true>(b, lane, G, rv, x);
    T m = op::detail::lowest_value<T>();
#pragma unroll
    for (int k = 0; k < K; ++k) {
#pragma unroll
      for (int e = 0; e < V; ++e) {
        if (e < n[k]) op::reduction<op::reduce_kind::max, T>::add(m, x[k].v[e], 0);
      }
    }
    m = group_reduce(m, G, larger<T>{}, reinterpret_cast<T*>(scratch));
    T sum = 0;
#pragma unroll
    for (int k = 0; k < K; ++k) {
#pragma unroll
      for (int e = 0; e < V; ++e) {
        if (e < n[k]) {
          const T ex = exp(x[k].v[e] - m);
          sum += ex;
          if constexpr (!Log) x[k].v[e] = ex;
        }
      }
    }
    sum = group_reduce(sum, G, plus<T>{}, reinterpret_cast<T*>(scratch));
    const T scale = Log ? log(sum) : T(1) / sum;
#pragma unroll
    for (int k = 0; k < K; ++k) {
      if (n[k] == 0) continue;
      vec<T, V> y;
#pragma unroll
      for (int e = 0; e < V; ++e) y.v[e] = Log ? x[k].v[e] - m - scale : x[k].v[e] * scale;
      store_columns<V>(orow, ostride, lane + k * G, n[k], y);
    }
    return;
  }

  // Longer rows, in chunks: each thread's running (max, sum) pair over the
  // chunks (online softmax), the pairs merged, then each chunk read again.
  max_sum<T> acc = empty<T>();
  for (int c = 0; c < chunks; ++c) {
    const int first = c * chunk + lane;
#pragma unroll
    for (int k = 0; k < K; ++k) n[k] = active ? rv.template valid<V>(first + k * G) : 0;
    if (active) load_vectors<T, V, K, false>(b, first, G, rv, x);
    acc = merge_max_sum<T>{}(acc, chunk_max_sum<T, V, K>(x, n));
  }
  acc = group_reduce(acc, G, merge_max_sum<T>{}, reinterpret_cast<max_sum<T>*>(scratch));
  const T scale = Log ? log(acc.s) : T(1) / acc.s;
  if (!active) return;
  for (int c = 0; c < chunks; ++c) {
    const int first = c * chunk + lane;
    load_vectors<T, V, K, false>(b, first, G, rv, x);
#pragma unroll
    for (int k = 0; k < K; ++k) {
      const int vi = first + k * G;
      const int valid = rv.template valid<V>(vi);
      if (valid == 0) continue;
      vec<T, V> y;
#pragma unroll
      for (int e = 0; e < V; ++e) y.v[e] = result<Log>(x[k].v[e], acc.m, scale);
      store_columns<V>(orow, ostride, vi, valid, y);
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

template <int R>
CTRACE_DEVICE CTRACE_INLINE index_t unravel_line(const lines<R>& l, index_t line, index_t* coord) {
  index_t offset = 0;
  for (int i = l.other_count - 1; i >= 0; --i) {
    const int d = l.others[i];
    coord[d] = line % l.sizes[d];
    line /= l.sizes[d];
    offset += coord[d] * l.out_strides[d];
  }
  return offset;
}

template <bool Log, class T, class Expr, int R, class Out>
__global__ void __launch_bounds__(256) softmax_lines_kernel(Out* dest, Expr expr, lines<R> l) {
  const index_t line = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (line >= l.count) return;
  index_t coord[R] = {};
  Out* o = dest + unravel_line(l, line, coord);
  const index_t n = l.sizes[l.axis];
  const index_t ostride = l.out_strides[l.axis];
  max_sum<T> acc = empty<T>();
  using std::exp;
  for (index_t i = 0; i < n; ++i) {
    coord[l.axis] = i;
    const T x = convert<T>(expr.template eval<1, false>(strided_pos<R>{coord}).v[0]);
    acc = merge_max_sum<T>{}(acc, {x, x == op::detail::lowest_value<T>() ? T(0) : exp(x - x)});
  }
  using std::log;
  const T scale = Log ? log(acc.s) : T(1) / acc.s;
  for (index_t i = 0; i < n; ++i) {
    coord[l.axis] = i;
    const T x = convert<T>(expr.template eval<1, false>(strided_pos<R>{coord}).v[0]);
    o[i * ostride] = convert<Out>(result<Log>(x, acc.m, scale));
  }
}

template <bool Log, int V, class T, class Tuning, class Expr, int R, class Out>
void launch_rows(Out* dest, const Expr& expr, const row_space<R>& space, row_output<R> out) {
  constexpr int K = Tuning::template vectors<V, T>;
  constexpr int max_threads = Tuning::max_threads;
  out.group = std::min(group_for(vectors_of<V>(space.cols).count(), K), max_threads);
  const row_launch l = launch_for_rows(space.rows, out.group);
  softmax_rows_kernel<Log, V, K, max_threads, T, Expr, R, Out>
      <<<static_cast<unsigned>(l.blocks), static_cast<unsigned>(l.block), 0, current_stream()>>>(dest, expr, space, out);
  check(cudaGetLastError(), Log ? "log_softmax kernel launch" : "softmax kernel launch", " (", space.rows, " rows of ",
        space.cols, ")");
}

template <bool Log, int Axis, class Tuning = row_tuning<>, class A, class Out, int R>
void run(const strided_view<Out, R>& dest, const A& arg) {
  using T = compute_type_t<Out>;
  if (dest.numel() == 0) return;
  auto expr = make_device_expr<R>(arg, dest.sizes);
  using Expr = decltype(expr);
  if constexpr (Axis == R - 1) {
    if (dest.sizes[static_cast<std::size_t>(R - 1)] <= longest_row) {
      row_output<R> out{};
      for (int d = 0; d < R; ++d) out.strides[d] = dest.strides[static_cast<std::size_t>(d)];
      stride_sets<R> sets;
      sets.add_tree(expr);
      sets.add(out.strides, dest.data, sizeof(Out));
      row_space<R> space{};
      plan_rows<R>(dest.sizes, sets, space);
      constexpr std::size_t smallest = Expr::smallest_element < sizeof(Out) ? Expr::smallest_element : sizeof(Out);
      constexpr int V = static_cast<int>(16 / smallest);
      if constexpr (V > 1) {
        if (rows_vectorize(space, sets)) {
          launch_rows<Log, V, T, Tuning>(dest.data, expr, space, out);
          return;
        }
      }
      launch_rows<Log, 1, T, Tuning>(dest.data, expr, space, out);
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
  softmax_lines_kernel<Log, T, Expr, R, Out>
      <<<static_cast<unsigned>((l.count + block - 1) / block), block, 0, current_stream()>>>(dest.data, expr, l);
  check(cudaGetLastError(), Log ? "log_softmax kernel launch" : "softmax kernel launch", " (", l.count,
        " lines along dim ", Axis, ")");
}

}  // namespace softmax_impl

template <class Op, class A, int Axis>
struct root_kernel<softmax_node<Op, A, Axis>> {
  using node_type = softmax_node<Op, A, Axis>;
  static constexpr bool exists = true;
  template <class Out, int R>
  static void run(const strided_view<Out, R>& dest, const node_type& node) {
    if constexpr (exact_result_type<node_type, Out, R>) {
      if (node.sizes() == dest.sizes) {
        softmax_impl::run<node_type::is_log, Axis>(dest, node.arg());
        return;
      }
    }
    run_via_temporary(dest, node);
  }
};

}  // namespace ctrace::cuda_backend
