// diag_embed_node<Offset, A>: the square matrix with a 1-D operand on its
// diagonal `Offset` and zeros elsewhere (torch.diag_embed of a vector).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/core/linalg_shape.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

template <std::int64_t Offset, class A>
struct diag_embed_node : node_base<diag_embed_node<Offset, A>> {
  using value_type = typename A::value_type;
  using shape_type = typename diag_embed_shape<typename A::shape_type, Offset>::type;
  using device_type = typename A::device_type;
  using children_type = node_children<A>;
  static constexpr std::string_view name = "diag_embed";
  static constexpr promotion_priority priority = priority_of<diag_embed_node>;
  static constexpr std::int64_t offset = Offset;

  children_type children;
  sizes_t<2> result_sizes;

  const A& arg() const { return children.c0; }
  const sizes_t<2>& sizes() const { return result_sizes; }
  std::string attributes() const { return "offset=" + std::to_string(Offset); }
};

}  // namespace ctrace
