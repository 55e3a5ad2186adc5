// What the CUDA reduction, softmax and layer_norm kernels share: an operand's
// device tree (device_expr.cuh) bound to one row, so that a fused producer is
// evaluated inside the reducing kernel with 16-byte loads along the row; the
// host plan of rows (outer dims merged, vector width checked); the combination
// of per-thread states across a group of threads (shuffles, then shared memory);
// and the launch of a root kernel into a destination of other sizes or type.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/tensor/view.hpp"

namespace ctrace::cuda_backend {

// ---- a device tree bound to one row ----------------------------------------------

// A column of the bound row.
struct column_pos {
  index_t j;
};

// A tensor read along one row: element j is data[j * stride]. Vectors need
// stride 0 (broadcast along the row) or 1 with 16-byte aligned rows (the host
// plan checks it).
template <class T>
struct row_leaf {
  using value_type = T;
  static constexpr std::size_t smallest_element = sizeof(T);
  const T* data;
  index_t stride;
  template <int V, bool Streaming>
  CTRACE_DEVICE CTRACE_INLINE vec<T, V> eval(column_pos p) const {
    if constexpr (V == 1) {
      return {{data[p.j * stride]}};
    } else {
      if (stride == 0) return splat<V>(data[0]);
      return load_vector<V, Streaming>(data + p.j);
    }
  }
};

// bind_row(tree, coord): the same tree with each tensor moved to the row at
// `coord` (the R - 1 outer coordinates of its R-dim iteration space). The
// interior nodes are device_expr.cuh's, over bound children.
template <class T, int R>
CTRACE_DEVICE CTRACE_INLINE row_leaf<T> bind_row(const tensor_ref<T, R>& t, const index_t* coord) {
  index_t offset = 0;
#pragma unroll
  for (int d = 0; d + 1 < R; ++d) offset += coord[d] * t.strides[d];
  return {t.data + offset, t.strides[R - 1]};
}
template <class T>
CTRACE_DEVICE CTRACE_INLINE scalar_ref<T> bind_row(const scalar_ref<T>& s, const index_t*) {
  return s;
}
template <class Op, class Out, class A>
CTRACE_DEVICE CTRACE_INLINE auto bind_row(const unary_ref<Op, Out, A>& n, const index_t* coord) {
  using BA = decltype(bind_row(n.a, coord));
  return unary_ref<Op, Out, BA>{bind_row(n.a, coord), n.op};
}
template <class Op, class Out, class A, class B>
CTRACE_DEVICE CTRACE_INLINE auto bind_row(const binary_ref<Op, Out, A, B>& n, const index_t* coord) {
  using BA = decltype(bind_row(n.a, coord));
  using BB = decltype(bind_row(n.b, coord));
  return binary_ref<Op, Out, BA, BB>{bind_row(n.a, coord), bind_row(n.b, coord), n.op};
}
template <class To, class A>
CTRACE_DEVICE CTRACE_INLINE auto bind_row(const cast_ref<To, A>& n, const index_t* coord) {
  using BA = decltype(bind_row(n.a, coord));
  return cast_ref<To, BA>{bind_row(n.a, coord)};
}
template <class C, class A, class B>
CTRACE_DEVICE CTRACE_INLINE auto bind_row(const where_ref<C, A, B>& n, const index_t* coord) {
  using BC = decltype(bind_row(n.c, coord));
  using BA = decltype(bind_row(n.a, coord));
  using BB = decltype(bind_row(n.b, coord));
  return where_ref<BC, BA, BB>{bind_row(n.c, coord), bind_row(n.a, coord), bind_row(n.b, coord)};
}

// V values of a bound tree at columns [j, j + V) (V == 1: one column), in the
// compute type T.
template <class T, int V, bool Streaming, class Bound>
CTRACE_DEVICE CTRACE_INLINE vec<T, V> eval_columns(const Bound& b, index_t j) {
  const auto x = b.template eval<V, Streaming>(column_pos{j});
  vec<T, V> r;
#pragma unroll
  for (int e = 0; e < V; ++e) r.v[e] = convert<T>(x.v[e]);
  return r;
}
// The first n (< V) of them, one column at a time (the end of a row).
template <class T, int V, class Bound>
CTRACE_DEVICE CTRACE_INLINE vec<T, V> eval_partial(const Bound& b, index_t j, int n) {
  vec<T, V> r;
#pragma unroll
  for (int e = 0; e < V; ++e) r.v[e] = e < n ? convert<T>(b.template eval<1, false>(column_pos{j + e}).v[0]) : T(0);
  return r;
}

// Rows held in registers: a group of G threads takes a row in chunks of G * K
// vectors; thread `lane` holds vectors lane, lane + G, ... of each chunk
// (neighbouring threads read neighbouring 16-byte pieces). A row has `full`
// whole vectors, then `tail` (< V) columns. Column indices are 32-bit (fewer
// registers; the host sends longer rows elsewhere).
struct row_vectors {
  int full;
  int tail;
  CTRACE_HOST_DEVICE int count() const { return full + (tail > 0 ? 1 : 0); }
  // Columns of vector vi inside the row (V, tail or 0).
  template <int V>
  CTRACE_DEVICE CTRACE_INLINE int valid(int vi) const {
    return vi < full ? V : vi == full ? tail : 0;
  }
};

template <int V>
CTRACE_HOST_DEVICE inline row_vectors vectors_of(index_t cols) {
  return {static_cast<int>(cols / V), static_cast<int>(cols % V)};
}

// Rows short enough for 32-bit column indices in the row kernels.
inline constexpr index_t longest_row = index_t{1} << 30;

// Vectors first, first + G, ..., first + (K - 1) G of a bound row into
// `cache` (compute type T); those past the row are left as they are.
// Streaming: evict-first loads, for rows read once (they leave the caches to
// what is read again, such as layer_norm's weight and bias).
template <class T, int V, int K, bool Streaming, class Bound>
CTRACE_DEVICE CTRACE_INLINE void load_vectors(const Bound& b, int first, int G, const row_vectors& rv,
                                              vec<T, V> (&cache)[K]) {
#pragma unroll
  for (int k = 0; k < K; ++k) {
    const int vi = first + k * G;
    if (vi < rv.full) cache[k] = eval_columns<T, V, Streaming>(b, static_cast<index_t>(vi) * V);
    else if (vi == rv.full && rv.tail > 0) cache[k] = eval_partial<T, V>(b, static_cast<index_t>(vi) * V, rv.tail);
  }
}

// Writes vector vi of a destination row (its first n columns; stride 1 when
// V > 1), converted to Out.
template <int V, class Out, class T>
CTRACE_DEVICE CTRACE_INLINE void store_columns(Out* row, index_t stride, int vi, int n, const vec<T, V>& x) {
  if constexpr (V > 1) {
    if (n == V) {
      vec<Out, V> r;
#pragma unroll
      for (int e = 0; e < V; ++e) r.v[e] = convert<Out>(x.v[e]);
      store_vector<V, false>(row + static_cast<index_t>(vi) * V, r);
      return;
    }
  }
#pragma unroll
  for (int e = 0; e < V; ++e) {
    if (e < n) row[(static_cast<index_t>(vi) * V + e) * stride] = convert<Out>(x.v[e]);
  }
}

// Compile-time tuning of the softmax and layer_norm row kernels: the bytes of
// its row each thread keeps in registers. A group holds a row of up to 64 KiB
// (max_threads threads of CachedBytes each); longer rows go in chunks and are
// read twice. 64 bytes (4 vectors of 4 floats) fit 64 registers, so 1024-thread
// blocks run. bench/cuda/gpu_bench sweeps it.
template <int CachedBytes = 64>
struct row_tuning {
  static constexpr int cached_bytes = CachedBytes;
  static constexpr int max_threads = 65536 / CachedBytes < 1024 ? 65536 / CachedBytes : 1024;
  // Vectors of V values of the compute type T per thread.
  template <int V, class T>
  static constexpr int vectors = static_cast<int>(CachedBytes / sizeof(T)) / V > 0
                                     ? static_cast<int>(CachedBytes / sizeof(T)) / V
                                     : 1;
};

// The destination of row kernels: strides of the outer dims (merged with the
// operand's) and along the row, and the threads per row.
template <int R>
struct row_output {
  index_t strides[R];
  int group;
};

// ---- the host plan of rows ------------------------------------------------------

// Rows of an R-dim iteration space along its last dim: dims [first, R - 1) are
// the outer dims (merged where every tensor allows it), `rows` their product.
template <int R>
struct row_space {
  index_t sizes[R];  // outer sizes in [first, R - 1); sizes[R - 1] = cols
  int first;
  index_t rows;
  index_t cols;
};

// The outer coordinates of `row` (dims before `first` are 0).
template <int R>
CTRACE_DEVICE CTRACE_INLINE void unravel_row(const row_space<R>& s, index_t row, index_t* coord) {
#pragma unroll
  for (int d = R - 2; d >= 0; --d) {
    if (d >= s.first) {
      coord[d] = row % s.sizes[d];
      row /= s.sizes[d];
    } else {
      coord[d] = 0;
    }
  }
}

template <int R>
CTRACE_DEVICE CTRACE_INLINE index_t offset_of(const index_t* coord, const index_t* strides) {
  index_t offset = 0;
#pragma unroll
  for (int d = 0; d + 1 < R; ++d) offset += coord[d] * strides[d];
  return offset;
}

// Stride sets (each an array of R strides) that the plan merges together: the
// tensors of device trees and a destination, each with its data pointer and
// element size (for the alignment check).
template <int R>
struct stride_sets {
  index_t* sets[64];
  const void* datas[64];
  std::size_t elements[64];
  int count = 0;
  bool all_listed = true;
  void add(index_t* strides, const void* data, std::size_t element) {
    if (count < 64) {
      sets[count] = strides;
      datas[count] = data;
      elements[count] = element;
      ++count;
    } else {
      all_listed = false;
    }
  }
  template <class Expr>
  void add_tree(Expr& expr) {
    auto list = [this](const void* data, index_t* strides, std::size_t element) { add(strides, data, element); };
    expr.for_each_tensor(list);
  }
};

// Merges the outer dims of `sizes` (the last dim stays alone) in every set;
// fills `space`.
template <int R>
void plan_rows(const sizes_t<R>& sizes, stride_sets<R>& sets, row_space<R>& space) {
  index_t outer[R > 1 ? R : 1] = {};
  for (int d = 0; d + 1 < R; ++d) outer[d] = sizes[d];
  space.first = R - 1;
  if constexpr (R > 1) {
    // merge_dims over the first R - 1 entries of each set (the last stays).
    space.first = sets.all_listed ? merge_dims<R - 1>(outer, sets.sets, sets.count) : 0;
  }
  space.rows = 1;
  for (int d = 0; d + 1 < R; ++d) {
    space.sizes[d] = outer[d];
    space.rows *= outer[d];
  }
  space.cols = sizes[R - 1];
  space.sizes[R - 1] = sizes[R - 1];
}

// True when every tensor of the sets reads rows with 16-byte vectors: along the
// row stride 1 with every row 16-byte aligned, or stride 0.
template <int R>
bool rows_vectorize(const row_space<R>& space, const stride_sets<R>& sets) {
  if (!sets.all_listed) return false;
  for (int s = 0; s < sets.count; ++s) {
    const index_t* st = sets.sets[s];
    const index_t along = st[R - 1];
    if (along == 0 || space.cols == 1) continue;
    if (along != 1 || reinterpret_cast<std::uintptr_t>(sets.datas[s]) % 16 != 0) return false;
    if constexpr (R > 1) {
      for (int d = space.first < 0 ? 0 : space.first; d + 1 < R; ++d) {
        if (space.sizes[d] != 1 && (st[d] * static_cast<index_t>(sets.elements[s])) % 16 != 0) return false;
      }
    }
  }
  return true;
}

// Smallest power of two >= n (n >= 1).
inline index_t pow2_at_least(index_t n) {
  index_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

// ---- states across threads ------------------------------------------------------

// Any trivially copyable state, exchanged with the lane `offset` away (xor).
template <class S>
CTRACE_DEVICE CTRACE_INLINE S shuffle_xor(const S& s, int offset) {
  constexpr int words = static_cast<int>((sizeof(S) + 3) / 4);
  unsigned w[words] = {};
  std::memcpy(w, &s, sizeof(S));
#pragma unroll
  for (int k = 0; k < words; ++k) w[k] = __shfl_xor_sync(0xffffffffu, w[k], offset);
  S r;
  std::memcpy(&r, w, sizeof(S));
  return r;
}

// Merges the states of each group of G consecutive threads (G a power of two,
// the same in the whole block, blockDim a multiple of G or of 32); every
// thread of the group gets the same result, merged in a fixed order (lower
// lanes first), so the result does not depend on timing. Every thread of the
// block must call it. `scratch` holds 32 states of shared memory.
template <class S, class Merge>
CTRACE_DEVICE S group_reduce(S s, int G, const Merge& merge, S* scratch) {
  const int lane = static_cast<int>(threadIdx.x & 31u);
  const int width = G < 32 ? G : 32;
  for (int o = 1; o < width; o <<= 1) {
    const S other = shuffle_xor(s, o);
    s = (lane & o) ? merge(other, s) : merge(s, other);
  }
  if (G <= 32) return s;
  const int warp = static_cast<int>(threadIdx.x >> 5);
  __syncthreads();  // earlier readers of scratch are done
  if (lane == 0) scratch[warp] = s;
  __syncthreads();
  const int warps = G >> 5;
  const int first = warp & ~(warps - 1);
  S r = scratch[first];
  for (int w = 1; w < warps; ++w) r = merge(r, scratch[first + w]);
  return r;
}

// ---- running a root kernel into any destination --------------------------------

// A destination of the node's own type and rank, which its root kernel writes
// directly when the sizes are the node's too; any other goes through
// run_via_temporary.
template <class Node, class T, int R>
inline constexpr bool exact_result_type =
    std::is_same_v<T, typename Node::value_type> && Node::shape_type::rank == R;

// The node computed by its root kernel into a temporary of its own sizes, then
// broadcast and converted into dest by the elementwise kernel.
template <class Node, class T, int R>
void run_via_temporary(const strided_view<T, R>& dest, const Node& node) {
  using V = typename Node::value_type;
  using S = typename Node::shape_type;
  auto t = tensor<V, S, cuda>::uninitialized(node.sizes());
  root_kernel<Node>::run(t.strided(), node);
  run_elementwise(dest, tensor_leaf<V, S, cuda>{{}, t});
}

// A root kernel's usual shape: write(dest) runs straight into dest when dest
// has the node's element type, rank and sizes; any other destination gets the
// node through run_via_temporary. write is generic (`[&](const auto& out)
// {...}`), so its body is compiled only for the exact destination type.
template <class Node, class T, int R, class Write>
void run_exact_or_via_temporary(const strided_view<T, R>& dest, const Node& node, Write&& write) {
  if constexpr (exact_result_type<Node, T, R>) {
    if (node.sizes() == dest.sizes) return write(dest);
  }
  run_via_temporary(dest, node);
}

// Threads per block of the row kernels when groups are small.
inline constexpr int row_block = 256;

// Threads of a group for a row of `vectors` vectors, each thread taking about
// `per_thread` of them (at least 1, at most 1024 threads).
inline int group_for(index_t vectors, index_t per_thread) {
  const index_t g = pow2_at_least(std::max<index_t>(1, (vectors + per_thread - 1) / per_thread));
  return static_cast<int>(std::min<index_t>(g, 1024));
}

// Launch shape of row kernels: groups of G threads, row_block threads per
// block (or G when larger).
struct row_launch {
  int group;
  int block;
  int groups_per_block;
  index_t blocks;
};
inline row_launch launch_for_rows(index_t rows, int group) {
  row_launch l{};
  l.group = group;
  l.block = std::max(group, row_block);
  l.groups_per_block = l.block / group;
  l.blocks = (rows + l.groups_per_block - 1) / l.groups_per_block;
  return l;
}

}  // namespace ctrace::cuda_backend
