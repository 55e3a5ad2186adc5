// matmul_node<A, B>: the matrix product of two operands, torch.matmul's rules
// (dot, matrix-vector, matrix-matrix, broadcast batches).
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/core/linalg_shape.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

// Both operands already have the result's element type (the API inserts the
// casts); sizes are checked and computed once, when the node is built.
template <class A, class B>
struct matmul_node : node_base<matmul_node<A, B>> {
  using value_type = typename A::value_type;
  using shape_type = typename matmul_shape<typename A::shape_type, typename B::shape_type>::type;
  using device_type = common_device_t<typename A::device_type, typename B::device_type>;
  using children_type = node_children<A, B>;
  static constexpr std::string_view name = "matmul";
  static constexpr promotion_priority priority = priority_of<matmul_node>;

  children_type children;
  sizes_t<shape_type::rank> result_sizes;

  const A& lhs() const { return children.c0; }
  const B& rhs() const { return children.c1; }
  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
  std::string attributes() const { return {}; }
};

}  // namespace ctrace
