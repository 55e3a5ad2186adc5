// Derivative of matmul (torch.matmul's cases): vectors are lifted to
// matrices (a [k] as [1, k], b [k] as [k, 1], the cotangent likewise), then
//   da = g b^T,  db = a^T g,
// summed over broadcast batch dims and viewed back with the operand's dims.
#pragma once

#include "ctrace/api/linalg.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/matmul.hpp"

namespace ctrace::autodiff {

template <class A, class B>
struct rule<matmul_node<A, B>> : rule_base {
  static constexpr int ra = A::shape_type::rank;
  static constexpr int rb = B::shape_type::rank;

  static auto lift_a(const A& a) {
    if constexpr (ra == 1) return unsqueeze<0>(a);
    else return a;
  }
  static auto lift_b(const B& b) {
    if constexpr (rb == 1) return unsqueeze<1>(b);
    else return b;
  }
  template <class G>
  static auto lift_g(const G& g) {
    if constexpr (ra == 1 && rb == 1) return unsqueeze<0>(unsqueeze<0>(g));
    else if constexpr (ra == 1) return unsqueeze<-2>(g);
    else if constexpr (rb == 1) return unsqueeze<-1>(g);
    else return to_node(g);
  }

  template <std::size_t K, class G>
  static auto vjp(const matmul_node<A, B>& n, const G& g) {
    auto a2 = lift_a(n.lhs());
    auto b2 = lift_b(n.rhs());
    auto g2 = lift_g(g);
    if constexpr (K == 0) {
      using S2 = typename node_of_t<decltype(a2)>::shape_type;
      auto d = sum_to<S2>(matmul(g2, transpose<-2, -1>(b2)), a2.sizes());
      return reshape_to<typename A::shape_type>(d, n.lhs().sizes());
    } else {
      using S2 = typename node_of_t<decltype(b2)>::shape_type;
      auto d = sum_to<S2>(matmul(transpose<-2, -1>(a2), g2), b2.sizes());
      return reshape_to<typename B::shape_type>(d, n.rhs().sizes());
    }
  }
};

}  // namespace ctrace::autodiff
