// cumsum_node<Axis, A>: running sums along one axis (torch.cumsum).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/core/dtype.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct cumsum {
  static constexpr std::string_view name = "cumsum";
};
}  // namespace op

// PyTorch's result type: bool and integers accumulate to int64, floating
// types keep their type.
template <class T>
using cumsum_result_t = std::conditional_t<is_floating_dtype_v<T>, T, std::int64_t>;

// result[..., i, ...] = sum of x[..., j, ...] for j <= i along Axis (normalized).
template <int Axis, class A>
struct cumsum_node : node_base<cumsum_node<Axis, A>> {
  using value_type = cumsum_result_t<typename A::value_type>;
  using shape_type = typename A::shape_type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = op::cumsum::name;
  static constexpr promotion_priority priority = priority_of<cumsum_node>;
  static constexpr int axis = Axis;

  children_type children;

  const A& arg() const { return children.c0; }
  sizes_t<shape_type::rank> sizes() const { return arg().sizes(); }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

}  // namespace ctrace
