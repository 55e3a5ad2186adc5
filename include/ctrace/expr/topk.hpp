// topk_node<Axis, K, Part, A>: the k largest elements along one axis, sorted
// largest first, and their int64 indices (torch.topk); Part picks which.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/core/shape_ops.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/expr/values_indices.hpp"

namespace ctrace {

namespace op {
struct topk {
  static constexpr std::string_view name = "topk";
};
}  // namespace op

// K >= 0 is a static k (the result's dim Axis is K); K == -1 means k is known
// only at run time (the dim is dyn). `k` holds the value either way. NaN ranks
// above every number; equal values keep the lower index first.
template <int Axis, std::int64_t K, result_part Part, class A>
struct topk_node : node_base<topk_node<Axis, K, Part, A>> {
  using value_type = std::conditional_t<Part == result_part::values, typename A::value_type, std::int64_t>;
  using shape_type = typename replace_axis_shape<typename A::shape_type, Axis, (K >= 0 ? make_extent(K) : dyn)>::type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = op::topk::name;
  static constexpr promotion_priority priority = priority_of<topk_node>;
  static constexpr int axis = Axis;
  static constexpr result_part part = Part;

  children_type children;
  index_t k;

  const A& arg() const { return children.c0; }
  sizes_t<shape_type::rank> sizes() const {
    auto s = arg().sizes();
    s[Axis] = k;
    return s;
  }
  std::string attributes() const {
    return "k=" + std::to_string(k) + ", dim=" + std::to_string(Axis) + ", largest=true, sorted=true, output=" +
           std::string(result_part_name(Part));
  }
};

}  // namespace ctrace
