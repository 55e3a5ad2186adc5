// index_select_node<Op, Axis, X, I>: whole slices of x along one axis, chosen
// by a 1-D integer index (torch.index_select; x[idx] is the Axis = 0 case).
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/core/shape_ops.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct index_select {
  static constexpr std::string_view name = "index_select";
};
// x[idx]: index_select along dim 0, named apart so that errors say `index`.
struct index {
  static constexpr std::string_view name = "index";
};
}  // namespace op

// x with dim Axis (normalized) replaced by the index's length; slice j of the
// result is slice index[j] of x. Op (op::index_select or op::index) names the
// node in errors and in the IR.
template <class Op, int Axis, class X, class I>
struct index_select_node : node_base<index_select_node<Op, Axis, X, I>> {
  using value_type = typename X::value_type;
  using shape_type = typename replace_axis_shape<typename X::shape_type, Axis, I::shape_type::extents[0]>::type;
  using device_type = common_device_t<typename X::device_type, typename I::device_type>;
  using children_type = node_children<X, I>;
  static constexpr std::string_view name = Op::name;
  static constexpr promotion_priority priority = priority_of<index_select_node>;
  static constexpr int axis = Axis;

  children_type children;
  sizes_t<shape_type::rank> result_sizes;

  const X& source() const { return children.c0; }
  const I& index() const { return children.c1; }
  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

}  // namespace ctrace
