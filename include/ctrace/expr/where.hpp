// where_node<C, A, B>: elementwise choice, cond ? a : b, all three broadcast.
#pragma once

#include <tuple>

#include "ctrace/core/broadcast.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct where {
  static constexpr std::string_view name = "where";
};
}  // namespace op

template <class C, class A, class B>
struct where_node : node_base<where_node<C, A, B>> {
  using value_type = typename A::value_type;
  using value_shape = typename broadcast_shapes<op::where, typename A::shape_type, typename B::shape_type>::type;
  using shape_type = typename broadcast_shapes<op::where, typename C::shape_type, value_shape>::type;
  using device_type =
      common_device_t<typename C::device_type, typename A::device_type, typename B::device_type>;
  using children_type = node_children<C, A, B>;
  static constexpr std::string_view name = "where";
  static constexpr promotion_priority priority = priority_of<where_node>;

  children_type children;
  sizes_t<shape_type::rank> result_sizes;

  const C& cond() const { return children.c0; }
  const A& if_true() const { return children.c1; }
  const B& if_false() const { return children.c2; }
  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
};

}  // namespace ctrace
