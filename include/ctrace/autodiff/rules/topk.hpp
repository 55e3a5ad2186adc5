// Derivative of topk's values along an axis: each selected value's cotangent
// goes back to the position it was taken from (scatter_add of g into zeros of
// x's shape at topk's indices); the rest of x gets none. The indices are
// integers: nothing flows.
#pragma once

#include "ctrace/api/scatter.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/topk.hpp"

namespace ctrace::autodiff {

template <int Axis, std::int64_t K, result_part Part, class A>
struct rule<topk_node<Axis, K, Part, A>> : rule_base {
  static constexpr bool differentiable(std::size_t) { return Part == result_part::values; }
  template <std::size_t, class G>
  static auto vjp(const topk_node<Axis, K, Part, A>& n, const G& g) {
    static_assert(Part == result_part::values, "ctrace: topk's indices carry no gradient");
    topk_node<Axis, K, result_part::indices, A> indices{{}, {n.arg()}, n.k};
    return scatter_add<Axis>(zeros_like(n.arg()), std::move(indices), g);
  }
};

}  // namespace ctrace::autodiff
