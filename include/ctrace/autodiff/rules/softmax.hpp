// Derivatives of softmax and log_softmax along their axis:
//   softmax:     dx = y (g - sum(g y))
//   log_softmax: dx = g - exp(y) sum(g)
#pragma once

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/softmax.hpp"

namespace ctrace::autodiff {

template <class Op, class A, int Axis>
struct rule<softmax_node<Op, A, Axis>> : rule_base {
  template <std::size_t, class G>
  static auto vjp(const softmax_node<Op, A, Axis>& n, const G& g) {
    if constexpr (softmax_node<Op, A, Axis>::is_log) return g - exp(n) * sum<Axis>(g, keepdim);
    else return n * (g - sum<Axis>(g * n, keepdim));
  }
};

}  // namespace ctrace::autodiff
