// Derivatives of the nodes that in-place ops are rewritten to, so gradients
// flow through add_, slice assignment and index_put_ inside a traced function:
//   update_node:    the whole value, summed back to the value's shape
//   scatter_node:   base gets g with the written view zeroed; the source
//                   gets g read through the view
//   index_put_node: base gets g with the written rows zeroed; the values get
//                   the rows of g (nothing flows into the indices)
#pragma once

#include "ctrace/api/indexing.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/update.hpp"

namespace ctrace::autodiff {

template <int Input, int Version, class Value, class Shape>
struct rule<update_node<Input, Version, Value, Shape>> : rule_base {
  template <std::size_t, class G>
  static auto vjp(const update_node<Input, Version, Value, Shape>& n, const G& g) {
    return sum_to<typename Value::shape_type>(g, n.value().sizes());
  }
};

template <class Op, class X, class V>
struct rule<scatter_node<Op, X, V>> : rule_base {
  template <std::size_t K, class G>
  static auto vjp(const scatter_node<Op, X, V>& n, const G& g) {
    if constexpr (K == 0) {
      auto gn = to_node(g);
      auto z = zeros_like(n.source());
      return scatter_node<Op, decltype(gn), decltype(z)>{{}, {std::move(gn), std::move(z)}, n.op};
    } else {
      return sum_to<typename V::shape_type>(ctrace::detail::make_movement(g, n.op), n.source().sizes());
    }
  }
};

template <class X, class I, class V>
struct rule<index_put_node<X, I, V>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child != 1; }
  template <std::size_t K, class G>
  static auto vjp(const index_put_node<X, I, V>& n, const G& g) {
    if constexpr (K == 0) {
      auto gn = to_node(g);
      auto z = zeros_like(n.source());
      return index_put_node<decltype(gn), I, decltype(z)>{{}, {std::move(gn), n.index(), std::move(z)}};
    } else {
      return sum_to<typename V::shape_type>(index_select<0>(g, n.index()), n.source().sizes());
    }
  }
};

}  // namespace ctrace::autodiff
