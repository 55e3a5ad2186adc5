// The CPU kernel of reduce_node (sum, mean, prod, amax, amin, argmax, argmin,
// var, std). The operand is read through its evaluator, so an elementwise
// producer is computed in the same pass (sum(x * y) makes no x * y).
//
// Plan: the operand's dims are merged where every operand allows it, then
// ordered [kept dims][reduced dims][row], the row being the dim that most
// operands read with stride 1. If the row is reduced, each output accumulates
// packets along rows; if it is kept, each output chunk accumulates whole rows of
// packets over the reduced dims. Work is split into fixed pieces that depend on
// the sizes only, summed pairwise (blocks of a few thousand elements, then a
// binary tree of blocks), and combined in a fixed order: the result does not
// depend on the thread count or on timing, and float sums of 2^24 elements stay
// accurate.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>

#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/loop.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/backend/cpu/reduce_packets.hpp"
#include "ctrace/backend/cpu/row_space.hpp"
#include "ctrace/expr/reduce.hpp"

namespace ctrace::cpu_backend {

namespace reduce_impl {

// Elements accumulated linearly (per lane group) before a block is merged.
inline constexpr index_t leaf_elements = 2048;
// Rows accumulated linearly in a chunk before the rows' block is merged.
inline constexpr index_t leaf_rows = 64;
// Fewer outputs than this split each output's reduction into pieces...
inline constexpr index_t few_outputs = 8;
// ...of at least this many elements, at most max_pieces of them.
inline constexpr index_t min_piece = index_t(1) << 16;
inline constexpr index_t max_pieces = 64;

// One kernel per (op, operand type): which axes are reduced, and keepdim, are
// run-time facts here (a bit mask), so sum<0>, sum<1, 2> and sum<1>(x, keepdim)
// of one operand share a single instantiation. Compile time is a budget.
template <class Op, class A>
class reduce_kernel {
  using In = typename A::value_type;
  using Out = op::reduce_result_t<Op::rule, In>;
  static constexpr op::reduce_kind kind = Op::kind;
  using T = op::reduce_compute_t<kind, In>;
  using rules = op::reduction<kind, T>;
  using state = typename rules::state;
  using packets = packet_reduction<kind, T>;
  static constexpr int R = A::shape_type::rank;
  static constexpr int IR = R == 0 ? 1 : R;
  using eval_t = evaluator<A, IR>;
  static constexpr bool vectorize = eval_t::vectorizable && std::is_same_v<In, T> && packets::supported;
  // argmax/argmin compare packets in two passes (arg_leaf) where they can.
  static constexpr bool arg_packets =
      (kind == op::reduce_kind::argmax || kind == op::reduce_kind::argmin) && eval_t::vectorizable &&
      std::is_same_v<In, T> && has_packets<T> && bool(ei::packet_traits<T>::HasMax) &&
      bool(ei::packet_traits<T>::HasMin);
  static constexpr int P = vectorize || arg_packets ? packet_size<T> : 1;
  // Output elements one task of the kept-row plan covers: as wide as 16 KiB of
  // states, so that each reduced row is read in long runs while the
  // accumulators stay in the L1 cache.
  static constexpr index_t chunk = std::max<index_t>(P, index_t(16384 / sizeof(state)) / P * P);
  static constexpr int outer_rank = IR > 1 ? IR - 1 : 1;

 public:
  // Writes node's value into dest (contiguous, node.sizes()).
  static void run(Out* dest, index_t out_numel, const A& arg, const Op& op, std::uint32_t reduced_axes) {
    if (out_numel == 0) return;
    sizes_t<IR> in_sizes = input_sizes(arg);
    index_t in_numel = 1;
    for (index_t s : in_sizes) in_numel *= s;
    if (in_numel == 0) {
      // Every output reduces zero elements (the API refused this for amax & co.).
      if constexpr (op::reduce_needs_elements<Op>) {
        ctrace::detail::raise(Op::name, ": cannot reduce over zero elements: input sizes ",
                              sizes_to_string(arg.sizes()));
      } else {
        const Out v = op.template finish<Out>(rules::init(), 0);
        for (index_t i = 0; i < out_numel; ++i) dest[i] = v;
      }
      return;
    }
    reduce_kernel k(arg, op, reduced_axes, in_sizes);
    // Rows are read in the general form (each operand's inner stride checked
    // per packet, a predictable branch): a second, contiguous-only copy of
    // every plan measured no faster and doubled the kernel's compile time.
    k.execute(dest);
  }

