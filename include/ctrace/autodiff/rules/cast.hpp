// Derivative of a cast: the cotangent converted back to the operand's type
// (only floating operands receive one).
#pragma once

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/cast.hpp"

namespace ctrace::autodiff {

template <class To, class A>
struct rule<cast_node<To, A>> : rule_base {
  template <std::size_t, class G>
  static auto vjp(const cast_node<To, A>&, const G& g) {
    return cast_to<typename A::value_type>(to_node(g));
  }
};

}  // namespace ctrace::autodiff
