// cast_node<To, A>: converts each element to another type (x.to<double>()).
#pragma once

#include <tuple>

#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct cast {
  static constexpr std::string_view name = "cast";
};
}  // namespace op

template <class To, class A>
struct cast_node : node_base<cast_node<To, A>> {
  using value_type = To;
  using shape_type = typename A::shape_type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = "cast";
  static constexpr bool is_cast_node = true;
  // A cast keeps its operand's standing in promotion (PyTorch casts produce tensors).
  static constexpr promotion_priority priority = A::priority;

  children_type children;

  const A& arg() const { return children.c0; }
  sizes_t<shape_type::rank> sizes() const { return arg().sizes(); }
};

// The node converted to type To: itself when it has that type already, a
// folded constant for scalar leaves, else a cast node.
template <class To, class Node>
auto cast_to(Node&& n) {
  using N = std::remove_cvref_t<Node>;
  if constexpr (std::is_same_v<typename N::value_type, To>) {
    return N(std::forward<Node>(n));
  } else if constexpr (requires { N::is_scalar_leaf; }) {
    return typename N::template rebind<To>{{}, convert<To>(n.value)};
  } else if constexpr (requires { N::is_literal; }) {
    return typename N::template rebind<To>{};  // the value stays in the type
  } else {
    return cast_node<To, N>{{}, {std::forward<Node>(n)}};
  }
}

}  // namespace ctrace