 private:
  const Op& op_;
  std::uint32_t reduced_axes_;  // bit d set: dim d is reduced
  sizes_t<IR> sizes_;
  eval_t ev_;
  sizes_t<IR> out_strides_{};  // output offset per step of each dim (0: reduced)
  sizes_t<IR> idx_strides_{};  // argmax index per step of each dim (0: kept)
  index_t count_ = 1;          // elements reduced into each output
  int pad_ = 0, kept_ = 0;  // dims: [pad_ of size 1][kept_][reduced][row]
  bool row_reduced_ = false;
  index_t row_length_ = 1, outer_outputs_ = 1, reduced_rows_ = 1;

  static sizes_t<IR> input_sizes(const A& arg) {
    sizes_t<IR> s{};
    if constexpr (R == 0) s[0] = 1;
    else s = arg.sizes();
    return s;
  }

  reduce_kernel(const A& arg, const Op& op, std::uint32_t reduced_axes, const sizes_t<IR>& sizes)
      : op_(op), reduced_axes_(reduced_axes), sizes_(sizes), ev_(arg, sizes) {
    index_t so = 1;
    for (int d = IR - 1; d >= 0; --d) {
      const bool reduced = R > 0 && ((reduced_axes_ >> d) & 1u) != 0;
      out_strides_[d] = reduced ? 0 : so;
      idx_strides_[d] = reduced ? count_ : 0;
      if (reduced) count_ *= sizes_[d];
      else so *= sizes_[d];
    }
    visitor_type sets;
    sets(out_strides_);
    sets(idx_strides_);
    ev_.visit_strides(sets);
    detail::coalesce<IR>(sizes_, sets.sets, sets.count);
    arrange(sets);
  }
  reduce_kernel(const reduce_kernel&) = delete;  // stride sets point into it

  // Chooses the row dim and orders the dims [size 1][kept][reduced][row].
  using visitor_type = stride_visitor<IR, evaluator<A, IR>::leaf_count + 2>;
  void arrange(const visitor_type& sets) {
    // The row: the dim most operands read with stride 1; ties go inward.
    int row = IR - 1, best = -1;
    for (int d = IR - 1; d >= 0; --d) {
      if (sizes_[d] == 1) continue;
      int score = 0;
      for (int k = 2; k < sets.count; ++k) score += (*sets.sets[k])[d] == 1 ? 1 : 0;
      if (score > best) {
        best = score;
        row = d;
      }
    }
    int perm[IR]{};
    int n = 0;
    for (int d = 0; d < IR; ++d) {
      if (d != row && sizes_[d] == 1) perm[n++] = d;
    }
    pad_ = n;
    for (int d = 0; d < IR; ++d) {
      if (d != row && sizes_[d] != 1 && out_strides_[d] != 0) perm[n++] = d;
    }
    kept_ = n - pad_;
    for (int d = 0; d < IR; ++d) {
      if (d != row && sizes_[d] != 1 && out_strides_[d] == 0) perm[n++] = d;
    }
    perm[n] = row;
    permute_dims<IR>(sizes_, sets.sets, sets.count, perm);

    row_reduced_ = sizes_[IR - 1] != 1 && out_strides_[IR - 1] == 0;
    row_length_ = sizes_[IR - 1];
    for (int d = pad_; d < pad_ + kept_; ++d) outer_outputs_ *= sizes_[d];
    for (int d = pad_ + kept_; d < IR - 1; ++d) reduced_rows_ *= sizes_[d];
  }

  int first_reduced() const { return pad_ + kept_; }

  // ---- row reduced: each output accumulates along rows ------------------------

  // Calls f(row, j0, j1, index of element 0 of the row) for the runs of rows
  // that make up reduced elements [r0, r1) (row-major over [reduced][row]).
  template <class F>
  void for_runs(index_t* outer, index_t r0, index_t r1, F&& f) const {
    index_t j = r0 % row_length_;
    unravel<IR>(r0 / row_length_, sizes_, first_reduced(), IR - 1, outer);
    for (index_t remaining = r1 - r0; remaining > 0;) {
      const index_t stop = std::min(row_length_, j + remaining);
      f(ev_.template make_row<false>(outer), j, stop, offset_of<IR>(outer, idx_strides_, first_reduced(), IR - 1));
      remaining -= stop - j;
      j = 0;
      advance<IR>(sizes_, first_reduced(), IR - 1, outer);
    }
  }

