// Shapes of cat and stack: the operands' dims merged (they must agree), the
// cat axis summed. Compile-time where the dims are known, run time otherwise.
#pragma once

#include <cstdint>

#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/error.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace {

namespace detail {
template <class Shape>
constexpr extent_list extents_of_shape() {
  extent_list l{{}, Shape::rank};
  for (int i = 0; i < Shape::rank; ++i) l.items[i] = Shape::extents[i];
  return l;
}
}  // namespace detail

// Joins operand shapes for op `Op`. Every dim but `SumAxis` must agree across
// the operands (static dims at compile time; a symbol or dyn against another
// dim is checked at run time); dim SumAxis (-1: none, as for stack) becomes
// the sum of the operands' extents (N + M, or 6 for 2 and 4). A merged dim
// takes the most precise extent any operand has: static, else symbolic, else dyn.
template <class Op, int SumAxis, class... Shapes>
struct join_shapes {
  static constexpr int count = static_cast<int>(sizeof...(Shapes));
  static_assert(count > 0, "ctrace: joining needs at least one operand");

  struct info {
    extent_list dims;
    int bad_rank_operand = -1;
    int bad_rank = 0;
    int bad_axis = -1;
    std::int64_t bad_lhs = 0, bad_rhs = 0;
  };
  static constexpr info compute() {
    const extent_list lists[] = {detail::extents_of_shape<Shapes>()...};
    info r{lists[0]};
    for (int k = 1; k < count; ++k) {
      if (lists[k].rank != lists[0].rank) {
        r.bad_rank_operand = k;
        r.bad_rank = lists[k].rank;
        return r;
      }
    }
    for (int d = 0; d < lists[0].rank; ++d) {
      if (d == SumAxis) {
        extent sum = make_extent(0);
        for (int k = 0; k < count; ++k) sum = sum + lists[k].items[d];
        r.dims.items[d] = sum;
        continue;
      }
      extent chosen = lists[0].items[d];
      for (int k = 1; k < count; ++k) {
        const extent& e = lists[k].items[d];
        if (provably_different(chosen, e)) {
          if (r.bad_axis < 0) {
            r.bad_axis = d;
            r.bad_lhs = chosen.value();
            r.bad_rhs = e.value();
          }
        } else if ((e.is_static() && !chosen.is_static()) || (chosen.is_dynamic() && e.is_symbolic())) {
          chosen = e;
        }
      }
      r.dims.items[d] = chosen;
    }
    return r;
  }
  static constexpr info value = compute();
  static constexpr int rank = value.dims.rank;
  static constexpr bool ok = value.bad_rank_operand < 0 && value.bad_axis < 0;

  // Reports rank_mismatch<op, rank of operand 0, rank of operand k> or
  // shape_mismatch<op, axis, dim of the operands so far, dim of operand k>.
  static constexpr bool check() {
    if constexpr (value.bad_rank_operand >= 0) {
      report<diagnostic::rank_mismatch<Op, value.dims.rank, value.bad_rank>>();
    } else if constexpr (value.bad_axis >= 0) {
      report<diagnostic::shape_mismatch<Op, value.bad_axis, value.bad_lhs, value.bad_rhs>>();
    }
    return ok;
  }
  static constexpr bool checked = check();
  static constexpr extent_list dims = value.dims;
};

// Run-time side: operand k's sizes must equal operand 0's on every dim but
// sum_axis (-1: every dim); the result has sum_axis summed. Throws naming the
// op, the operand, the dim and both sizes.
template <int R>
sizes_t<R> join_sizes(const char* op, const sizes_t<R>* parts, index_t count, int sum_axis) {
  // The summed dim as an index below R, or R for none (unsigned: g++ -O3
  // otherwise warns of a negative index on paths sum_axis < 0 never takes).
  const std::size_t summed = sum_axis < 0 || sum_axis >= R ? std::size_t{R} : static_cast<std::size_t>(sum_axis);
  sizes_t<R> out = parts[0];
  index_t total = 0;
  for (index_t k = 0; k < count; ++k) {
    for (std::size_t d = 0; d < std::size_t{R}; ++d) {
      if (d == summed) {
        total += parts[k][d];
      } else if (parts[k][d] != parts[0][d]) {
        detail::raise(op, ": operand ", k, " has size ", parts[k][d], " at dim ", d, " but operand 0 has ",
                      parts[0][d], " (sizes ", sizes_to_string(parts[k]), " and ", sizes_to_string(parts[0]), ")");
      }
    }
  }
  for (std::size_t d = 0; d < std::size_t{R}; ++d) {
    if (d == summed) out[d] = total;
  }
  return out;
}

}  // namespace ctrace
