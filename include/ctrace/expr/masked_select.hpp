// masked_select_node<X, M>: the elements of x where a bool mask is true, as a
// 1-D tensor whose length is known only at run time (torch.masked_select).
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace op {
struct masked_select {
  static constexpr std::string_view name = "masked_select";
};
}  // namespace op

// The result's length depends on the mask's values, so the API evaluates the
// mask when the node is built: M is a tensor leaf holding the mask already
// broadcast to the common shape of x and mask, and `count` its number of true
// elements. x stays an expression, read broadcast into the mask's sizes.
template <class X, class M>
struct masked_select_node : node_base<masked_select_node<X, M>> {
  using value_type = typename X::value_type;
  using shape_type = ctrace::shape<dyn_dim>;
  using device_type = common_device_t<typename X::device_type, typename M::device_type>;
  using children_type = node_children<X, M>;
  static constexpr std::string_view name = op::masked_select::name;
  static constexpr promotion_priority priority = priority_of<masked_select_node>;

  children_type children;
  index_t count;

  const X& source() const { return children.c0; }
  const M& mask() const { return children.c1; }
  sizes_t<1> sizes() const { return {count}; }
  std::string attributes() const { return {}; }
};

}  // namespace ctrace