  // State of reduced elements [r0, r1).
  state leaf_along_rows(index_t* outer, index_t r0, index_t r1) const {
    state s = rules::init();
    if constexpr (vectorize) {
      typename packets::state acc[4] = {packets::init(), packets::init(), packets::init(), packets::init()};
      for_runs(outer, r0, r1, [&](const auto& row, index_t j, index_t stop, index_t) {
        for (; j + 4 * P <= stop; j += 4 * P) {
          packets::add(acc[0], row.packet(j));
          packets::add(acc[1], row.packet(j + P));
          packets::add(acc[2], row.packet(j + 2 * P));
          packets::add(acc[3], row.packet(j + 3 * P));
        }
        for (; j + P <= stop; j += P) packets::add(acc[0], row.packet(j));
        for (; j < stop; ++j) rules::add(s, row.coeff(j), 0);
      });
      state lanes[P];
      for (auto& a : acc) {
        packets::lanes(a, lanes);
        for (const state& l : lanes) s = rules::merge(s, l);
      }
    } else if constexpr (arg_packets) {
      s = arg_leaf(outer, r0, r1);
    } else {
      const index_t istride = idx_strides_[IR - 1];
      for_runs(outer, r0, r1, [&](const auto& row, index_t j, index_t stop, index_t base) {
        for (; j < stop; ++j) rules::add(s, convert<T>(row.coeff(j)), base + j * istride);
      });
    }
    return s;
  }

  // argmax/argmin of reduced elements [r0, r1) with packets, in two passes:
  // the extreme value (NaN if there is one), then the lowest index holding it.
  // (The runs need not visit indices in increasing order, so every match counts.)
  state arg_leaf(index_t* outer, index_t r0, index_t r1) const {
    using Pk = packet_t<T>;
    constexpr bool is_max = kind == op::reduce_kind::argmax;
    using extreme = op::reduction<is_max ? op::reduce_kind::max : op::reduce_kind::min, T>;
    T e = extreme::init();
    Pk pe = ei::pset1<Pk>(e);
    for_runs(outer, r0, r1, [&](const auto& row, index_t j, index_t stop, index_t) {
      for (; j + P <= stop; j += P) {
        if constexpr (is_max) pe = ei::pmax<Eigen::PropagateNaN>(pe, row.packet(j));
        else pe = ei::pmin<Eigen::PropagateNaN>(pe, row.packet(j));
      }
      for (; j < stop; ++j) extreme::add(e, row.coeff(j), 0);
    });
    T lanes[P];
    ei::pstoreu(lanes, pe);
    for (const T& l : lanes) extreme::add(e, l, 0);

    const bool want_nan = op::detail::is_nan(e);
    const Pk target = ei::pset1<Pk>(e);
    const index_t istride = idx_strides_[IR - 1];
    index_t best = std::numeric_limits<index_t>::max();
    auto check = [&](T x, index_t index) {
      if ((want_nan ? op::detail::is_nan(x) : x == e) && index < best) best = index;
    };
    for_runs(outer, r0, r1, [&](const auto& row, index_t j, index_t stop, index_t base) {
      for (; j + P <= stop; j += P) {
        const Pk x = row.packet(j);
        const Pk equal = ei::pcmp_eq(x, want_nan ? x : target);
        // NaN lanes are the ones not equal to themselves.
        const Pk hit = want_nan ? ei::pandnot(ei::ptrue(equal), equal) : equal;
        if (ei::predux_any(hit)) {
          for (int k = 0; k < P; ++k) check(row.coeff(j + k), base + (j + k) * istride);
        }
      }
      for (; j < stop; ++j) check(row.coeff(j), base + j * istride);
    });
    return {e, best};
  }

