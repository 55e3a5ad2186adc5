// Iteration spaces for kernels that walk rows of an operand (reductions,
// softmax, layer_norm): reorder the dims of an evaluator tree so that a chosen
// dim is the row (innermost) dim, and step through the outer coordinates.
#pragma once

#include "ctrace/backend/cpu/evaluator.hpp"

namespace ctrace::cpu_backend {

// Reorders the dims of `sizes` and of every stride set: new dim i is old dim
// perm[i]. Evaluators read all per-dim state through their stride sets, so
// after this they iterate the permuted space.
template <int R>
void permute_dims(sizes_t<R>& sizes, sizes_t<R>* const* sets, int count, const int (&perm)[R]) {
  const sizes_t<R> old = sizes;
  for (int i = 0; i < R; ++i) sizes[i] = old[perm[i]];
  for (int k = 0; k < count; ++k) {
    const sizes_t<R> s = *sets[k];
    for (int i = 0; i < R; ++i) (*sets[k])[i] = s[perm[i]];
  }
}

// The permutation that moves dim `axis` last and keeps the others in order.
template <int R>
void axis_last_permutation(int axis, int (&perm)[R]) {
  for (int i = 0, j = 0; i < R; ++i) {
    if (i != axis) perm[j++] = i;
  }
  perm[R - 1] = axis;
}

// Tells the optimizer that [first, last) lies within [0, R): without it g++ 12
// cannot bound the loops below and warns (-Warray-bounds) on impossible indices.
CTRACE_INLINE void assume_dims_within(int first, int last, int rank) {
  if (first < 0 || last > rank) __builtin_unreachable();
}

// coords[first, last) set to `index` unravelled row-major over sizes[first, last).
template <int R>
CTRACE_INLINE void unravel(index_t index, const sizes_t<R>& sizes, int first, int last, index_t* coords) {
  assume_dims_within(first, last, R);
  for (int d = last - 1; d >= first; --d) {
    coords[d] = index % sizes[d];
    index /= sizes[d];
  }
}

// Steps coords[first, last) to the next position in row-major order.
template <int R>
CTRACE_INLINE void advance(const sizes_t<R>& sizes, int first, int last, index_t* coords) {
  assume_dims_within(first, last, R);
  for (int d = last - 1; d >= first; --d) {
    if (++coords[d] < sizes[d]) return;
    coords[d] = 0;
  }
}

// Sum of coords[d] * strides[d] over d in [first, last).
template <int R>
CTRACE_INLINE index_t offset_of(const index_t* coords, const sizes_t<R>& strides, int first, int last) {
  assume_dims_within(first, last, R);
  index_t off = 0;
  for (int d = first; d < last; ++d) off += coords[d] * strides[d];
  return off;
}

}  // namespace ctrace::cpu_backend
