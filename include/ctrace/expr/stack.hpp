// stack_node<Axis, Cs...>: operands of one shape joined along a new axis
// (torch.stack); the new dim's extent is the number of operands.
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/core/shape_ops.hpp"
#include "ctrace/expr/join_shape.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct stack {
  static constexpr std::string_view name = "stack";
};
}  // namespace op

// Operand k becomes index k of the new dim Axis (normalized into [0, rank]).
// The operands already have the result's element type (the API casts them).
template <int Axis, class... Cs>
struct stack_node : node_base<stack_node<Axis, Cs...>> {
  using value_type = typename std::tuple_element_t<0, std::tuple<Cs...>>::value_type;
  using operand_shape = shape_from<join_shapes<op::stack, -1, typename Cs::shape_type...>::dims>;
  using shape_type =
      typename insert_axis_shape<operand_shape, Axis, make_extent(static_cast<std::int64_t>(sizeof...(Cs)))>::type;
  using device_type = common_device_t<typename Cs::device_type...>;
  using children_type = std::tuple<Cs...>;
  static constexpr std::string_view name = op::stack::name;
  static constexpr promotion_priority priority = priority_of<stack_node>;
  static constexpr int axis = Axis;

  children_type children;
  sizes_t<shape_type::rank> result_sizes;

  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

}  // namespace ctrace
