// binary_node<Op, A, B>: an elementwise function of two operands, broadcast.
#pragma once

#include <tuple>

#include "ctrace/core/broadcast.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/expr/ops/binary_ops.hpp"

namespace ctrace {

// Both operands already have the op's compute type; sizes are the broadcast
// result, computed (and checked) once when the node is built.
template <class Op, class A, class B>
struct binary_node : node_base<binary_node<Op, A, B>> {
  using value_type = op::binary_result_t<Op::rule, typename A::value_type>;
  using shape_type = typename broadcast_shapes<Op, typename A::shape_type, typename B::shape_type>::type;
  using device_type = common_device_t<typename A::device_type, typename B::device_type>;
  using children_type = node_children<A, B>;  // the operand types; held directly as c0, c1
  using op_type = Op;
  static constexpr std::string_view name = Op::name;
  static constexpr promotion_priority priority = priority_of<binary_node>;

  A c0;
  B c1;
  [[no_unique_address]] Op op;
  sizes_t<shape_type::rank> result_sizes;

  const A& lhs() const { return c0; }
  const B& rhs() const { return c1; }
  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
};

}  // namespace ctrace
