// Derivative of cumsum along an axis: element j feeds every output i >= j, so
// its cotangent is the reverse running sum of g, written with the ops at hand
// as sum(g) - cumsum(g) + g (no flip op is needed, and the result stays
// differentiable). Integer cumsums give int64: nothing flows.
#pragma once

#include "ctrace/api/scan.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/cumsum.hpp"

namespace ctrace::autodiff {

template <int Axis, class A>
struct rule<cumsum_node<Axis, A>> : rule_base {
  template <std::size_t, class G>
  static auto vjp(const cumsum_node<Axis, A>&, const G& g) {
    return sum<Axis>(g, keepdim) - cumsum<Axis>(g) + g;
  }
};

}  // namespace ctrace::autodiff
