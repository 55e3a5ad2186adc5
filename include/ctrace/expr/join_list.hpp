// join_list_node<Op, Axis, T, Shape, Device>: cat or stack of a list of
// tensors whose length is known only at run time (std::vector, std::span).
#pragma once

#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ctrace/core/shape_ops.hpp"
#include "ctrace/expr/cat.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/expr/stack.hpp"
#include "ctrace/tensor/tensor_fwd.hpp"

namespace ctrace {

// Op is op::cat (the parts laid end to end along Axis) or op::stack (a new
// dim Axis, one index per part); either way the joined dim is dyn. The parts
// are a run-time list, not a tuple of children: a graph sees them as one
// variadic input. They share the node's element type, shape type and device.
template <class Op, int Axis, class T, class Shape, class Device>
struct join_list_node : node_base<join_list_node<Op, Axis, T, Shape, Device>> {
  static constexpr bool is_stack = std::is_same_v<Op, op::stack>;
  using value_type = T;
  using shape_type = typename std::conditional_t<is_stack, insert_axis_shape<Shape, Axis, dyn>,
                                                 replace_axis_shape<Shape, Axis, dyn>>::type;
  using device_type = Device;
  using children_type = std::tuple<>;
  static constexpr std::string_view name = Op::name;
  static constexpr promotion_priority priority = priority_of<join_list_node>;
  static constexpr int axis = Axis;

  std::vector<tensor<T, Shape, Device>> parts;
  sizes_t<shape_type::rank> result_sizes;

  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
  std::string attributes() const {
    return "dim=" + std::to_string(Axis) + ", parts=" + std::to_string(parts.size());
  }
};

}  // namespace ctrace
