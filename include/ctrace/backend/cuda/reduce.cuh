// The CUDA kernels of reduce_node (sum, mean, prod, amax, amin, argmax, argmin,
// var, std) over any set of axes, keepdim or not. The operand's device tree
// is evaluated inside the reducing kernel, so an elementwise producer costs no
// temporary (sum(x * y) makes no x * y).
//
// Plan (host): the operand's dims are merged where the reduced/kept pattern
// and every tensor (the destination too) allow it, size-1 dims dropped. Then
//   - rows: the reduced elements of each output are one run along the last
//     merged dim (a reduction over the last axis, or over trailing axes of a
//     contiguous tensor, or over everything): a group of threads per row
//     (a sub-warp for short rows, up to a block of 1024 threads for long
//     ones), 16-byte vector loads when every tensor allows it, V lane states
//     per thread, four vectors in flight; the group's states combine through
//     shuffles and shared memory;
//   - general: any other pattern: each output's reduced elements are counted
//     in row-major order and unravelled per element; threads of a block split
//     (outputs x reduced elements), with consecutive threads along the
//     innermost dim (reduced or kept), so reads stay coalesced; the block
//     combines its states in shared memory.
// When there are few outputs for the machine (a full reduction), each
// output's elements are also split over several blocks, whose states a second
// kernel combines in a fixed order: results do not depend on timing.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "ctrace/backend/cuda/allocator.hpp"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/expr/ops/reduce_ops.hpp"
#include "ctrace/expr/reduce.hpp"

