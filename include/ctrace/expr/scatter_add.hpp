// scatter_add_node<Axis, X, I, S>: x with each element of src added at the
// position an integer index of the same shape names along one axis
// (torch.scatter_add); repeated positions add up. The adjoint of gather.
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/node.hpp"
#include "ctrace/expr/value_free.hpp"

namespace ctrace {

namespace op {
struct scatter_add {
  static constexpr std::string_view name = "scatter_add";
};
}  // namespace op

// result = x; then for every position i of the index:
//   result[i_0, ..., index[i], ..., i_n] += src[i]
// index[i] standing at position Axis (normalized). The index has x's rank and
// is no longer than x in the other dims nor than src in any; src has x's
// element type (the API checks and casts it).
template <int Axis, class X, class I, class S>
struct scatter_add_node : node_base<scatter_add_node<Axis, X, I, S>> {
  using value_type = typename X::value_type;
  using shape_type = typename X::shape_type;
  using device_type = common_device_t<typename X::device_type, typename I::device_type, typename S::device_type>;
  using children_type = node_children<X, I, S>;
  static constexpr std::string_view name = op::scatter_add::name;
  static constexpr promotion_priority priority = priority_of<scatter_add_node>;
  static constexpr int axis = Axis;

  children_type children;

  const X& base() const { return children.c0; }
  const I& index() const { return children.c1; }
  const S& source() const { return children.c2; }
  auto sizes() const { return base().sizes(); }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

// No parameters of its own: equal children give equal values.
template <int Axis, class X, class I, class S>
inline constexpr bool is_value_free_v<scatter_add_node<Axis, X, I, S>> = true;

}  // namespace ctrace
