// gather_node<Axis, X, I>: x's elements picked along one axis at the positions
// an integer index tensor holds (torch.gather).
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct gather {
  static constexpr std::string_view name = "gather";
};
}  // namespace op

// result[i_0, ..., i_n] = x[i_0, ..., index[i_0, ..., i_n], ..., i_n], the index
// standing at position Axis (already normalized). The result has the index's
// shape; index values are checked against x's dim Axis when the node runs.
template <int Axis, class X, class I>
struct gather_node : node_base<gather_node<Axis, X, I>> {
  using value_type = typename X::value_type;
  using shape_type = typename I::shape_type;
  using device_type = common_device_t<typename X::device_type, typename I::device_type>;
  using children_type = node_children<X, I>;
  static constexpr std::string_view name = op::gather::name;
  static constexpr promotion_priority priority = priority_of<gather_node>;
  static constexpr int axis = Axis;

  children_type children;
  sizes_t<shape_type::rank> result_sizes;

  const X& source() const { return children.c0; }
  const I& index() const { return children.c1; }
  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

}  // namespace ctrace
