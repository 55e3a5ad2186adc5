// movement_node<Op, A>: a view (permute, slice, reshape, ...) of an expression
// that is not a tensor. Tensors get views directly; an expression is evaluated
// once by the backend and then read through Op's view.
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/node.hpp"
#include "ctrace/expr/ops/movement_ops.hpp"

namespace ctrace {

// Op is one of the descriptions in expr/ops/movement_ops.hpp; the API has
// already run Op::check on A's shape. Sizes are computed and checked once,
// when the node is built.
template <class Op, class A>
struct movement_node : node_base<movement_node<Op, A>> {
  using value_type = typename A::value_type;
  using shape_type = typename Op::template result_shape<typename A::shape_type>;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = Op::name;
  static constexpr promotion_priority priority = priority_of<movement_node>;

  children_type children;
  Op op;
  sizes_t<shape_type::rank> result_sizes;

  const A& arg() const { return children.c0; }
  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
  std::string attributes() const { return op.attributes(); }
};

template <class T>
inline constexpr bool is_movement_node_v = false;
template <class Op, class A>
inline constexpr bool is_movement_node_v<movement_node<Op, A>> = true;

}  // namespace ctrace
