// layer_norm_node<Axis, A, Affine...>: A normalized along one axis to zero mean
// and unit (biased) variance, then scaled and shifted by weight and bias.
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/core/error.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct layer_norm {
  static constexpr std::string_view name = "layer_norm";
};
}  // namespace op

// Affine is empty, or the weight and bias nodes (1-D, the axis's size; the API
// checks them). Axis is normalized to [0, rank).
template <int Axis, class A, class... Affine>
struct layer_norm_node : node_base<layer_norm_node<Axis, A, Affine...>> {
  static_assert(sizeof...(Affine) == 0 || sizeof...(Affine) == 2,
                "ctrace: layer_norm_node takes a weight and a bias, or neither");
  using value_type = typename A::value_type;
  using shape_type = typename A::shape_type;
  using device_type = common_device_t<typename A::device_type, typename Affine::device_type...>;
  using children_type = node_children<A, Affine...>;
  static constexpr std::string_view name = op::layer_norm::name;
  static constexpr promotion_priority priority = priority_of<layer_norm_node>;
  static constexpr int axis = Axis;
  static constexpr bool affine = sizeof...(Affine) == 2;

  children_type children;
  double eps;

  const A& arg() const { return children.c0; }
  const auto& weight() const
    requires affine
  {
    return children.c1;
  }
  const auto& bias() const
    requires affine
  {
    return children.c2;
  }
  sizes_t<shape_type::rank> sizes() const { return arg().sizes(); }
  std::string attributes() const {
    return detail::concat("dim=", Axis, ", eps=", eps, ", affine=", affine ? "true" : "false");
  }
};

}  // namespace ctrace
