// Derivative of scatter_add(x, index, src) along an axis: x gets the
// cotangent as it is; src gets the cotangent at the positions its elements
// were added to (gather). Nothing flows into the index.
#pragma once

#include "ctrace/api/indexing.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/core/error.hpp"
#include "ctrace/expr/scatter_add.hpp"

namespace ctrace::autodiff {

template <int Axis, class X, class I, class S>
struct rule<scatter_add_node<Axis, X, I, S>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child != 1; }
  template <std::size_t K, class G>
  static auto vjp(const scatter_add_node<Axis, X, I, S>& n, const G& g) {
    if constexpr (K == 0) {
      return to_node(g);
    } else {
      // torch lets src be larger than the index (its extra elements are not
      // read); their zero cotangent would need padding that no op here does.
      if (n.index().sizes() != n.source().sizes()) {
        ctrace::detail::raise("gradient of scatter_add: the source has sizes ", sizes_to_string(n.source().sizes()),
                              " but the index has ", sizes_to_string(n.index().sizes()),
                              "; differentiating with respect to a source larger than the index is not supported");
      }
      return reshape_to<typename S::shape_type>(gather<Axis>(g, n.index()), n.source().sizes());
    }
  }
};

}  // namespace ctrace::autodiff
