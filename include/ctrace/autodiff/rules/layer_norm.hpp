// Derivative of layer_norm along an axis, with xhat = (x - mean) * rstd,
// rstd = 1 / sqrt(var + eps) (biased variance) and y = xhat * w + b:
//   dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)),  gh = g * w (or g)
//   dw = sum of g * xhat over every dim but the axis,  db = sum of g likewise
// (means along the axis). Built from public ops and layer_norm itself, so the
// backward graph can be differentiated again.
#pragma once

#include <cstddef>
#include <tuple>

#include "ctrace/api/reduce.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/layer_norm.hpp"

namespace ctrace::autodiff {

template <int Axis, class A, class... Affine>
struct rule<layer_norm_node<Axis, A, Affine...>> : rule_base {
  using node_t = layer_norm_node<Axis, A, Affine...>;
  static constexpr int rank = A::shape_type::rank;
  // Every dim but the axis: what the weight and bias are broadcast over.
  static constexpr unsigned others = ((rank >= 32 ? ~0u : (1u << rank) - 1u)) & ~(1u << Axis);

  // A 1-D weight with size-1 dims after it, so that it broadcasts along Axis.
  template <int Count, class W>
  static auto along_axis(const W& w) {
    if constexpr (Count == 0) return to_node(w);
    else return along_axis<Count - 1>(unsqueeze<-1>(w));
  }

  // g * weight, or g without one.
  template <class G>
  static auto scaled(const node_t& n, const G& g) {
    if constexpr (node_t::affine) return g * along_axis<rank - 1 - Axis>(n.weight());
    else return to_node(g);
  }

  // v summed over every dim but the axis (none for a 1-D x: sum<>() would
  // sum them all).
  template <class V>
  static auto sum_others(const V& v) {
    if constexpr (others == 0) return to_node(v);
    else return sum_axes<others, false>(v);
  }

  // xhat: x normalized without weight and bias, one layer_norm node (the
  // node itself when it has none). Its derivative is this rule again, so a
  // gradient of the gradient stays small; spelling xhat out with means and
  // rsqrt made the second-order graph too large to compile in reasonable time.
  static auto normalized(const node_t& n) {
    if constexpr (node_t::affine) return layer_norm_node<Axis, A>{{}, {n.arg()}, n.eps};
    else return n;
  }

  template <std::size_t K, class G>
  static auto vjp(const node_t& n, const G& g) {
    using children = typename node_t::children_type;
    auto xhat = normalized(n);
    if constexpr (K == 0) {
      auto rstd = rsqrt(var<Axis>(n.arg(), keepdim, 0.0) + n.eps);
      auto gh = scaled(n, g);
      return rstd * (gh - mean<Axis>(gh, keepdim) - xhat * mean<Axis>(gh * xhat, keepdim));
    } else if constexpr (K == 1) {
      using W = std::tuple_element_t<1, children>;
      return reshape_to<typename W::shape_type>(sum_others(g * xhat), n.weight().sizes());
    } else {
      using B = std::tuple_element_t<2, children>;
      return reshape_to<typename B::shape_type>(sum_others(g), n.bias().sizes());
    }
  }
};

}  // namespace ctrace::autodiff
