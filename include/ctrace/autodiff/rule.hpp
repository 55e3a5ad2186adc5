// rule<Node>: how a cotangent flows through one node type (reverse mode).
//
//   static constexpr bool differentiable(std::size_t child)
//       false where nothing flows: conditions, indices, detach, rounding;
//   template <std::size_t Child, class G> static auto vjp(const Node& n, const G& g)
//       the cotangent of child `Child` given g, the cotangent of n (n's shape
//       and type). The result has the child's shape; its type is converted
//       to the child's by the sweep.
//
// Each op's rule lives in its own header under autodiff/rules/. A rule only
// builds expressions with the public ops, so the backward graph is a graph
// like any other: printed, fused, and differentiable again (grad of grad).
// The helpers here undo broadcasting and reductions at the type level: which
// axes to sum or expand is decided while compiling, from the extents.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/api/movement.hpp"
#include "ctrace/api/reduce.hpp"
#include "ctrace/api/sizes.hpp"
#include "ctrace/core/error.hpp"

namespace ctrace::autodiff {

// No rule: the sweep reports the node's op when a gradient must pass it.
template <class Node>
struct rule {
  static constexpr bool defined = false;
  static constexpr bool differentiable(std::size_t) { return true; }
};

struct rule_base {
  static constexpr bool defined = true;
  static constexpr bool differentiable(std::size_t) { return true; }
};

// A literal of type T: value-free, so equal uses merge in the graph.
template <class T, std::int64_t Num, std::int64_t Den = 1>
inline constexpr auto constant = literal_node<make_literal_value(Num, Den), T>{};

namespace detail {

// The axes a value of shape From was broadcast over from shape To: From's
// leading extra axes, and the axes where To has a static 1 that From has not.
template <class From, class To>
struct unbroadcast {
  static constexpr int lead = From::rank - To::rank;
  static_assert(lead >= 0, "ctrace: a cotangent has fewer dims than the value it flows to");
  static constexpr unsigned lead_mask = lead == 0 ? 0u : (1u << lead) - 1u;
  static constexpr unsigned ones_mask = [] {
    unsigned m = 0;
    for (int i = 0; i < To::rank; ++i) {
      const extent& t = To::extents[i];
      const extent& f = From::extents[i + lead];
      const bool to_one = t.is_static() && t.value() == 1;
      const bool from_one = f.is_static() && f.value() == 1;
      if (to_one && !from_one) m |= 1u << (i + lead);
    }
    return m;
  }();
};

template <unsigned Mask, bool Keep, class G, std::size_t... I>
auto sum_axes_impl(const G& g, std::index_sequence<I...>) {
  using A = ctrace::detail::axes_of_mask<Mask>;
  if constexpr (Keep) return sum<A::list[I]...>(g, keepdim);
  else return sum<A::list[I]...>(g);
}

template <class Shape, class G, std::size_t... I>
auto reshape_to_impl(const G& g, const sizes_t<Shape::rank>& sizes, std::index_sequence<I...>) {
  return reshape<Shape::extents[I]...>(g, sizes);
}
template <class Shape, class G, std::size_t... I>
auto expand_to_impl(const G& g, const sizes_t<Shape::rank>& sizes, std::index_sequence<I...>) {
  return expand<Shape::extents[I]...>(g, sizes);
}

template <class S1, class S2>
constexpr bool same_extents() {
  if constexpr (S1::rank != S2::rank) {
    return false;
  } else {
    for (int i = 0; i < S1::rank; ++i) {
      if (!provably_equal(S1::extents[i], S2::extents[i])) return false;
    }
    return true;
  }
}

}  // namespace detail

// Sums over the axes in Mask (a bit per axis), keeping them as size 1 or not.
template <unsigned Mask, bool Keep, class G>
auto sum_axes(const G& g) {
  return detail::sum_axes_impl<Mask, Keep>(g, std::make_index_sequence<ctrace::detail::axes_of_mask<Mask>::size>{});
}

// g viewed with the dims of Shape (same element count), sizes given.
template <class Shape, class G>
auto reshape_to(const G& g, const sizes_t<Shape::rank>& sizes) {
  using GS = typename node_of_t<const G&>::shape_type;
  if constexpr (std::is_same_v<GS, Shape>) return to_node(g);
  else return detail::reshape_to_impl<Shape>(g, sizes, std::make_index_sequence<Shape::rank>{});
}

// g broadcast (without copying) to Shape, whose rank is at least g's.
template <class Shape, class G>
auto expand_to(const G& g, const sizes_t<Shape::rank>& sizes) {
  using GS = typename node_of_t<const G&>::shape_type;
  if constexpr (detail::same_extents<GS, Shape>()) return to_node(g);
  else return detail::expand_to_impl<Shape>(g, sizes, std::make_index_sequence<Shape::rank>{});
}

// The cotangent of a value broadcast to g's shape: g summed back to Shape
// (the sizes of the value), the inverse of broadcasting.
template <class Shape, class G>
auto sum_to(const G& g, const sizes_t<Shape::rank>& sizes) {
  using GS = typename node_of_t<const G&>::shape_type;
  using U = detail::unbroadcast<GS, Shape>;
  if constexpr (U::lead_mask == 0 && U::ones_mask == 0) {
    auto r = to_node(g);
    // A dynamic dim that was 1 for this call broadcast at run time, which the
    // types cannot see; refuse rather than return a gradient of the wrong size.
    if (r.sizes() != sizes) {
      ctrace::detail::raise("gradient: a value of sizes ", sizes_to_string(sizes), " was broadcast to ",
                            sizes_to_string(r.sizes()),
                            " through a dynamic dim; give the dim a static size 1 or a symbol");
    }
    return r;
  } else if constexpr (U::ones_mask == 0) {
    return sum_axes<U::lead_mask, false>(g);
  } else {
    return reshape_to<Shape>(sum_axes<U::lead_mask | U::ones_mask, true>(g), sizes);
  }
}

// Zeros with n's type and sizes.
template <class N>
auto zeros_like(const N& n) {
  return zeros<typename N::value_type>(n.shape());
}

}  // namespace ctrace::autodiff
