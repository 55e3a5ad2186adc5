// cat_node<Axis, Cs...>: operands laid end to end along one axis (torch.cat),
// the result's extent there being the sum of theirs (N + M, or 6 for 2 and 4).
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/join_shape.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct cat {
  static constexpr std::string_view name = "cat";
};
}  // namespace op

// The operands already have the result's element type (the API casts them);
// Axis is normalized. Sizes are checked and summed once, when the node is built.
template <int Axis, class... Cs>
struct cat_node : node_base<cat_node<Axis, Cs...>> {
  using value_type = typename std::tuple_element_t<0, std::tuple<Cs...>>::value_type;
  using shape_type = shape_from<join_shapes<op::cat, Axis, typename Cs::shape_type...>::dims>;
  using device_type = common_device_t<typename Cs::device_type...>;
  using children_type = std::tuple<Cs...>;
  static constexpr std::string_view name = op::cat::name;
  static constexpr promotion_priority priority = priority_of<cat_node>;
  static constexpr int axis = Axis;

  children_type children;
  sizes_t<shape_type::rank> result_sizes;

  const sizes_t<shape_type::rank>& sizes() const { return result_sizes; }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

}  // namespace ctrace