  // Pairwise over blocks; the split points depend on r0 and r1 only.
  state range_along_rows(index_t* outer, index_t r0, index_t r1) const {
    if (r1 - r0 <= leaf_elements) return leaf_along_rows(outer, r0, r1);
    const index_t mid = r0 + ((r1 - r0) / 2 + 63) / 64 * 64;
    const state left = range_along_rows(outer, r0, mid);
    const state right = range_along_rows(outer, mid, r1);
    return rules::merge(left, right);
  }

  // ---- row kept: each chunk of a row accumulates rows over the reduced dims ----

  // States of outputs [c0, c0 + w) of the row over reduced rows [q0, q1).
  void leaf_of_rows(index_t* outer, index_t c0, index_t w, index_t q0, index_t q1, state* out) const {
    for (index_t i = 0; i < w; ++i) out[i] = rules::init();
    unravel<IR>(q0, sizes_, first_reduced(), IR - 1, outer);
    if constexpr (vectorize) {
      const index_t np = w / P;
      typename packets::state acc[chunk / P];
      for (index_t k = 0; k < np; ++k) acc[k] = packets::init();
      for (index_t q = q0; q < q1; ++q) {
        const auto row = ev_.template make_row<false>(outer);
        if constexpr (kind == op::reduce_kind::moments) {
          // Every lane has the same count: one division per row.
          const auto inv = packets::inverse_of_next_count(acc[0]);
          for (index_t k = 0; k < np; ++k) packets::add(acc[k], row.packet(c0 + k * P), inv);
        } else {
          for (index_t k = 0; k < np; ++k) packets::add(acc[k], row.packet(c0 + k * P));
        }
        for (index_t i = np * P; i < w; ++i) rules::add(out[i], row.coeff(c0 + i), 0);
        advance<IR>(sizes_, first_reduced(), IR - 1, outer);
      }
      for (index_t k = 0; k < np; ++k) packets::lanes(acc[k], out + k * P);
    } else {
      for (index_t q = q0; q < q1; ++q) {
        const auto row = ev_.template make_row<false>(outer);
        // The row is kept, so every element of it has the same reduced index.
        const index_t index = offset_of<IR>(outer, idx_strides_, first_reduced(), IR - 1);
        for (index_t i = 0; i < w; ++i) rules::add(out[i], convert<T>(row.coeff(c0 + i)), index);
        advance<IR>(sizes_, first_reduced(), IR - 1, outer);
      }
    }
  }

  // Levels of scratch rows that range_of_rows needs for `rows` rows.
  static index_t scratch_levels(index_t rows) {
    index_t levels = 1;
    for (index_t leaves = (rows + leaf_rows - 1) / leaf_rows; leaves > 1; leaves = (leaves + 1) / 2) ++levels;
    return levels;
  }

  // Pairwise over blocks of rows; each level of the recursion keeps its right
  // half in the next `chunk` states of scratch.
  void range_of_rows(index_t* outer, index_t c0, index_t w, index_t q0, index_t q1, state* out,
                     state* scratch) const {
    if (q1 - q0 <= leaf_rows) {
      leaf_of_rows(outer, c0, w, q0, q1, out);
      return;
    }
    const index_t mid = q0 + (q1 - q0) / 2;
    range_of_rows(outer, c0, w, q0, mid, out, scratch);
    range_of_rows(outer, c0, w, mid, q1, scratch, scratch + chunk);
    for (index_t i = 0; i < w; ++i) out[i] = rules::merge(out[i], scratch[i]);
  }

  // ---- driving ------------------------------------------------------------------

  // Combines the states of pieces [p0, p1) pairwise, in a fixed order.
  static state combine(const state* pieces, index_t stride, index_t p0, index_t p1) {
    if (p1 - p0 == 1) return pieces[p0 * stride];
    const index_t mid = p0 + (p1 - p0) / 2;
    return rules::merge(combine(pieces, stride, p0, mid), combine(pieces, stride, mid, p1));
  }

