// Data-dependent control flow as graph nodes (DESIGN.md: no graph breaks).
//
//   cond(pred, true_fn, false_fn, operands...)
//     both branches are built (their results must agree in structure, dtype
//     and shape: checked while compiling), the one-element boolean pred picks
//     the one that is computed.
//   fori_loop(lower, upper, body, init...)
//     carry = body(i, carry...) for i in [lower, upper), the bounds known only
//     at run time; body is captured as a graph of its own (i is a 0-d int64
//     tensor) and must give carries of the init's dtypes and shapes.
//
// A loop with a static trip count needs neither: it is a C++ loop at trace time.
#pragma once

#include <cstdint>
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/graph/graph.hpp"

namespace ctrace {

namespace detail {
template <class A, class B>
constexpr bool same_value_type() {
  if constexpr (!std::is_same_v<typename A::value_type, typename B::value_type> ||
                A::shape_type::rank != B::shape_type::rank) {
    return false;
  } else {
    for (int i = 0; i < A::shape_type::rank; ++i) {
      if (!(A::shape_type::extents[i] == B::shape_type::extents[i])) return false;
    }
    return true;
  }
}
template <class... LA, class... LB>
constexpr bool leaves_agree(type_list<LA...>, type_list<LB...>) {
  if constexpr (sizeof...(LA) != sizeof...(LB)) {
    return false;
  } else {
    return (same_value_type<node_of_t<const LA&>, node_of_t<const LB&>>() && ...);
  }
}
}  // namespace detail

template <tensor_operand P, class TrueFn, class FalseFn, class... Operands>
auto cond(const P& pred, TrueFn&& on_true, FalseFn&& on_false, const Operands&... operands) {
  auto p = cast_to<bool>(to_node(pred));
  auto a = on_true(operands...);
  auto b = on_false(operands...);
  using A = decltype(a);
  using B = decltype(b);
  if constexpr (!std::is_same_v<decltype(output_tree::map(a, [](const auto&, auto) { return 0; })),
                                decltype(output_tree::map(b, [](const auto&, auto) { return 0; }))> ||
                !detail::leaves_agree(output_tree::leaf_types_t<A>{}, output_tree::leaf_types_t<B>{})) {
    report<diagnostic::branch_results_differ<A, B>>();
    return poison{};
  } else {
    auto b_leaves = output_tree::leaves(b);
    return output_tree::map(a, [&](const auto& leaf, auto k) {
      auto la = to_node(leaf);
      auto lb = to_node(std::get<decltype(k)::value>(b_leaves));
      if (la.sizes() != lb.sizes()) {
        detail::raise("cond: the branches give sizes ", sizes_to_string(la.sizes()), " and ",
                      sizes_to_string(lb.sizes()), " for result ", decltype(k)::value);
      }
      return cond_node<decltype(p), decltype(la), decltype(lb)>{{}, {p, std::move(la), std::move(lb)}};
    });
  }
}

namespace detail {
template <class Body, class... InitNodes>
auto trace_loop_body(const Body& body) {
  return trace(body, spec<std::int64_t>{},
               spec_of_shape<typename InitNodes::value_type, typename InitNodes::shape_type, cpu>{}...);
}
}  // namespace detail

template <class Body, tensor_operand... Init>
  requires(sizeof...(Init) > 0)
auto fori_loop(index_t lower, index_t upper, Body body, const Init&... init) {
  auto nodes = std::make_tuple(to_node(init)...);
  using Graph = decltype(detail::trace_loop_body<Body, node_of_t<const Init&>...>(body));
  using Result = typename Graph::returned_type;
  using Carries = std::tuple<eval_tensor_t<node_of_t<const Init&>, cpu>...>;
  constexpr bool single = sizeof...(Init) == 1;
  using Expected = std::conditional_t<single, std::tuple_element_t<0, std::tuple<node_of_t<const Init&>...>>,
                                      std::tuple<node_of_t<const Init&>...>>;
  if constexpr ((single && !is_output_leaf<Result>::value) || (!single && !is_tuple_like_v<Result>) ||
                !detail::leaves_agree(output_tree::leaf_types_t<Result>{}, type_list<node_of_t<const Init&>...>{})) {
    report<diagnostic::branch_results_differ<Result, Expected>>();
    return poison{};
  } else {
    using State = loop_state<Graph, Carries>;
    auto state = std::make_shared<State>(State{detail::trace_loop_body<Body, node_of_t<const Init&>...>(body),
                                               lower, upper, std::nullopt});
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      if constexpr (single) {
        return loop_result<0, State, node_of_t<const Init&>...>{{}, nodes, state};
      } else {
        return std::make_tuple(loop_result<K, State, node_of_t<const Init&>...>{{}, nodes, state}...);
      }
    }(std::index_sequence_for<Init...>{});
  }
}

}  // namespace ctrace
