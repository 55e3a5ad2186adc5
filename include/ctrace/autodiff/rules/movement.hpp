// Derivatives of the movement ops (movement_node<Op, A>): each moves the
// cotangent back the way the op moved the values.
//   permute: the inverse permutation     transpose: the same transpose
//   squeeze / unsqueeze: each other      reshape / view: back to A's dims
//   expand: summed over the expanded dims
//   select, slice, diagonal: written into zeros of A's shape through the
//     same view (a scatter node), the rest of A gets no gradient.
#pragma once

#include <array>

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/movement.hpp"
#include "ctrace/expr/update.hpp"

namespace ctrace::autodiff {

namespace detail {

template <int Rank, int... Perm>
struct inverse_permutation {
  static constexpr std::array<int, sizeof...(Perm)> value = [] {
    constexpr std::array<int, sizeof...(Perm)> p{(Perm < 0 ? Perm + Rank : Perm)...};
    std::array<int, sizeof...(Perm)> inv{};
    for (std::size_t i = 0; i < p.size(); ++i) inv[static_cast<std::size_t>(p[i])] = static_cast<int>(i);
    return inv;
  }();
  template <class G, std::size_t... I>
  static auto apply(const G& g, std::index_sequence<I...>) {
    return permute<value[I]...>(g);
  }
};

// The view ops whose inverse is a write into zeros through the same view.
template <class Op>
inline constexpr bool is_partial_view = false;
template <int Axis>
inline constexpr bool is_partial_view<movement::select<Axis>> = true;
template <int Axis>
inline constexpr bool is_partial_view<movement::slice<Axis>> = true;
template <int Axis, index_t Start, index_t Stop, index_t Step>
inline constexpr bool is_partial_view<movement::static_slice<Axis, Start, Stop, Step>> = true;
template <std::int64_t Offset>
inline constexpr bool is_partial_view<movement::diagonal<Offset>> = true;

template <class Op, class SA>
struct movement_derivative;

template <int... Perm, class SA>
struct movement_derivative<movement::permute<Perm...>, SA> {
  template <class A, class G>
  static auto apply(const A&, const G& g, const movement::permute<Perm...>&) {
    return inverse_permutation<SA::rank, Perm...>::apply(g, std::make_index_sequence<sizeof...(Perm)>{});
  }
};
template <int X, int Y, class SA>
struct movement_derivative<movement::transpose<X, Y>, SA> {
  template <class A, class G>
  static auto apply(const A&, const G& g, const movement::transpose<X, Y>&) {
    return transpose<X, Y>(g);
  }
};
template <int Axis, class SA>
struct movement_derivative<movement::squeeze<Axis>, SA> {
  template <class A, class G>
  static auto apply(const A&, const G& g, const movement::squeeze<Axis>&) {
    return unsqueeze<movement::squeeze<Axis>::template axis<SA>>(g);
  }
};
template <int Axis, class SA>
struct movement_derivative<movement::unsqueeze<Axis>, SA> {
  template <class A, class G>
  static auto apply(const A&, const G& g, const movement::unsqueeze<Axis>&) {
    return squeeze<movement::unsqueeze<Axis>::template axis<SA>>(g);
  }
};
template <auto... Dims, class SA>
struct movement_derivative<movement::expand<Dims...>, SA> {
  template <class A, class G>
  static auto apply(const A& a, const G& g, const movement::expand<Dims...>&) {
    return sum_to<SA>(g, a.sizes());
  }
};
template <bool IsView, auto... Dims, class SA>
struct movement_derivative<movement::reshape<IsView, Dims...>, SA> {
  template <class A, class G>
  static auto apply(const A& a, const G& g, const movement::reshape<IsView, Dims...>&) {
    return reshape_to<SA>(g, a.sizes());
  }
};

}  // namespace detail

template <class Op, class A>
struct rule<movement_node<Op, A>> : rule_base {
  template <std::size_t, class G>
  static auto vjp(const movement_node<Op, A>& n, const G& g) {
    if constexpr (detail::is_partial_view<Op>) {
      auto base = zeros_like(n.arg());
      using Z = decltype(base);
      using V = node_of_t<const G&>;
      return scatter_node<Op, Z, V>{{}, {std::move(base), to_node(g)}, n.op};
    } else {
      return detail::movement_derivative<Op, typename A::shape_type>::apply(n.arg(), g, n.op);
    }
  }
};

}  // namespace ctrace::autodiff