  void execute(Out* dest) const {
    const index_t chunks = row_reduced_ ? 1 : (row_length_ + chunk - 1) / chunk;
    const index_t tasks = outer_outputs_ * chunks;
    // Elements, or rows of a chunk, that one task reduces.
    const index_t items = row_reduced_ ? count_ : reduced_rows_;
    const index_t width = row_reduced_ ? 1 : std::min<index_t>(row_length_, chunk);
    const index_t piece_min = std::max<index_t>(1, min_piece / width);
    const index_t pieces =
        tasks < few_outputs && items >= 2 * piece_min ? std::min(max_pieces, items / piece_min) : 1;
    const index_t work = std::max<index_t>(1, items * width / pieces);
    const index_t grain = std::max<index_t>(1, parallel_grain / work);
    const index_t row_out_stride = out_strides_[IR - 1];

    // Scratch states for the kept-row plan's pairwise levels (one per thread).
    const index_t scratch_size = row_reduced_ ? 0 : scratch_levels((items + pieces - 1) / pieces) * chunk;
    // Unit u: piece u % pieces of task u / pieces. Writes `width` states.
    auto compute = [&](index_t u, state* out, state* scratch, index_t* outer, index_t& out_offset, index_t& c0,
                       index_t& w) {
      const index_t task = u / pieces, piece = u % pieces;
      const index_t lo = items * piece / pieces, hi = items * (piece + 1) / pieces;
      unravel<IR>(task / chunks, sizes_, pad_, pad_ + kept_, outer);
      out_offset = offset_of<IR>(outer, out_strides_, pad_, pad_ + kept_);
      c0 = (task % chunks) * chunk;
      w = row_reduced_ ? 1 : std::min<index_t>(chunk, row_length_ - c0);
      if (row_reduced_) out[0] = range_along_rows(outer, lo, hi);
      else range_of_rows(outer, c0, w, lo, hi, out, scratch);
    };
    auto write = [&](const state* s, index_t out_offset, index_t c0, index_t w) {
      for (index_t i = 0; i < w; ++i) {
        dest[out_offset + (c0 + i) * row_out_stride] = op_.template finish<Out>(s[i], count_);
      }
    };

    if (pieces == 1) {
      parallel_for(tasks, grain, [&](index_t b, index_t e) {
        index_t outer[outer_rank]{};
        const std::unique_ptr<state[]> out(new state[static_cast<std::size_t>(chunk + scratch_size)]);
        for (index_t u = b; u < e; ++u) {
          index_t off = 0, c0 = 0, w = 0;
          compute(u, out.get(), out.get() + chunk, outer, off, c0, w);
          write(out.get(), off, c0, w);
        }
      });
      return;
    }
    // Few outputs: pieces in parallel, then each output's pieces combined.
    // (Not std::vector: the state of amax over bool is bool.)
    const std::unique_ptr<state[]> partial(new state[static_cast<std::size_t>(tasks * pieces * chunk)]);
    parallel_for(tasks * pieces, grain, [&](index_t b, index_t e) {
      index_t outer[outer_rank]{};
      const std::unique_ptr<state[]> scratch(new state[static_cast<std::size_t>(scratch_size)]);
      for (index_t u = b; u < e; ++u) {
        index_t off = 0, c0 = 0, w = 0;
        compute(u, partial.get() + u * chunk, scratch.get(), outer, off, c0, w);
      }
    });
    for (index_t task = 0; task < tasks; ++task) {
      index_t outer[outer_rank]{};
      unravel<IR>(task / chunks, sizes_, pad_, pad_ + kept_, outer);
      const index_t off = offset_of<IR>(outer, out_strides_, pad_, pad_ + kept_);
      const index_t c0 = (task % chunks) * chunk;
      const index_t w = row_reduced_ ? 1 : std::min<index_t>(chunk, row_length_ - c0);
      const state* base = partial.get() + task * pieces * chunk;
      for (index_t i = 0; i < w; ++i) {
        dest[off + (c0 + i) * row_out_stride] = op_.template finish<Out>(combine(base + i, chunk, 0, pieces), count_);
      }
    }
  }
};

}  // namespace reduce_impl

template <class Op, class A, int... Axes, bool KeepDim>
struct root_kernel<reduce_node<Op, A, axes<Axes...>, KeepDim>> {
  static constexpr bool exists = true;
  template <class Out, int R>
  static void run(const strided_view<Out, R>& dest, const reduce_node<Op, A, axes<Axes...>, KeepDim>& node) {
    constexpr std::uint32_t mask = (0u | ... | (1u << Axes));
    reduce_impl::reduce_kernel<Op, A>::run(dest.data, dest.numel(), node.arg(), node.op, mask);
  }
};

}  // namespace ctrace::cpu_backend