namespace ctrace::cuda_backend {

namespace reduce_impl {

template <class Op, class In>
struct types {
  using T = op::reduce_compute_t<Op::kind, In>;
  using rules = op::reduction<Op::kind, T>;
  using state = typename rules::state;
};

template <class Rules>
struct merge_with {
  template <class S>
  CTRACE_DEVICE CTRACE_INLINE S operator()(const S& a, const S& b) const {
    return Rules::merge(a, b);
  }
};

// Where output o goes: o unravelled over `dims` output dims (innermost last),
// each with its destination stride.
template <int R>
struct output_map {
  int dims;
  index_t sizes[R];
  index_t strides[R];
  CTRACE_DEVICE index_t offset(index_t o) const {
    index_t off = 0;
    for (int i = dims - 1; i >= 0; --i) {
      off += (o % sizes[i]) * strides[i];
      o /= sizes[i];
    }
    return off;
  }
};

// ---- rows ------------------------------------------------------------------------

template <int R>
struct row_args {
  index_t out_strides[R];  // destination stride of each outer dim
  int group;               // threads per row (a power of two)
  int pieces;              // blocks per row (blockIdx.y)
  index_t piece_len;       // columns per piece, a multiple of V
  index_t count;           // elements reduced into each output
};

template <class Op, class In, int V, class Expr, int R, class Out>
__global__ void __launch_bounds__(1024) reduce_rows_kernel(Out* dest, typename types<Op, In>::state* partial, Expr expr, row_space<R> space,
                                   row_args<R> a, Op op) {
  using T = typename types<Op, In>::T;
  using rules = typename types<Op, In>::rules;
  using state = typename types<Op, In>::state;
  // Vectors loaded before any is added: four, two when the V lane states are
  // large (arg and moments states), so that 64 registers hold them.
  constexpr int U = sizeof(state) * V > 32 ? 2 : 4;
  const int G = a.group;
  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid & (G - 1);
  const index_t row = static_cast<index_t>(blockIdx.x) * (static_cast<int>(blockDim.x) / G) + tid / G;
  const int piece = static_cast<int>(blockIdx.y);
  const bool active = row < space.rows;
  state acc = rules::init();
  index_t coord[R] = {};
  if (active) {
    unravel_row(space, row, coord);
    const auto b = bind_row(expr, coord);
    const index_t j0 = piece * a.piece_len;
    const index_t j1 = j0 + a.piece_len < space.cols ? j0 + a.piece_len : space.cols;
    if constexpr (V > 1) {
      state lanes[V];
#pragma unroll
      for (int e = 0; e < V; ++e) lanes[e] = rules::init();
      const index_t v1 = j1 / V;  // vectors wholly inside the piece
      index_t vi = j0 / V + lane;
      for (; vi + (U - 1) * G < v1; vi += U * G) {
        vec<T, V> x[U];
#pragma unroll
        for (int u = 0; u < U; ++u) x[u] = eval_columns<T, V, false>(b, (vi + u * G) * V);
#pragma unroll
        for (int u = 0; u < U; ++u) {
#pragma unroll
          for (int e = 0; e < V; ++e) rules::add(lanes[e], x[u].v[e], (vi + u * G) * V + e);
        }
      }
      for (; vi < v1; vi += G) {
        const vec<T, V> x = eval_columns<T, V, false>(b, vi * V);
#pragma unroll
        for (int e = 0; e < V; ++e) rules::add(lanes[e], x.v[e], vi * V + e);
      }
#pragma unroll
      for (int e = 0; e < V; ++e) acc = rules::merge(acc, lanes[e]);
      for (index_t j = v1 * V + lane; j < j1; j += G) rules::add(acc, eval_columns<T, 1, false>(b, j).v[0], j);
    } else {
      index_t j = j0 + lane;
      for (; j + (U - 1) * G < j1; j += U * G) {
        T x[U];
#pragma unroll
        for (int u = 0; u < U; ++u) x[u] = eval_columns<T, 1, false>(b, j + u * G).v[0];
#pragma unroll
        for (int u = 0; u < U; ++u) rules::add(acc, x[u], j + u * G);
      }
      for (; j < j1; j += G) rules::add(acc, eval_columns<T, 1, false>(b, j).v[0], j);
    }
  }
  __shared__ alignas(16) unsigned char scratch[32 * sizeof(state)];
  acc = group_reduce(acc, G, merge_with<rules>{}, reinterpret_cast<state*>(scratch));
  if (active && lane == 0) {
    if (a.pieces == 1) dest[offset_of<R>(coord, a.out_strides)] = op.template finish<Out>(acc, a.count);
    else partial[row * a.pieces + piece] = acc;
  }
}

// ---- general ---------------------------------------------------------------------

template <int R>
struct general_args {
  index_t sizes[R];
  index_t out_strides[R];  // destination stride of each dim (0: reduced)
  int kept[R];             // kept dims, outermost first
  int reduced[R];          // reduced dims, outermost first
  int kept_count;
  int reduced_count;
  index_t outputs;  // product of kept sizes
  index_t count;    // product of reduced sizes
  int x;            // outputs per block
  int y;            // threads per output (a power of two)
  bool reduced_fastest;  // consecutive threads take consecutive reduced elements
  int pieces;
  index_t piece_len;
};

template <class Op, class In, class Expr, int R, class Out>
__global__ void __launch_bounds__(256) reduce_general_kernel(Out* dest, typename types<Op, In>::state* partial, Expr expr,
                                      general_args<R> a, Op op) {
  using T = typename types<Op, In>::T;
  using rules = typename types<Op, In>::rules;
  using state = typename types<Op, In>::state;
  const int tid = static_cast<int>(threadIdx.x);
  const int tx = a.reduced_fastest ? tid / a.y : tid % a.x;
  const int ty = a.reduced_fastest ? tid % a.y : tid / a.x;
  const index_t o = static_cast<index_t>(blockIdx.x) * a.x + tx;
  const int piece = static_cast<int>(blockIdx.y);
  const bool active = o < a.outputs;
  state s = rules::init();
  index_t out_offset = 0;
  if (active) {
    index_t coord[R] = {};
    index_t rest = o;
    for (int i = a.kept_count - 1; i >= 0; --i) {
      const int d = a.kept[i];
      coord[d] = rest % a.sizes[d];
      rest /= a.sizes[d];
      out_offset += coord[d] * a.out_strides[d];
    }
    const index_t k0 = piece * a.piece_len;
    const index_t k1 = k0 + a.piece_len < a.count ? k0 + a.piece_len : a.count;
    for (index_t k = k0 + ty; k < k1; k += a.y) {
      rest = k;
      for (int i = a.reduced_count - 1; i >= 0; --i) {
        const int d = a.reduced[i];
        coord[d] = rest % a.sizes[d];
        rest /= a.sizes[d];
      }
      rules::add(s, convert<T>(expr.template eval<1, false>(strided_pos<R>{coord}).v[0]), k);
    }
  }
  extern __shared__ __align__(16) unsigned char shared_states[];
  state* sm = reinterpret_cast<state*>(shared_states);
  auto at = [&](int x, int y) { return a.reduced_fastest ? x * a.y + y : y * a.x + x; };
  sm[tid] = s;
  __syncthreads();
  for (int h = a.y / 2; h > 0; h /= 2) {
    if (ty < h) sm[tid] = rules::merge(sm[tid], sm[at(tx, ty + h)]);
    __syncthreads();
  }
  if (active && ty == 0) {
    if (a.pieces == 1) dest[out_offset] = op.template finish<Out>(sm[tid], a.count);
    else partial[o * a.pieces + piece] = sm[tid];
  }
}

// ---- pieces of one output combined -------------------------------------------------

template <class Op, class In, int R, class Out>
__global__ void reduce_finish_kernel(Out* dest, const typename types<Op, In>::state* partial, index_t outputs,
                                     int pieces, output_map<R> map, Op op, index_t count) {
  using rules = typename types<Op, In>::rules;
  const index_t o = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (o >= outputs) return;
  auto s = partial[o * pieces];
  for (int p = 1; p < pieces; ++p) s = rules::merge(s, partial[o * pieces + p]);
  dest[map.offset(o)] = op.template finish<Out>(s, count);
}

// ---- host ------------------------------------------------------------------------

// Merges adjacent dims that are both reduced or both kept where every set is
// contiguous across them, drops size-1 dims; the result is right-aligned, dims
// before the returned index of size 1, kept, stride 0.
template <int R>
int merge_reduce_dims(index_t* sizes, bool* reduced, stride_sets<R>& sets) {
  index_t msizes[R];
  bool mreduced[R];
  index_t merged[64][R];
  int k = 0;  // merged dims so far, innermost first
  for (int d = R - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    bool joins = k > 0 && mreduced[k - 1] == reduced[d];
    for (int s = 0; joins && s < sets.count; ++s) joins = sets.sets[s][d] == merged[s][k - 1] * msizes[k - 1];
    if (joins) {
      msizes[k - 1] *= sizes[d];
    } else {
      msizes[k] = sizes[d];
      mreduced[k] = reduced[d];
      for (int s = 0; s < sets.count; ++s) merged[s][k] = sets.sets[s][d];
      ++k;
    }
  }
  for (int d = 0; d < R; ++d) {
    const int j = R - 1 - d;
    sizes[d] = j < k ? msizes[j] : 1;
    reduced[d] = j < k ? mreduced[j] : false;
    for (int s = 0; s < sets.count; ++s) sets.sets[s][d] = j < k ? merged[s][j] : 0;
  }
  return R - k;
}

// Blocks that keep the machine busy: a few waves of every multiprocessor.
inline index_t busy_blocks() { return 2 * static_cast<index_t>(multiprocessor_count(current_device())); }

template <class Op, class In, class Out, int R>
void finish_pieces(Out* dest, const void* partial, index_t outputs, int pieces, const output_map<R>& map, const Op& op,
                   index_t count) {
  using state = typename types<Op, In>::state;
  const unsigned grid = static_cast<unsigned>((outputs + 255) / 256);
  reduce_finish_kernel<Op, In, R, Out><<<grid, 256, 0, current_stream()>>>(
      dest, static_cast<const state*>(partial), outputs, pieces, map, op, count);
  check(cudaGetLastError(), "reduce kernel launch", " (combining ", pieces, " pieces of ", outputs, " outputs)");
}

template <class Op, class In, int V, class Expr, int R, class Out>
void launch_rows(Out* dest, const Expr& expr, const row_space<R>& space, row_args<R> a, const Op& op) {
  using state = typename types<Op, In>::state;
  const index_t vectors = (space.cols + V - 1) / V;
  a.group = group_for(vectors, V > 1 ? 8 : 16);
  const row_launch l = launch_for_rows(space.rows, a.group);
  // Few rows for the machine: each row's columns split over blocks too.
  a.pieces = 1;
  a.piece_len = space.cols;
  const index_t per_block = static_cast<index_t>(a.group) * V * 8;  // columns worth a block
  if (l.blocks < busy_blocks() && space.cols >= 2 * per_block) {
    const index_t wanted = std::min<index_t>({(busy_blocks() + l.blocks - 1) / l.blocks, space.cols / per_block, 1024});
    a.piece_len = ((space.cols + wanted - 1) / wanted + V - 1) / V * V;
    a.pieces = static_cast<int>((space.cols + a.piece_len - 1) / a.piece_len);
  }
  std::shared_ptr<void> partial;
  if (a.pieces > 1) partial = allocator<cuda>::allocate(static_cast<std::size_t>(space.rows * a.pieces) * sizeof(state));
  const dim3 grid(static_cast<unsigned>(l.blocks), static_cast<unsigned>(a.pieces));
  reduce_rows_kernel<Op, In, V, Expr, R, Out><<<grid, static_cast<unsigned>(l.block), 0, current_stream()>>>(
      dest, static_cast<state*>(partial.get()), expr, space, a, op);
  check(cudaGetLastError(), "reduce kernel launch", " (", space.rows, " rows of ", space.cols, ")");
  if (a.pieces > 1) {
    output_map<R> map{};
    if constexpr (R > 1) {  // rank 1 has no outer dims (and g++ -O3 warns of d = -1 without this)
      for (int d = space.first; d + 1 < R; ++d) {
        map.sizes[map.dims] = space.sizes[d];
        map.strides[map.dims] = a.out_strides[d];
        ++map.dims;
      }
    }
    finish_pieces<Op, In>(dest, partial.get(), space.rows, a.pieces, map, op, a.count);
  }
}

template <class Op, class In, class Expr, int R, class Out>
void launch_general(Out* dest, const Expr& expr, general_args<R> a, const Op& op) {
  using state = typename types<Op, In>::state;
  constexpr int block = 256;
  if (a.reduced_fastest) {
    a.y = static_cast<int>(std::min<index_t>(block, pow2_at_least(a.count)));
    a.x = static_cast<int>(std::min<index_t>(block / a.y, pow2_at_least(a.outputs)));
  } else {
    a.x = static_cast<int>(std::min<index_t>(32, pow2_at_least(a.outputs)));
    a.y = static_cast<int>(std::min<index_t>(block / a.x, pow2_at_least(a.count)));
  }
  const index_t blocks = (a.outputs + a.x - 1) / a.x;
  a.pieces = 1;
  a.piece_len = a.count;
  const index_t per_block = static_cast<index_t>(a.y) * 32;
  if (blocks < busy_blocks() && a.count >= 2 * per_block) {
    const index_t wanted = std::min<index_t>({(busy_blocks() + blocks - 1) / blocks, a.count / per_block, 1024});
    a.piece_len = (a.count + wanted - 1) / wanted;
    a.pieces = static_cast<int>((a.count + a.piece_len - 1) / a.piece_len);
  }
  std::shared_ptr<void> partial;
  if (a.pieces > 1) partial = allocator<cuda>::allocate(static_cast<std::size_t>(a.outputs * a.pieces) * sizeof(state));
  const int threads = a.x * a.y;
  const dim3 grid(static_cast<unsigned>(blocks), static_cast<unsigned>(a.pieces));
  reduce_general_kernel<Op, In, Expr, R, Out>
      <<<grid, static_cast<unsigned>(threads), static_cast<std::size_t>(threads) * sizeof(state), current_stream()>>>(
          dest, static_cast<state*>(partial.get()), expr, a, op);
  check(cudaGetLastError(), "reduce kernel launch", " (", a.outputs, " outputs of ", a.count, " elements, general)");
  if (a.pieces > 1) {
    output_map<R> map{};
    for (int i = 0; i < a.kept_count; ++i) {
      map.sizes[i] = a.sizes[a.kept[i]];
      map.strides[i] = a.out_strides[a.kept[i]];
    }
    map.dims = a.kept_count;
    finish_pieces<Op, In>(dest, partial.get(), a.outputs, a.pieces, map, op, a.count);
  }
}

// dest (node's sizes) gets Op over the axes in `mask` of arg.
template <class Op, class A, bool KeepDim, class Out, int DR>
void run(const strided_view<Out, DR>& dest, const A& arg, const Op& op, std::uint32_t mask) {
  using In = typename A::value_type;
  using rules = typename types<Op, In>::rules;
  constexpr int AR = A::shape_type::rank;
  constexpr int R = AR == 0 ? 1 : AR;
  const index_t outputs = dest.numel();
  if (outputs == 0) return;
  sizes_t<R> sizes{};
  if constexpr (AR == 0) sizes[0] = 1;
  else sizes = arg.sizes();
  bool reduced[R];
  index_t count = 1;
  for (int d = 0; d < R; ++d) {
    reduced[d] = AR == 0 || ((mask >> d) & 1u) != 0;
    if (reduced[d]) count *= sizes[d];
  }
  if (count == 0) {  // nothing to reduce: every output is the empty state's value
    run_elementwise(dest, scalar_leaf<Out>{{}, op.template finish<Out>(rules::init(), 0)});
    return;
  }
  // The destination's stride for each dim of the operand (0: reduced).
  index_t out_strides[R];
  [[maybe_unused]] std::size_t k = 0;  // the destination's dim
  for (int d = 0; d < R; ++d) {
    out_strides[d] = 0;
    if (reduced[d]) {
      if (KeepDim && AR > 0) ++k;
    } else {
      if constexpr (DR > 0) out_strides[d] = dest.strides[k];
      ++k;
    }
  }
  auto expr = make_device_expr<R>(arg, sizes);
  using Expr = decltype(expr);
  stride_sets<R> sets;
  sets.add_tree(expr);
  sets.add(out_strides, dest.data, sizeof(Out));
  index_t msizes[R];
  for (int d = 0; d < R; ++d) msizes[d] = sizes[d];
  int first = sets.all_listed ? merge_reduce_dims<R>(msizes, reduced, sets) : 0;
  int reduced_dims = 0;
  for (int d = first; d < R; ++d) reduced_dims += reduced[d] ? 1 : 0;
  if (reduced_dims == 0 && first > 0) {
    // Only size-1 dims were reduced: a row of one element after the kept dims.
    for (int d = first - 1; d + 1 < R; ++d) {
      msizes[d] = msizes[d + 1];
      reduced[d] = reduced[d + 1];
      for (int s = 0; s < sets.count; ++s) sets.sets[s][d] = sets.sets[s][d + 1];
    }
    msizes[R - 1] = 1;
    reduced[R - 1] = true;
    for (int s = 0; s < sets.count; ++s) sets.sets[s][R - 1] = 0;
    --first;
    reduced_dims = 1;
  }

  if (reduced_dims == 1 && reduced[R - 1]) {
    row_space<R> space{};
    space.first = first;
    space.rows = 1;
    for (int d = 0; d < R; ++d) space.sizes[d] = msizes[d];
    if constexpr (R > 1) {  // rank 1 is one row (g++ -O3 warns of d = -1 without this)
      for (int d = first; d + 1 < R; ++d) space.rows *= msizes[d];
    }
    space.cols = msizes[R - 1];
    row_args<R> a{};
    for (int d = 0; d < R; ++d) a.out_strides[d] = out_strides[d];
    a.count = count;
    constexpr std::size_t smallest = Expr::smallest_element;
    constexpr int V = static_cast<int>(16 / smallest);
    if constexpr (V > 1) {
      if (rows_vectorize(space, sets)) {
        launch_rows<Op, In, V>(dest.data, expr, space, a, op);
        return;
      }
    }
    launch_rows<Op, In, 1>(dest.data, expr, space, a, op);
    return;
  }

  general_args<R> a{};
  for (int d = 0; d < R; ++d) {
    a.sizes[d] = msizes[d];
    a.out_strides[d] = out_strides[d];
  }
  a.outputs = 1;
  for (int d = first; d < R; ++d) {
    if (reduced[d]) a.reduced[a.reduced_count++] = d;
    else {
      a.kept[a.kept_count++] = d;
      a.outputs *= msizes[d];
    }
  }
  a.count = count;
  a.reduced_fastest = reduced[R - 1];
  launch_general<Op, In>(dest.data, expr, a, op);
}

}  // namespace reduce_impl

template <class Op, class A, int... Axes, bool KeepDim>
struct root_kernel<reduce_node<Op, A, axes<Axes...>, KeepDim>> {
  using node_type = reduce_node<Op, A, axes<Axes...>, KeepDim>;
  static constexpr bool exists = true;
  template <class Out, int R>
  static void run(const strided_view<Out, R>& dest, const node_type& node) {
    if constexpr (exact_result_type<node_type, Out, R>) {
      if (node.sizes() == dest.sizes) {
        constexpr std::uint32_t mask = (0u | ... | (1u << Axes));
        reduce_impl::run<Op, A, KeepDim>(dest, node.arg(), node.op, mask);
        return;
      }
    }
    run_via_temporary(dest, node);
  }
};

}  // namespace ctrace::cuda_backend
