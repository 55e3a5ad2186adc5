// index_add_node<Axis, X, I, V>: x with the slices of v added along one axis at
// the positions a 1-D integer index holds (torch.index_add); repeated
// positions add up. The adjoint of index_select.
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/node.hpp"
#include "ctrace/expr/value_free.hpp"

namespace ctrace {

namespace op {
struct index_add {
  static constexpr std::string_view name = "index_add";
};
}  // namespace op

// result = x; then for each j: slice index[j] of result along Axis (normalized)
// += slice j of v. v has x's shape with dim Axis of the index's length and x's
// element type (the API checks and casts it).
template <int Axis, class X, class I, class V>
struct index_add_node : node_base<index_add_node<Axis, X, I, V>> {
  using value_type = typename X::value_type;
  using shape_type = typename X::shape_type;
  using device_type = common_device_t<typename X::device_type, typename I::device_type, typename V::device_type>;
  using children_type = node_children<X, I, V>;
  static constexpr std::string_view name = op::index_add::name;
  static constexpr promotion_priority priority = priority_of<index_add_node>;
  static constexpr int axis = Axis;

  children_type children;

  const X& base() const { return children.c0; }
  const I& index() const { return children.c1; }
  const V& source() const { return children.c2; }
  auto sizes() const { return base().sizes(); }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

// No parameters of its own: equal children give equal values.
template <int Axis, class X, class I, class V>
inline constexpr bool is_value_free_v<index_add_node<Axis, X, I, V>> = true;

}  // namespace ctrace
