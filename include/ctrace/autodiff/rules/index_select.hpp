// Derivative of index_select (and x[idx]) along an axis: slice j of the
// cotangent added back into slice index[j] of zeros of x's shape (index_add),
// so a slice chosen twice gets both. Nothing flows into the index.
#pragma once

#include "ctrace/api/scatter.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/index_select.hpp"

namespace ctrace::autodiff {

template <class Op, int Axis, class X, class I>
struct rule<index_select_node<Op, Axis, X, I>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child == 0; }
  template <std::size_t, class G>
  static auto vjp(const index_select_node<Op, Axis, X, I>& n, const G& g) {
    return index_add<Axis>(zeros_like(n.source()), n.index(), g);
  }
};

}  // namespace ctrace::autodiff
