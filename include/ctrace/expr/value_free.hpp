// Which nodes are decided by their type and their children alone (no
// run-time value of their own: an op without parameters, axes in the type).
// Two occurrences of such a node over the same children are the same value;
// a whole subtree of them over graph inputs is the same value wherever it
// appears in one call. Graph CSE and the executor's reuse of computed
// values both rest on this.
#pragma once

#include <tuple>
#include <type_traits>

#include "ctrace/expr/binary.hpp"
#include "ctrace/expr/children.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/expr/input.hpp"
#include "ctrace/expr/literal.hpp"
#include "ctrace/expr/matmul.hpp"
#include "ctrace/expr/movement.hpp"
#include "ctrace/expr/reduce.hpp"
#include "ctrace/expr/unary.hpp"
#include "ctrace/expr/update.hpp"
#include "ctrace/expr/where.hpp"

namespace ctrace {

// True when a node's value is decided by its type and its children alone.
template <class Node>
inline constexpr bool is_value_free_v = false;
template <int I, class T, class S, class D>
inline constexpr bool is_value_free_v<input_node<I, T, S, D>> = true;
template <class Op, class A>
inline constexpr bool is_value_free_v<unary_node<Op, A>> = std::is_empty_v<Op>;
template <class Op, class A, class B>
inline constexpr bool is_value_free_v<binary_node<Op, A, B>> = std::is_empty_v<Op>;
template <class To, class A>
inline constexpr bool is_value_free_v<cast_node<To, A>> = true;
template <class C, class A, class B>
inline constexpr bool is_value_free_v<where_node<C, A, B>> = true;
template <class Op, class A, class Axes, bool K>
inline constexpr bool is_value_free_v<reduce_node<Op, A, Axes, K>> = std::is_empty_v<Op>;
template <class Op, class A>
inline constexpr bool is_value_free_v<movement_node<Op, A>> = std::is_empty_v<Op>;
// expand and reshape carry the sizes they were given; when every target dim
// is static or symbolic, those sizes follow from the type and the call's
// symbol values (one value per symbol in a call), so the node is decided by
// its type and child as well. A dynamic target dim makes it a value.
template <auto... Dims, class A>
inline constexpr bool is_value_free_v<movement_node<movement::expand<Dims...>, A>> =
    (!to_extent(Dims).is_dynamic() && ...);
template <bool IsView, auto... Dims, class A>
inline constexpr bool is_value_free_v<movement_node<movement::reshape<IsView, Dims...>, A>> =
    (!to_extent(Dims).is_dynamic() && ...);
template <class A, class B>
inline constexpr bool is_value_free_v<matmul_node<A, B>> = true;
template <int I, int V, class X, class S>
inline constexpr bool is_value_free_v<update_node<I, V, X, S>> = true;
template <class P, class A, class B>
inline constexpr bool is_value_free_v<cond_node<P, A, B>> = true;
template <literal_value V, class T>
inline constexpr bool is_value_free_v<literal_node<V, T>> = true;
template <class X, class I, class V>
inline constexpr bool is_value_free_v<index_put_node<X, I, V>> = true;

namespace detail {
template <class Node>
constexpr bool value_free_tree() {
  if constexpr (!is_value_free_v<Node>) {
    return false;
  } else if constexpr (requires { typename Node::children_type; }) {
    return []<class... C>(type_list<C...>) { return (value_free_tree<C>() && ...); }(
        children_types_t<typename Node::children_type>{});
  } else {
    return true;
  }
}
}  // namespace detail

// A subtree whose value its type decides, given the graph's inputs.
template <class Node>
inline constexpr bool is_value_free_tree_v = detail::value_free_tree<Node>();

}  // namespace ctrace
