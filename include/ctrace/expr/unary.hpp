// unary_node<Op, A>: an elementwise function of one operand.
#pragma once

#include <tuple>

#include "ctrace/expr/node.hpp"
#include "ctrace/expr/ops/unary_ops.hpp"

namespace ctrace {

// The operand already has the op's compute type (the API inserts the cast).
template <class Op, class A>
struct unary_node : node_base<unary_node<Op, A>> {
  using value_type = op::unary_result_t<Op::rule, typename A::value_type>;
  using shape_type = typename A::shape_type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;  // the operand type; held directly as c0
  using op_type = Op;
  static constexpr std::string_view name = Op::name;
  static constexpr promotion_priority priority = priority_of<unary_node>;

  A c0;
  [[no_unique_address]] Op op;

  const A& arg() const { return c0; }
  sizes_t<shape_type::rank> sizes() const { return arg().sizes(); }
};

}  // namespace ctrace
