// Derivatives of the reductions (reduce_node): the cotangent, with the
// reduced dims put back as size 1, broadcast over the reduced elements.
//   sum:  g                     mean: g / count
//   amax, amin: g split evenly among the elements equal to the extreme
//   prod: g * y / x (x must have no zeros)
//   var:  g * 2 (x - mean) / (count - correction)
//   std:  g * (x - mean) / ((count - correction) * y)
// argmax/argmin give integers: nothing flows.
#pragma once

#include <cstddef>
#include <utility>

#include "ctrace/api/reduce.hpp"
#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/reduce.hpp"

namespace ctrace::autodiff {

template <class Op, class A, int... Axes, bool KeepDim>
struct rule<reduce_node<Op, A, axes<Axes...>, KeepDim>> : rule_base {
  using node_t = reduce_node<Op, A, axes<Axes...>, KeepDim>;
  using in_shape = typename A::shape_type;
  using keep_shape = typename reduce_shape<in_shape, true, Axes...>::type;
  static constexpr unsigned mask = ((1u << Axes) | ... | 0u);

  static sizes_t<in_shape::rank> keep_sizes(const sizes_t<in_shape::rank>& in) {
    auto s = in;
    ((s[Axes] = 1), ...);
    return s;
  }
  // The reduced element count when the types decide it (else 0).
  static constexpr std::int64_t static_count = [] {
    std::int64_t c = 1;
    for (int a : {Axes...}) {
      if (!in_shape::extents[a].is_static()) return std::int64_t{0};
      c *= in_shape::extents[a].value();
    }
    return c;
  }();
  // g / count: a literal factor when the count is static, so the node stays
  // value-free (merged and computed once in the backward graph).
  template <class G>
  static auto divide_by_count(const G& g, const sizes_t<in_shape::rank>& in) {
    if constexpr (static_count > 0) return g * constant<typename A::value_type, 1, static_count>;
    else return g / count(in);
  }
  static double count(const sizes_t<in_shape::rank>& in) {
    index_t c = 1;
    ((c *= in[Axes]), ...);
    return static_cast<double>(c);
  }
  // Reduced over leading dims only: the result broadcasts back as it is.
  static constexpr bool leading = [] {
    int k = 0;
    return ((Axes == k++) && ...);
  }();
  // v (the node's shape) with the reduced dims as size 1 (or, reduced over
  // leading dims, as it is: broadcasting puts them back in front).
  template <class V>
  static auto kept(const V& v, const sizes_t<in_shape::rank>& in) {
    if constexpr (KeepDim || leading) return to_node(v);
    else return reshape_to<keep_shape>(v, keep_sizes(in));
  }

  template <std::size_t... I>
  static auto evaluated_once(const A& x, std::index_sequence<I...>) {
    return permute<static_cast<int>(I)...>(x);
  }

  template <std::size_t, class G>
  static auto vjp(const node_t& n, const G& g) {
    const auto& x = n.arg();
    const auto in = x.sizes();
    auto gk = kept(g, in);
    if constexpr (std::is_same_v<Op, op::sum>) {
      return expand_to<in_shape>(gk, in);
    } else if constexpr (std::is_same_v<Op, op::mean>) {
      return expand_to<in_shape>(divide_by_count(gk, in), in);
    } else if constexpr ((std::is_same_v<Op, op::amax> || std::is_same_v<Op, op::amin>) && in_shape::rank > 0) {
      // x == extreme must find the extreme elements exactly. x recomputed by
      // another fused loop than the forward reduction's can differ from it in
      // the last bit (packet and scalar exp, sin, ... round differently), and
      // then no element matches (0/0). So x is evaluated once into memory (an
      // identity permute is a view of its value) and the extreme is taken
      // again from that memory: one more reduction, every match exact.
      auto xm = evaluated_once(x, std::make_index_sequence<in_shape::rank>{});
      auto extreme = ctrace::detail::make_reduce<Op, true, Axes...>(xm);
      auto hit = cast_to<typename A::value_type>(xm == extreme);
      return hit * (gk / sum_axes<mask, true>(hit));
    } else if constexpr (std::is_same_v<Op, op::amax> || std::is_same_v<Op, op::amin>) {
      return to_node(gk);  // the extreme of one element is that element
    } else if constexpr (std::is_same_v<Op, op::prod>) {
      return gk * kept(n, in) / x;
    } else if constexpr (std::is_same_v<Op, op::var>) {
      auto centered = x - sum_axes<mask, true>(x) / count(in);
      return gk * centered * (2.0 / (count(in) - n.op.correction));
    } else if constexpr (std::is_same_v<Op, op::std_dev>) {
      auto centered = x - sum_axes<mask, true>(x) / count(in);
      return gk * centered / (kept(n, in) * (count(in) - n.op.correction));
    } else {
      static_assert(always_false<Op>, "ctrace: this reduction has no derivative rule (autodiff/rules/reduce.hpp)");
    }
  }
};

}  // namespace ctrace::autodiff
