// Derivative of diag_embed: the operand's cotangent is the cotangent's
// diagonal at the same offset (the zeros around it came from no input).
#pragma once

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/diag_embed.hpp"

namespace ctrace::autodiff {

template <std::int64_t Offset, class A>
struct rule<diag_embed_node<Offset, A>> : rule_base {
  template <std::size_t, class G>
  static auto vjp(const diag_embed_node<Offset, A>& n, const G& g) {
    return reshape_to<typename A::shape_type>(diagonal<Offset>(g), n.arg().sizes());
  }
};

}  // namespace ctrace::autodiff
