// node_children<C...>: the operands a node holds, as a plain aggregate, and
// the few helpers generic code uses on any node's children.
//
// Not std::tuple: each std::tuple type brings about fifteen instantiated
// functions (the tuple's, _Tuple_impl's and _Head_base's constructors and
// destructors, get and its helpers) and costly constructor overload
// resolution; a 200-node chain paid seconds of compile time for them
// (bench/RESULTS.md, "Compile time"). An aggregate has only its implicit
// members. Nodes with one to three operands use node_children; nodes with a
// pack of operands (cat, stack, custom, scan) keep a std::tuple, and the
// helpers below accept both. unary_node and binary_node, the nodes of long
// elementwise chains, hold their operands directly (members c0, c1; their
// children_type still names node_children<...> for the traits): one level of
// nesting and one set of copy/move constructors and destructors fewer per
// node (bench/RESULTS.md, "Compile time", follow-up). Generic code reaches
// a node's operands through children_of(node).
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

#include "ctrace/core/type_list.hpp"

namespace ctrace {

template <class... C>
struct node_children;
template <>
struct node_children<> {};
template <class A>
struct node_children<A> {
  A c0;
};
template <class A, class B>
struct node_children<A, B> {
  A c0;
  B c1;
};
template <class A, class B, class C>
struct node_children<A, B, C> {
  A c0;
  B c1;
  C c2;
};

// A node's children object: its `children` member, or the node itself for
// nodes that hold their operands directly (c0, c1, ...).
template <class Node>
[[gnu::always_inline]] inline constexpr const auto& children_of(const Node& n) {
  if constexpr (requires { n.children; }) {
    return n.children;
  } else {
    return n;
  }
}
// Whether a node has operands (a children member or operands held directly).
template <class Node>
concept has_children = requires(const Node& n) { n.children; } || requires(const Node& n) { n.c0; };

// The types of a children object (node_children or std::tuple) as a type_list.
template <class Children>
struct children_types;
template <class... C>
struct children_types<node_children<C...>> {
  using type = type_list<C...>;
};
template <class... C>
struct children_types<std::tuple<C...>> {
  using type = type_list<C...>;
};
template <class Children>
using children_types_t = typename children_types<Children>::type;

// The I-th operand of a children object (node_children or std::tuple).
template <std::size_t I, class Children>
[[gnu::always_inline]] inline constexpr const auto& child(const Children& c) {
  if constexpr (!requires { c.c0; }) {
    return std::get<I>(c);
  } else if constexpr (I == 0) {
    return c.c0;
  } else if constexpr (I == 1) {
    return c.c1;
  } else {
    static_assert(I == 2, "ctrace: node_children holds at most three operands");
    return c.c2;
  }
}

// f(operands...) for a children object (node_children or std::tuple).
template <class F, class... C>
[[gnu::always_inline]] inline constexpr decltype(auto) apply_children(F&& f, const node_children<C...>& c) {
  if constexpr (sizeof...(C) == 0) {
    (void)c;
    return f();
  } else if constexpr (sizeof...(C) == 1) {
    return f(c.c0);
  } else if constexpr (sizeof...(C) == 2) {
    return f(c.c0, c.c1);
  } else {
    return f(c.c0, c.c1, c.c2);
  }
}
// f(operands...) for a node that holds its operands directly.
template <class F, class N>
  requires requires(const N& n) {
    n.c0;
    typename N::children_type;
  }
[[gnu::always_inline]] inline constexpr decltype(auto) apply_children(F&& f, const N& n) {
  constexpr std::size_t count = std::tuple_size_v<typename N::children_type>;
  if constexpr (count == 1) {
    return f(n.c0);
  } else if constexpr (count == 2) {
    return f(n.c0, n.c1);
  } else {
    static_assert(count == 3, "ctrace: a node holds at most three operands directly");
    return f(n.c0, n.c1, n.c2);
  }
}
template <class F, class... C>
inline constexpr decltype(auto) apply_children(F&& f, const std::tuple<C...>& c) {
  return std::apply(std::forward<F>(f), c);
}

}  // namespace ctrace

// node_children is tuple-like for the traits generic code reads
// (std::tuple_size_v / std::tuple_element_t of a node's children_type).
template <class... C>
struct std::tuple_size<ctrace::node_children<C...>> : std::integral_constant<std::size_t, sizeof...(C)> {};
template <std::size_t I, class... C>
struct std::tuple_element<I, ctrace::node_children<C...>> {
  using type = ctrace::list_element_t<I, ctrace::type_list<C...>>;
};
