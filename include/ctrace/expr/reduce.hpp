// reduce_node<Op, A, axes<...>, KeepDim>: one node for every reduction (sum,
// mean, prod, amax, amin, argmax, argmin, var, std) over a set of axes.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/core/axis.hpp"
#include "ctrace/core/error.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/expr/ops/reduce_ops.hpp"

namespace ctrace {

// The shape left after reducing the (normalized, sorted) Axes of Shape: the
// axes are removed, or kept with extent 1.
template <class Shape, bool KeepDim, int... Axes>
struct reduce_shape {
  static constexpr bool reduced([[maybe_unused]] int d) { return ((d == Axes) || ...); }
  static constexpr extent_list list = [] {
    extent_list l{{}, 0};
    for (int i = 0; i < Shape::rank; ++i) {
      if (!reduced(i)) l.items[l.rank++] = Shape::extents[i];
      else if (KeepDim) l.items[l.rank++] = make_extent(1);
    }
    return l;
  }();
  using type = shape_from<list>;
};

template <class Op, class A, class Axes, bool KeepDim>
struct reduce_node;

// Axes are normalized to [0, rank), sorted and distinct (the API makes them
// so). Runtime parameters (var's correction) live in the op.
template <class Op, class A, int... Axes, bool KeepDim>
struct reduce_node<Op, A, axes<Axes...>, KeepDim> : node_base<reduce_node<Op, A, axes<Axes...>, KeepDim>> {
  using value_type = op::reduce_result_t<Op::rule, typename A::value_type>;
  using shape_type = typename reduce_shape<typename A::shape_type, KeepDim, Axes...>::type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = Op::name;
  static constexpr promotion_priority priority = priority_of<reduce_node>;
  static constexpr bool keepdim = KeepDim;
  static constexpr int input_rank = A::shape_type::rank;
  static constexpr std::array<int, sizeof...(Axes)> reduced_axes{Axes...};

  children_type children;
  [[no_unique_address]] Op op;
  sizes_t<shape_type::rank> result_sizes;

  static constexpr bool is_reduced([[maybe_unused]] int d) { return ((d == Axes) || ...); }

  const A& arg() const { return children.c0; }
  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }

  // The result's sizes for an input of `in` sizes. Ops with no value for zero
  // elements (amax, argmax, ...) refuse to reduce an empty dim.
  static sizes_t<shape_type::rank> result_sizes_for(const sizes_t<input_rank>& in) {
    sizes_t<shape_type::rank> out{};
    int k = 0;
    index_t reduced_count = 1;
    for (int i = 0; i < input_rank; ++i) {
      if (!is_reduced(i)) out[k++] = in[i];
      else {
        reduced_count *= in[i];
        if (KeepDim) out[k++] = 1;
      }
    }
    if constexpr (op::reduce_needs_elements<Op>) {
      if (reduced_count == 0) {
        detail::raise(Op::name, ": cannot reduce over zero elements: input sizes ", sizes_to_string(in),
                      ", reduced dims ", dims_text());
      }
    }
    return out;
  }

  // "dims=[0, 2], keepdim=false", plus the op's own (correction=1).
  std::string attributes() const {
    std::string s = "dims=" + dims_text() + ", keepdim=" + (KeepDim ? "true" : "false");
    std::string extra = op.attributes();
    return extra.empty() ? s : s + ", " + extra;
  }

 private:
  static std::string dims_text() {
    std::string s = "[";
    for (std::size_t i = 0; i < reduced_axes.size(); ++i) {
      if (i) s += ", ";
      s += std::to_string(reduced_axes[i]);
    }
    return s + "]";
  }
};

}  // namespace ctrace
