// Walking an operand along one axis, for kernels that normalize along it
// (softmax, log_softmax, layer_norm). Two layouts of the work:
//  - rows: the axis is the result's last dim; each row along it is read with
//    packets (run_rows);
//  - columns: the axis is an outer dim; a block of consecutive positions of the
//    last dim is walked down the axis, packets across the block (run_columns).
// Values are handled through v_* helpers that take scalars and packets alike.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <type_traits>

#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/packet_math.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/backend/cpu/row_space.hpp"
#include "ctrace/expr/ops/reduce_ops.hpp"

namespace ctrace::cpu_backend::axis_walk {

// Packets along the axis (or across a column block) when the operand gives
// packets of its compute type T.
template <class A, class T>
inline constexpr bool vectorizes = evaluator<A, A::shape_type::rank>::vectorizable &&
                                   std::is_same_v<typename A::value_type, T> && has_packets<T> &&
                                   bool(ei::packet_traits<T>::HasExp);

// ---- values: scalars of T, or packets of T -------------------------------------

template <class T, class V>
CTRACE_INLINE V v_splat(T v) {
  if constexpr (std::is_same_v<V, T>) return v;
  else return ei::pset1<V>(v);
}
template <class T, class V>
CTRACE_INLINE V v_load(const T* p) {
  if constexpr (std::is_same_v<V, T>) return *p;
  else return ei::ploadu<V>(p);
}
template <class T, class V>
CTRACE_INLINE void v_store(T* p, const V& v) {
  if constexpr (std::is_same_v<V, T>) *p = v;
  else ei::pstoreu(p, v);
}
template <class T, class V>
CTRACE_INLINE V v_add(const V& a, const V& b) {
  if constexpr (std::is_same_v<V, T>) return a + b;
  else return ei::padd(a, b);
}
template <class T, class V>
CTRACE_INLINE V v_sub(const V& a, const V& b) {
  if constexpr (std::is_same_v<V, T>) return a - b;
  else return ei::psub(a, b);
}
template <class T, class V>
CTRACE_INLINE V v_mul(const V& a, const V& b) {
  if constexpr (std::is_same_v<V, T>) return a * b;
  else return ei::pmul(a, b);
}
// a * b + c
template <class T, class V>
CTRACE_INLINE V v_madd(const V& a, const V& b, const V& c) {
  if constexpr (std::is_same_v<V, T>) return a * b + c;
  else return ei::pmadd(a, b, c);
}
template <class T, class V>
CTRACE_INLINE V v_exp(const V& a) {
  if constexpr (std::is_same_v<V, T>) return std::exp(a);
  else return ei::scalar_exp_op<T>{}.packetOp(a);
}
// The larger, NaN if either is NaN.
template <class T, class V>
CTRACE_INLINE V v_max(const V& a, const V& b) {
  if constexpr (std::is_same_v<V, T>) {
    T m = a;
    op::reduction<op::reduce_kind::max, T>::add(m, b, 0);
    return m;
  } else {
    return ei::pmax<Eigen::PropagateNaN>(a, b);
  }
}

// ---- rows --------------------------------------------------------------------

// Elements summed in packets before the partial sum goes into a double.
inline constexpr index_t sum_block = 1024;

// Calls f(value, j) for j in [0, n) of a row: packets, then scalars.
template <class T, bool Vectorize, class Row, class F>
CTRACE_INLINE void for_each_value(const Row& row, index_t n, F&& f) {
  index_t j = 0;
  if constexpr (Vectorize) {
    for (; j + packet_size<T> <= n; j += packet_size<T>) f(row.packet(j), j);
  }
  for (; j < n; ++j) f(convert<T>(row.coeff(j)), j);
}

// Largest element of a row, NaN if any is NaN.
template <class T, bool Vectorize, class Row>
T row_max(const Row& row, index_t n) {
  T m = op::reduction<op::reduce_kind::max, T>::init();
  index_t j = 0;
  if constexpr (Vectorize) {
    constexpr int P = packet_size<T>;
    using Pk = packet_t<T>;
    if (n >= 2 * P) {
      Pk a = ei::pset1<Pk>(m), b = a;
      for (; j + 2 * P <= n; j += 2 * P) {
        a = v_max<T>(a, row.packet(j));
        b = v_max<T>(b, row.packet(j + P));
      }
      alignas(64) T lanes[P];
      ei::pstore(lanes, v_max<T>(a, b));
      for (T v : lanes) m = v_max<T>(m, v);
    }
  }
  for (; j < n; ++j) m = v_max<T>(m, convert<T>(row.coeff(j)));
  return m;
}

// Sum of g(f(x)) over a row, with buf[j] = f(x) when buf is given: packets
// summed in blocks, blocks summed in double.
template <class T, bool Vectorize, class Row, class F, class G>
double map_row_and_sum(const Row& row, index_t n, T* buf, F f, G g) {
  double total = 0;
  index_t j = 0;
  if constexpr (Vectorize) {
    constexpr int P = packet_size<T>;
    using Pk = packet_t<T>;
    while (j + P <= n) {
      const index_t stop = std::min(n, j + sum_block);
      Pk a = ei::pset1<Pk>(T(0)), b = a;
      for (; j + 2 * P <= stop; j += 2 * P) {
        const Pk u = f(row.packet(j)), v = f(row.packet(j + P));
        if (buf) {
          ei::pstoreu(buf + j, u);
          ei::pstoreu(buf + j + P, v);
        }
        a = ei::padd(a, g(u));
        b = ei::padd(b, g(v));
      }
      for (; j + P <= stop; j += P) {
        const Pk u = f(row.packet(j));
        if (buf) ei::pstoreu(buf + j, u);
        a = ei::padd(a, g(u));
      }
      total += static_cast<double>(ei::predux(ei::padd(a, b)));
    }
  }
  double tail = 0;
  for (; j < n; ++j) {
    const T u = f(convert<T>(row.coeff(j)));
    if (buf) buf[j] = u;
    tail += static_cast<double>(g(u));
  }
  return total + tail;
}

// buf[j] = f(buf[j], j) in place; f takes packets (at j) and scalars.
template <class T, bool Vectorize, class F>
void map_in_place(T* buf, index_t n, F f) {
  index_t j = 0;
  if constexpr (Vectorize) {
    constexpr int P = packet_size<T>;
    for (; j + P <= n; j += P) ei::pstoreu(buf + j, f(ei::ploadu<packet_t<T>>(buf + j), j));
  }
  for (; j < n; ++j) buf[j] = f(buf[j], j);
}

// Runs row_fn(row, n, out) on every row along `axis` (the result's last dim),
// rows in parallel. `out` is the result row itself when it has type T; else a
// scratch row, converted into the result afterwards.
template <class Out, class T, class A, int R, class RowFn>
void run_rows(const strided_view<Out, R>& dest, const A& arg, int axis, RowFn row_fn) {
  sizes_t<R> sizes = arg.sizes();
  evaluator<A, R> ev(arg, sizes);
  sizes_t<R> out_strides = contiguous_strides<R>(sizes);
  stride_visitor<R, evaluator<A, R>::leaf_count + 1> sets;
  sets(out_strides);
  ev.visit_strides(sets);
  int perm[R]{};
  axis_last_permutation<R>(axis, perm);
  permute_dims<R>(sizes, sets.sets, sets.count, perm);
  bool contiguous = true;
  for (int k = 1; k < sets.count; ++k) contiguous = contiguous && (*sets.sets[k])[R - 1] == 1;

  const index_t n = sizes[R - 1];
  index_t rows = 1;
  for (int d = 0; d < R - 1; ++d) rows *= sizes[d];
  if (n == 0 || rows == 0) return;
  parallel_for(rows, std::max<index_t>(1, parallel_grain / n), [&](index_t b, index_t e) {
    std::unique_ptr<T[]> scratch;
    index_t outer[R > 1 ? R - 1 : 1]{};
    for (index_t r = b; r < e; ++r) {
      unravel<R>(r, sizes, 0, R - 1, outer);
      Out* out = dest.data + offset_of<R>(outer, out_strides, 0, R - 1);
      const index_t stride = out_strides[R - 1];
      T* buf = nullptr;
      if constexpr (std::is_same_v<Out, T>) {
        if (stride == 1) buf = out;
      }
      if (!buf) {
        if (!scratch) scratch.reset(new T[static_cast<std::size_t>(n)]);
        buf = scratch.get();
      }
      if (contiguous) row_fn(ev.template make_row<true>(outer), n, buf);
      else row_fn(ev.template make_row<false>(outer), n, buf);
      if (static_cast<void*>(buf) != static_cast<void*>(out)) {
        for (index_t j = 0; j < n; ++j) out[j * stride] = convert<Out>(buf[j]);
      }
    }
  });
}

// ---- columns -----------------------------------------------------------------

// Steps along the axis summed in T before their sum goes into the total.
inline constexpr index_t column_sum_block = 256;

// One block of columns: the iteration space is ordered [others][axis][last];
// the block is positions [c0, c0 + width) of the last dim at one position of
// the others. Its result is at out[k * ld + j] (the last dim is contiguous).
template <class T, bool Vectorize, bool Contiguous, class Eval, int R, class Out>
struct column_block {
  const Eval& ev;
  index_t* outer;  // outer[R - 2] is the position along the axis
  index_t c0, width;
  Out* out;
  index_t ld;

