// Walking a strided tensor line by line along one axis (the scan, sort and
// indexing kernels): line numbers, each line's offset in memory, and a grain
// that gives parallel_for chunks of about parallel_grain elements.
#pragma once

#include <algorithm>

#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace::cpu_backend {

// The lines along `axis` of a tensor of `sizes`, numbered row-major over the
// other dims. Tensors that differ only in their size along `axis` (an input
// and its topk) number their lines alike.
template <int R>
struct lines {
  static_assert(R >= 1, "ctrace: lines of a 0-d tensor");
  sizes_t<R> sizes;
  int axis;

  index_t count() const {
    index_t n = 1;
    for (int d = 0; d < R; ++d) n *= d == axis ? 1 : sizes[d];
    return n;
  }
  index_t length() const { return sizes[axis]; }

  // Offset of line `line`'s first element in memory with these strides.
  index_t offset(index_t line, const sizes_t<R>& strides) const {
    index_t off = 0;
    for (int d = R - 1; d >= 0; --d) {
      if (d == axis) continue;
      off += (line % sizes[d]) * strides[d];
      line /= sizes[d];
    }
    return off;
  }

  // Coordinate `dim` (not the axis) of line `line`'s elements.
  index_t coordinate(index_t line, int dim) const {
    for (int d = R - 1; d > dim; --d) {
      if (d != axis) line /= sizes[d];
    }
    return line % sizes[dim];
  }
};

// Lines per parallel_for chunk so that a chunk holds about parallel_grain elements.
inline index_t line_grain(index_t length) { return std::max<index_t>(1, parallel_grain / std::max<index_t>(length, 1)); }

}  // namespace ctrace::cpu_backend
