// Derivative of cummax's values along an axis: output i is the element at
// indices[i], so the cotangent is added back at those positions
// (scatter_add over zeros; an element that stays the maximum for several
// outputs gets all their cotangents). The indices are integers: nothing flows.
#pragma once

#include "ctrace/api/scatter.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/cummax.hpp"

namespace ctrace::autodiff {

template <int Axis, result_part Part, class A>
struct rule<cummax_node<Axis, Part, A>> : rule_base {
  static constexpr bool differentiable(std::size_t) { return Part == result_part::values; }
  template <std::size_t, class G>
  static auto vjp(const cummax_node<Axis, Part, A>& n, const G& g) {
    static_assert(Part == result_part::values, "ctrace: cummax's indices carry no gradient");
    cummax_node<Axis, result_part::indices, A> indices{{}, {n.arg()}};
    return scatter_add<Axis>(zeros_like(n.arg()), std::move(indices), g);
  }
};

}  // namespace ctrace::autodiff
