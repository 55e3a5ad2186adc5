// The fused elementwise loop: one pass over the destination, every operand read
// through its evaluator, packets where the whole tree vectorizes, split across
// cores. Dims are merged first wherever all operands allow it, so a contiguous
// expression of any rank runs as one flat loop.
#pragma once

#include <cstdint>
#include <vector>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include <algorithm>

#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/parallel.hpp"

namespace ctrace::cpu_backend {

namespace detail {

// Merges adjacent dims d, d+1 wherever every stride set allows reading them as
// one dim (stride[d] == stride[d+1] * size[d+1]); the result stays right-aligned
// with leading dims of size 1.
template <int R>
void coalesce(sizes_t<R>& sizes, sizes_t<R>* const* sets, int count) {
  if constexpr (R > 1) {
    // The common case first: every operand contiguous in row-major order
    // (the output's own strides): one dim of all the elements.
    const sizes_t<R> dense = contiguous_strides<R>(sizes);
    bool all_dense = true;
    for (int k = 0; k < count && all_dense; ++k) all_dense = same_sizes(*sets[k], dense);
    if (all_dense) {
      index_t n = 1;
      for (index_t s : sizes) n *= s;
      sizes.fill(1);
      sizes[R - 1] = n;
      sizes_t<R> flat{};
      flat[R - 1] = 1;
      for (int k = 0; k < count; ++k) *sets[k] = flat;
      return;
    }
    sizes_t<R> new_sizes{};
    // Programs rarely read more than 64 operands; longer ones use the heap.
    // Not zeroed: every entry of the first `count` is written below.
    sizes_t<R> on_stack[64];
    std::vector<sizes_t<R>> on_heap;
    sizes_t<R>* new_strides = on_stack;
    if (count > 64) {
      on_heap.resize(static_cast<std::size_t>(count));
      new_strides = on_heap.data();
    }
    int out = R - 1;
    index_t cur_size = sizes[R - 1];
    for (int k = 0; k < count; ++k) new_strides[k][R - 1] = (*sets[k])[R - 1];
    for (int d = R - 2; d >= 0; --d) {
      bool merge = sizes[d] == 1 || cur_size == 1;
      if (!merge) {
        merge = true;
        for (int k = 0; k < count && merge; ++k) merge = (*sets[k])[d] == new_strides[k][out] * cur_size;
      }
      if (merge) {
        if (cur_size == 1 && sizes[d] != 1) {
          for (int k = 0; k < count; ++k) new_strides[k][out] = (*sets[k])[d];
        }
        cur_size *= sizes[d];
      } else {
        new_sizes[out] = cur_size;
        --out;
        cur_size = sizes[d];
        for (int k = 0; k < count; ++k) new_strides[k][out] = (*sets[k])[d];
      }
    }
    new_sizes[out] = cur_size;
    for (int d = 0; d < out; ++d) {
      new_sizes[d] = 1;
      for (int k = 0; k < count; ++k) new_strides[k][d] = 0;
    }
    sizes = new_sizes;
    for (int k = 0; k < count; ++k) *sets[k] = new_strides[k];
  }
}

// Whether every stride set is the dense row-major one of `sizes` (the output
// and all operands laid out alike, nothing broadcast): then element k of the
// loop is element k of each, one flat run from the origin.
template <int R>
CTRACE_INLINE bool all_dense(const sizes_t<R>& sizes, sizes_t<R>* const* sets, int count) {
  const sizes_t<R> dense = contiguous_strides<R>(sizes);
  bool all = true;
  for (int k = 0; k < count; ++k) all &= same_sizes(*sets[k], dense);
  return all;
}

// Programs reading more operands than this are compiled once (strided rows,
// no unrolling) instead of four times: their code is large already, and the
// copies cost compile time (a 200-node chain) for little speed.
inline constexpr int compact_program_reads = 24;

// Outputs larger than this are written with streaming (non-temporal) stores
// where the packet type has them: a result that cannot stay in cache anyway
// is then not read into the cache before it is written, which saves a third
// of the memory traffic of a two-input elementwise op.
inline constexpr index_t streaming_store_bytes = index_t{32} << 20;

// (Decided from the element type and packet width: vector types as template
// arguments lose their attributes.)
template <class T>
inline constexpr bool has_streaming_store =
#if defined(__AVX__) && !defined(__AVX512F__)
    (std::is_same_v<T, float> && packet_size<T> == 8) || (std::is_same_v<T, double> && packet_size<T> == 4);
#else
    false;
#endif

template <class T, class P>
CTRACE_INLINE void stream_store(T* to, const P& v) {
#if defined(__AVX__) && !defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) _mm256_stream_ps(to, v);
  else _mm256_stream_pd(to, v);
#else
  ei::pstoreu(to, v);
#endif
}

// The contiguous inner loop with streaming stores: scalar up to a 32-byte
// boundary, packets streamed, scalar tail.
template <class T, class Row>
CTRACE_INLINE void run_inner_streaming(const Row& r, T* out, index_t j, index_t end) {
  constexpr int P = packet_size<T>;
  for (; j < end && (reinterpret_cast<std::uintptr_t>(out + j) % 64) != 0; ++j) out[j] = r.coeff(j);
  for (; j + 2 * P <= end; j += 2 * P) {  // two independent packets in flight, as below
    auto a = r.packet(j);
    auto b = r.packet(j + P);
    stream_store(out + j, a);
    stream_store(out + j + P, b);
  }
  for (; j + P <= end; j += P) stream_store(out + j, r.packet(j));
  for (; j < end; ++j) out[j] = r.coeff(j);
}

template <bool Contiguous, class T, class Row, bool Vectorize, bool Compact = false, bool MayStream = false>
CTRACE_INLINE void run_inner(const Row& r, T* out, index_t out_stride, index_t j, index_t end, bool streaming = false) {
  // Only loops that may stream get the streaming code (others keep their
  // code, and its inlining, exactly as without it).
  if constexpr (MayStream && Vectorize && has_streaming_store<T>) {
    if (streaming && (Contiguous || out_stride == 1)) {
      run_inner_streaming<T>(r, out, j, end);
      return;
    }
  }
  if constexpr (Vectorize) {
    constexpr int P = packet_size<T>;
    if (Contiguous || out_stride == 1) {
      if constexpr (!Compact) {
        for (; j + 2 * P <= end; j += 2 * P) {
          auto a = r.packet(j);
          auto b = r.packet(j + P);
          ei::pstoreu(out + j, a);
          ei::pstoreu(out + j + P, b);
        }
      }
      for (; j + P <= end; j += P) ei::pstoreu(out + j, r.packet(j));
      for (; j < end; ++j) out[j] = r.coeff(j);
      return;
    }
  }
  for (; j < end; ++j) out[j * out_stride] = r.coeff(j);
}

// Whether a loop's program is bound by memory (fused programs say; other
// evaluators copy or read memory).
template <class Eval>
inline constexpr bool may_stream = [] {
  if constexpr (requires { Eval::memory_bound; }) return Eval::memory_bound;
  else return true;
}();

template <bool Contiguous, class Eval, class T, int R>
void run_range(const Eval& ev, T* out, const sizes_t<R>& out_strides, const sizes_t<R>& sizes, index_t begin,
               index_t end, bool streaming = false) {
  const index_t inner = sizes[R - 1];
  index_t j = 0;
  index_t outer[R > 1 ? R - 1 : 1]{};
  if (begin != 0) {  // a chunk of a parallel loop: where it starts (divisions are slow; the first chunk skips them)
    index_t row = begin / inner;
    j = begin % inner;
    for (int d = R - 2; d >= 0; --d) {
      outer[d] = row % sizes[d];
      row /= sizes[d];
    }
  }
  index_t remaining = end - begin;
  constexpr bool vectorize = Eval::vectorizable && has_packets<T>;
  while (remaining > 0) {
    const index_t stop = std::min(inner, j + remaining);
    T* o = out;
    for (int d = 0; d < R - 1; ++d) o += outer[d] * out_strides[d];
    auto r = ev.template make_row<Contiguous>(outer);
    run_inner<Contiguous, T, decltype(r), vectorize, (Eval::leaf_count > compact_program_reads), may_stream<Eval>>(
        r, o, out_strides[R - 1], j, stop, streaming);
    remaining -= stop - j;
    j = 0;
    for (int d = R - 2; d >= 0; --d) {
      if (++outer[d] < sizes[d]) break;
      outer[d] = 0;
    }
  }
#if defined(__AVX__)
  if (streaming) _mm_sfence();  // streamed stores are visible before the caller reads the result
#endif
}

}  // namespace detail

// dest[i] = node[i] for every index of dest; node broadcasts into dest's sizes.
template <class T, int R, class Node>
void run_elementwise(const strided_view<T, R>& dest, const Node& node) {
  constexpr int IR = R == 0 ? 1 : R;
  sizes_t<IR> sizes{}, out_strides{};
  if constexpr (R == 0) {
    sizes[0] = 1;
    out_strides[0] = 1;
  } else {
    sizes = dest.sizes;
    out_strides = dest.strides;
  }
  index_t total = 1;
  for (index_t s : sizes) total *= s;
  if (total == 0) return;

  using Eval = evaluator<Node, IR>;
  Eval ev(node, sizes);
  stride_visitor<IR, Eval::leaf_count + 1> sets;
  sets(out_strides);
  ev.visit_strides(sets);

  T* out = dest.data;
  constexpr bool compact = Eval::leaf_count > detail::compact_program_reads;
  constexpr bool vectorize = Eval::vectorizable && has_packets<T>;
  const index_t origin[IR > 1 ? IR - 1 : 1]{};
  if (total <= parallel_grain) {
    // A small loop runs here, in one chunk (as parallel_for would), without
    // the pool's bookkeeping: its set-up is most of a small call's cost (a
    // 4x4 graph call). First the common case, checked inline: the output and
    // every operand dense in row-major order, read as one flat run.
    if constexpr (!compact) {
      if (detail::all_dense<IR>(sizes, sets.sets, sets.count)) {
        auto r = ev.template make_row<true>(origin);
        detail::run_inner<true, T, decltype(r), vectorize, compact>(r, out, 1, 0, total);
        return;
      }
    }
  }
  detail::coalesce<IR>(sizes, sets.sets, sets.count);

  bool contiguous = true;
  for (int k = 0; k < sets.count; ++k) contiguous = contiguous && (*sets.sets[k])[IR - 1] == 1;

  if (total <= parallel_grain) {
    // Merged into one dim (a run of equal strides, or broadcast dims gone),
    // the loop is one inner run with no row arithmetic.
    if (sizes[IR - 1] == total) {
      if (contiguous && !compact) {
        auto r = ev.template make_row<true>(origin);
        detail::run_inner<true, T, decltype(r), vectorize, compact>(r, out, 1, 0, total);
      } else {
        auto r = ev.template make_row<false>(origin);
        detail::run_inner<false, T, decltype(r), vectorize, compact>(r, out, out_strides[IR - 1], 0, total);
      }
    } else if (contiguous && !compact) {
      detail::run_range<true, Eval, T, IR>(ev, out, out_strides, sizes, 0, total);
    } else {
      detail::run_range<false, Eval, T, IR>(ev, out, out_strides, sizes, 0, total);
    }
    return;
  }
  [[maybe_unused]] const bool streaming = detail::may_stream<Eval> && contiguous &&
                         total * static_cast<index_t>(sizeof(T)) >= detail::streaming_store_bytes;
  parallel_for(total, parallel_grain, [&](index_t b, index_t e) {
    if constexpr (Eval::leaf_count > detail::compact_program_reads) {
      detail::run_range<false, Eval, T, IR>(ev, out, out_strides, sizes, b, e);
    } else {
      if (contiguous) detail::run_range<true, Eval, T, IR>(ev, out, out_strides, sizes, b, e, streaming);
      else detail::run_range<false, Eval, T, IR>(ev, out, out_strides, sizes, b, e);
    }
  });
}

}  // namespace ctrace::cpu_backend
