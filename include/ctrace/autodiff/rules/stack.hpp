// Derivative of stack along a new axis: operand k's cotangent is index k of
// the cotangent along that axis (select), viewed with the operand's dims.
#pragma once

#include <cstddef>
#include <tuple>

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/stack.hpp"

namespace ctrace::autodiff {

template <int Axis, class... Cs>
struct rule<stack_node<Axis, Cs...>> : rule_base {
  template <std::size_t K, class G>
  static auto vjp(const stack_node<Axis, Cs...>& n, const G& g) {
    using C = std::tuple_element_t<K, std::tuple<Cs...>>;
    const C& c = std::get<K>(n.children);
    return reshape_to<typename C::shape_type>(select<Axis>(g, static_cast<index_t>(K)), c.sizes());
  }
};

}  // namespace ctrace::autodiff