  // f(value, j, k) for k in [k0, k1), j in [0, width): packets across j.
  template <class F>
  void read(index_t k0, index_t k1, F&& f) const {
    for (index_t k = k0; k < k1; ++k) {
      outer[R - 2] = k;
      const auto row = ev.template make_row<Contiguous>(outer);
      index_t j = 0;
      if constexpr (Vectorize) {
        for (; j + packet_size<T> <= width; j += packet_size<T>) f(row.packet(c0 + j), j, k);
      }
      for (; j < width; ++j) f(convert<T>(row.coeff(c0 + j)), j, k);
    }
  }
  // out[k, j] = f(out[k, j], j, k) over the block (only when Out is T).
  template <class F>
  void map_output(index_t n, F&& f) const {
    for (index_t k = 0; k < n; ++k) {
      T* p = out + k * ld;
      index_t j = 0;
      if constexpr (Vectorize) {
        for (; j + packet_size<T> <= width; j += packet_size<T>) {
          ei::pstoreu(p + j, f(ei::ploadu<packet_t<T>>(p + j), j, k));
        }
      }
      for (; j < width; ++j) p[j] = f(p[j], j, k);
    }
  }
  // Sums of g(value, j, k) along the axis into total[j] (T), in blocks of
  // column_sum_block steps so that long axes stay accurate.
  template <class G>
  void sum_along_axis(index_t n, T* total, T* block, G&& g) const {
    for (index_t j = 0; j < width; ++j) total[j] = T(0);
    for (index_t k0 = 0; k0 < n; k0 += column_sum_block) {
      for (index_t j = 0; j < width; ++j) block[j] = T(0);
      read(k0, std::min(n, k0 + column_sum_block), [&](const auto& x, index_t j, index_t k) {
        using V = std::decay_t<decltype(x)>;
        v_store<T>(block + j, v_add<T>(v_load<T, V>(block + j), g(x, j, k)));
      });
      for (index_t j = 0; j < width; ++j) total[j] += block[j];
    }
  }
};

// Columns processed together by one task: enough packets to keep the
// accumulators in L1 while each step along the axis reads a long run.
template <class T, bool Vectorize>
inline constexpr index_t column_width = Vectorize ? 32 * packet_size<T> : 32;

// Runs block_fn(block, n) on every column block (the axis is not the result's
// last dim), blocks in parallel.
template <class Out, class T, bool Vectorize, class A, int R, class BlockFn>
void run_columns(const strided_view<Out, R>& dest, const A& arg, int axis, BlockFn block_fn) {
  static_assert(R >= 2, "ctrace: column blocks need an axis before the last dim");
  sizes_t<R> sizes = arg.sizes();
  using eval_t = evaluator<A, R>;
  eval_t ev(arg, sizes);
  sizes_t<R> out_strides = contiguous_strides<R>(sizes);
  stride_visitor<R, evaluator<A, R>::leaf_count + 1> sets;
  sets(out_strides);
  ev.visit_strides(sets);
  // [others in order][axis][last]
  int perm[R]{};
  for (int d = 0, i = 0; d < R - 1; ++d) {
    if (d != axis) perm[i++] = d;
  }
  perm[R - 2] = axis;
  perm[R - 1] = R - 1;
  permute_dims<R>(sizes, sets.sets, sets.count, perm);
  bool contiguous = true;
  for (int k = 1; k < sets.count; ++k) contiguous = contiguous && (*sets.sets[k])[R - 1] == 1;

  const index_t n = sizes[R - 2], width = sizes[R - 1];
  index_t groups = 1;
  for (int d = 0; d < R - 2; ++d) groups *= sizes[d];
  if (n == 0 || width == 0 || groups == 0) return;
  constexpr index_t cw = column_width<T, Vectorize>;
  const index_t blocks_per_group = (width + cw - 1) / cw;
  const index_t tasks = groups * blocks_per_group;
  parallel_for(tasks, std::max<index_t>(1, parallel_grain / (n * std::min(cw, width))), [&](index_t b, index_t e) {
    index_t outer[R - 1]{};
    for (index_t t = b; t < e; ++t) {
      unravel<R>(t / blocks_per_group, sizes, 0, R - 2, outer);
      const index_t c0 = (t % blocks_per_group) * cw;
      Out* out = dest.data + offset_of<R>(outer, out_strides, 0, R - 2) + c0;
      const index_t w = std::min(cw, width - c0);
      if (contiguous) {
        block_fn(column_block<T, Vectorize, true, eval_t, R, Out>{ev, outer, c0, w, out, out_strides[R - 2]}, n);
      } else {
        block_fn(column_block<T, Vectorize, false, eval_t, R, Out>{ev, outer, c0, w, out, out_strides[R - 2]}, n);
      }
    }
  });
}

}  // namespace ctrace::cpu_backend::axis_walk
