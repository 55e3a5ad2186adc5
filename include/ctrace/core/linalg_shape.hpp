// Shape arithmetic for matmul (torch.matmul's rank rules, broadcast batches)
// and for diagonals: result shapes at compile time, run-time checks of the
// inner and batch dims where symbols or dynamic sizes meet.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string_view>

#include "ctrace/core/broadcast.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/error.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace {

namespace op {
// Tags naming these ops in diagnostics and in the IR.
struct matmul { static constexpr std::string_view name = "matmul"; };
struct diagonal { static constexpr std::string_view name = "diagonal"; };
struct diag_embed { static constexpr std::string_view name = "diag_embed"; };
struct diag { static constexpr std::string_view name = "diag"; };
}  // namespace op

// The first Count dims of a shape (the batch dims of a matmul operand).
template <class Shape, int Count>
struct leading_dims_shape {
  static constexpr extent_list list = [] {
    extent_list l{{}, Count};
    for (int i = 0; i < Count; ++i) l.items[i] = Shape::extents[i];
    return l;
  }();
  using type = shape_from<list>;
};

// matmul(a, b) as torch.matmul: 1-D·1-D is a dot product (rank 0); a 1-D lhs
// is a row [1, k] and a 1-D rhs a column [k, 1], the added dim dropped from
// the result; dims before the last two are batch dims and broadcast.
template <class SA, class SB>
struct matmul_shape {
  static constexpr int lhs_rank = SA::rank;
  static constexpr int rhs_rank = SB::rank;
  static constexpr bool ranks_ok = lhs_rank >= 1 && rhs_rank >= 1;
  // The contracted axis of each operand.
  static constexpr int lhs_axis = lhs_rank - 1;
  static constexpr int rhs_axis = rhs_rank >= 2 ? rhs_rank - 2 : 0;
  static constexpr extent lhs_inner = [] { return ranks_ok ? SA::extents[lhs_axis] : make_extent(0); }();
  static constexpr extent rhs_inner = [] { return ranks_ok ? SB::extents[rhs_axis] : make_extent(0); }();
  static constexpr bool inner_ok = !provably_different(lhs_inner, rhs_inner);

  static constexpr int lhs_batch_rank = lhs_rank >= 2 ? lhs_rank - 2 : 0;
  static constexpr int rhs_batch_rank = rhs_rank >= 2 ? rhs_rank - 2 : 0;
  using lhs_batch = typename leading_dims_shape<SA, lhs_batch_rank>::type;
  using rhs_batch = typename leading_dims_shape<SB, rhs_batch_rank>::type;
  using batch = broadcast_shapes<op::matmul, lhs_batch, rhs_batch>;
  using batch_shape = typename batch::type;

  // Reports the first problem (ranks, inner dims, batch dims); true when none.
  static constexpr bool check() {
    if constexpr (!ranks_ok) {
      return report<diagnostic::rank_mismatch<op::matmul, lhs_rank, rhs_rank>>();
    } else if constexpr (!inner_ok) {
      return report<diagnostic::shape_mismatch<op::matmul, lhs_axis, lhs_inner.value(), rhs_inner.value()>>();
    } else {
      return batch::checked;
    }
  }
  static constexpr bool checked = check();

  static constexpr extent_list list = [] {
    extent_list l{{}, 0};
    if (!ranks_ok) return l;
    const extent_list b = batch::result::value.dims;
    for (int i = 0; i < b.rank; ++i) l.items[l.rank++] = b.items[i];
    // Indices kept in range in every branch: nvcc warns about the untaken one.
    if (lhs_rank >= 2) l.items[l.rank++] = SA::extents[lhs_rank >= 2 ? lhs_rank - 2 : 0];
    if (rhs_rank >= 2) l.items[l.rank++] = SB::extents[rhs_rank >= 2 ? rhs_rank - 1 : 0];
    return l;
  }();
  using type = shape_from<list>;
};

// Run-time sizes of matmul(a, b): the inner dims must be equal, the batch dims
// broadcast. Throws ctrace::error naming both values.
template <class SA, class SB>
sizes_t<matmul_shape<SA, SB>::type::rank> matmul_sizes(const sizes_t<SA::rank>& a, const sizes_t<SB::rank>& b) {
  using M = matmul_shape<SA, SB>;
  constexpr int R = M::type::rank;
  const index_t ka = a[M::lhs_axis], kb = b[M::rhs_axis];
  if (ka != kb) {
    detail::raise("matmul: the inner dims differ: lhs dim ", M::lhs_axis, " (", to_string(M::lhs_inner), ") is ", ka,
                  ", rhs dim ", M::rhs_axis, " (", to_string(M::rhs_inner), ") is ", kb, " (sizes ",
                  sizes_to_string(a), " and ", sizes_to_string(b), ")");
  }
  sizes_t<M::lhs_batch_rank> ab{};
  sizes_t<M::rhs_batch_rank> bb{};
  for (int i = 0; i < M::lhs_batch_rank; ++i) ab[i] = a[i];
  for (int i = 0; i < M::rhs_batch_rank; ++i) bb[i] = b[i];
  const auto batch = broadcast_sizes<typename M::batch_shape, typename M::lhs_batch, typename M::rhs_batch>(
      "matmul (batch dims)", ab, bb);
  sizes_t<R> out{};
  int r = 0;
  for (index_t s : batch) out[r++] = s;
  if constexpr (SA::rank >= 2) out[r++] = a[SA::rank - 2];
  if constexpr (SB::rank >= 2) out[r++] = b[SB::rank - 1];
  return out;
}

// Length of the diagonal `offset` of a rows x cols matrix (above the main one
// when offset > 0), as torch.diagonal.
constexpr index_t diagonal_length(index_t rows, index_t cols, index_t offset) {
  const index_t len = offset >= 0 ? std::min(rows, cols - offset) : std::min(rows + offset, cols);
  return len > 0 ? len : 0;
}

// diagonal<Offset> of a 2-D shape: 1-D, static when both dims are, the dim
// itself for the main diagonal of a provably square matrix, else dynamic.
template <class Shape, std::int64_t Offset>
struct diagonal_shape {
  static constexpr bool rank_ok = Shape::rank == 2;
  static constexpr bool check() {
    if constexpr (!rank_ok) return report<diagnostic::rank_not_supported<op::diagonal, Shape::rank>>();
    else return true;
  }
  static constexpr bool checked = check();
  static constexpr extent length = [] {
    if (!rank_ok) return make_extent(0);
    const extent& r = Shape::extents[0];
    const extent& c = Shape::extents[1];
    if (Offset == 0 && provably_equal(r, c)) return r;
    if (r.is_static() && c.is_static()) return make_extent(diagonal_length(r.value(), c.value(), Offset));
    return dyn;
  }();
  using type = shape_from<extent_list{{length}, 1}>;
};

// diag_embed<Offset> of a 1-D shape [n]: the square [n + |Offset|, n + |Offset|].
template <class Shape, std::int64_t Offset>
struct diag_embed_shape {
  static constexpr bool rank_ok = Shape::rank == 1;
  static constexpr bool check() {
    if constexpr (!rank_ok) return report<diagnostic::rank_not_supported<op::diag_embed, Shape::rank>>();
    else return true;
  }
  static constexpr bool checked = check();
  static constexpr extent side = [] {
    if (!rank_ok) return make_extent(0);
    return Shape::extents[0] + (Offset < 0 ? -Offset : Offset);
  }();
  using type = shape_from<extent_list{{side, side}, 2}>;
};

}  // namespace ctrace
