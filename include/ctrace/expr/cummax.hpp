// cummax_node<Axis, Part, A>: running maximum along one axis and where it was
// found (torch.cummax); Part picks the values or the int64 indices.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/expr/node.hpp"
#include "ctrace/expr/values_indices.hpp"

namespace ctrace {

namespace op {
struct cummax {
  static constexpr std::string_view name = "cummax";
};
}  // namespace op

// values[..., i, ...] = max of x[..., j, ...] for j <= i along Axis (normalized);
// indices hold the j it came from: the latest j on ties, and a NaN, once seen,
// stays the value with the index of the latest NaN (PyTorch's CPU kernel).
template <int Axis, result_part Part, class A>
struct cummax_node : node_base<cummax_node<Axis, Part, A>> {
  using value_type = std::conditional_t<Part == result_part::values, typename A::value_type, std::int64_t>;
  using shape_type = typename A::shape_type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = op::cummax::name;
  static constexpr promotion_priority priority = priority_of<cummax_node>;
  static constexpr int axis = Axis;
  static constexpr result_part part = Part;

  children_type children;

  const A& arg() const { return children.c0; }
  sizes_t<shape_type::rank> sizes() const { return arg().sizes(); }
  std::string attributes() const {
    return "dim=" + std::to_string(Axis) + ", output=" + std::string(result_part_name(Part));
  }
};

}  // namespace ctrace
