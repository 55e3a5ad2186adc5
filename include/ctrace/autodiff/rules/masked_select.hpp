// Derivative of masked_select: the cotangent (one value per selected element,
// in row-major order) put back where the mask is true, zeros elsewhere, and
// summed back to x's shape where x was broadcast to the mask's. Written with
// the public ops: element e of the flat mask is the r-th true one for
// r = cumsum(mask)[e], so it reads [0, g...][mask ? r : 0] (an index_select,
// whose rule is an index_add: differentiable again, and no out-of-range read
// when nothing is selected). Nothing flows into the mask.
#pragma once

#include "ctrace/api/indexing.hpp"
#include "ctrace/api/join.hpp"
#include "ctrace/api/scan.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/masked_select.hpp"
#include "ctrace/tensor/factories.hpp"

namespace ctrace::autodiff {

template <class X, class M>
struct rule<masked_select_node<X, M>> : rule_base {
  static constexpr bool differentiable(std::size_t child) { return child == 0; }
  template <std::size_t, class G>
  static auto vjp(const masked_select_node<X, M>& n, const G& g) {
    using T = typename X::value_type;
    using MS = typename M::shape_type;
    const auto& mask = n.mask();
    auto flat = reshape<-1>(mask);
    auto rank = where(flat, cumsum<0>(flat), lit<0>);
    auto padded = cat<0>(zeros<T, 1>(), g);
    auto full = reshape_to<MS>(index_select<0>(padded, rank), mask.sizes());
    return sum_to<typename X::shape_type>(full, n.source().sizes());
  }
};

}  // namespace ctrace::autodiff
