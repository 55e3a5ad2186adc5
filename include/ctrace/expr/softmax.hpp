// softmax_node<Op, A, Axis>: softmax or log_softmax of A along one axis.
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct softmax {
  static constexpr std::string_view name = "softmax";
};
struct log_softmax {
  static constexpr std::string_view name = "log_softmax";
};
}  // namespace op

// Op is op::softmax or op::log_softmax; Axis is normalized to [0, rank). The
// operand is floating (the API checks it); the result has its type and shape.
template <class Op, class A, int Axis>
struct softmax_node : node_base<softmax_node<Op, A, Axis>> {
  using value_type = typename A::value_type;
  using shape_type = typename A::shape_type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = Op::name;
  static constexpr promotion_priority priority = priority_of<softmax_node>;
  static constexpr int axis = Axis;
  static constexpr bool is_log = std::is_same_v<Op, op::log_softmax>;

  children_type children;

  const A& arg() const { return children.c0; }
  sizes_t<shape_type::rank> sizes() const { return arg().sizes(); }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

}  // namespace ctrace
