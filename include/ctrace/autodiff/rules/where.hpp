// Derivative of where(cond, a, b): the cotangent goes to the operand each
// element was taken from; nothing flows into the condition.
#pragma once

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/where.hpp"

namespace ctrace::autodiff {

template <class C, class A, class B>
struct rule<where_node<C, A, B>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child != 0; }
  template <std::size_t K, class G>
  static auto vjp(const where_node<C, A, B>& n, const G& g) {
    if constexpr (K == 1) return sum_to<typename A::shape_type>(where(n.cond(), g, flit<0>), n.if_true().sizes());
    else return sum_to<typename B::shape_type>(where(n.cond(), flit<0>, g), n.if_false().sizes());
  }
};

}  // namespace ctrace::autodiff
