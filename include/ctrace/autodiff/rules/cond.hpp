// Derivative of cond(pred, a, b): the branch that was taken gets the
// cotangent, the other zeros (a where over the one-element predicate, so
// nothing but elementwise work). Nothing flows into the predicate.
#pragma once

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/control.hpp"

namespace ctrace::autodiff {

template <class P, class A, class B>
struct rule<cond_node<P, A, B>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child != 0; }
  template <std::size_t K, class G>
  static auto vjp(const cond_node<P, A, B>& n, const G& g) {
    if constexpr (K == 1) return sum_to<typename A::shape_type>(where(n.pred(), g, flit<0>), n.on_true().sizes());
    else return sum_to<typename B::shape_type>(where(n.pred(), flit<0>, g), n.on_false().sizes());
  }
};

}  // namespace ctrace::autodiff
