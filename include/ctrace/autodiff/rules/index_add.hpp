// Derivative of index_add(x, index, v) along an axis: x gets the cotangent as
// it is; v gets the slices of the cotangent its own slices were added to
// (index_select). Nothing flows into the index.
#pragma once

#include "ctrace/api/indexing.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/index_add.hpp"

namespace ctrace::autodiff {

template <int Axis, class X, class I, class V>
struct rule<index_add_node<Axis, X, I, V>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child != 1; }
  template <std::size_t K, class G>
  static auto vjp(const index_add_node<Axis, X, I, V>& n, const G& g) {
    if constexpr (K == 0) return to_node(g);
    else return reshape_to<typename V::shape_type>(index_select<Axis>(g, n.index()), n.source().sizes());
  }
};

}  // namespace ctrace::autodiff
