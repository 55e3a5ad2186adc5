// Derivative of gather along an axis: the cotangent added back into zeros of
// x's shape at the positions the index read (scatter_add), so an element
// read twice gets both cotangents. Nothing flows into the index.
#pragma once

#include "ctrace/api/scatter.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/gather.hpp"

namespace ctrace::autodiff {

template <int Axis, class X, class I>
struct rule<gather_node<Axis, X, I>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child == 0; }
  template <std::size_t, class G>
  static auto vjp(const gather_node<Axis, X, I>& n, const G& g) {
    return scatter_add<Axis>(zeros_like(n.source()), n.index(), g);
  }
};

}  // namespace ctrace::autodiff
