// The graph form of an expression: its nested node types flattened into a
// list of unique nodes in topological order, each child referred to by its
// position (DESIGN.md: "a graph is a DAG, not a nested tree").
//
// Two occurrences are one node when their types are equal, their children are
// the same nodes and the node carries no run-time value of its own (an op
// with no parameters, axes in the type). Inputs are one node per index.
// Nodes that carry values (constants, captured tensors, slice bounds, random
// seeds) are kept apart: `x + 2` and `x + 3` have one type and must not merge,
// and their values are not compile-time facts. Everything here is decided
// while compiling; nodes that reach no output never enter the list.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/core/type_list.hpp"
#include "ctrace/expr/children.hpp"
#include "ctrace/expr/value_free.hpp"

namespace ctrace {

// One node of the graph: its type and the positions of its children.
template <class Node, int... Children>
struct dag_node {
  using node_type = Node;
  static constexpr std::size_t arity = sizeof...(Children);
  static constexpr std::array<int, sizeof...(Children)> children{Children...};
};

// Identity of a node for merging: structure for value-free nodes, position
// of first appearance (never equal to another) for the rest.
template <class Node, int... Children>
struct structural_key {};
template <class Node, int Occurrence>
struct occurrence_key {};

template <class Key, class Entry>
struct dag_slot {
  using key = Key;
  using entry = Entry;
};

template <int... I>
struct int_list {};

namespace detail {

// The position of Key among the slots' keys, or -1, found by overload
// resolution against a class with one base per slot (keys are unique: a node
// is placed only when its key is new). Not a constexpr function comparing
// keys with is_same_v: that function and each is_same_v are symbols named
// after the whole DAG so far, and long graphs paid seconds mangling them
// (bench/RESULTS.md, "Compile time"); nor std::is_same per pair (a class per
// pair of nodes).
template <class Key, std::size_t I>
struct indexed_key {};
template <class Seq, class... Keys>
struct key_index;
template <std::size_t... I, class... Keys>
struct key_index<std::index_sequence<I...>, Keys...> : indexed_key<Keys, I>... {};
template <class Key, std::size_t I>
std::integral_constant<int, static_cast<int>(I)> position_of(const indexed_key<Key, I>*);  // never defined
template <class Key>
std::integral_constant<int, -1> position_of(const void*);
template <class Key, class... Slots>
inline constexpr int find_key_v =
    decltype(position_of<Key>(static_cast<const key_index<std::index_sequence_for<Slots...>, typename Slots::key...>*>(nullptr)))::value;

template <class Slots, class Node>
struct add_node;
template <class Slots, class Children, class Ids>
struct add_children;

template <class Slots, int... Ids>
struct add_children<Slots, type_list<>, int_list<Ids...>> {
  using slots = Slots;
  using ids = int_list<Ids...>;
};
template <class Slots, class C, class... Cs, int... Ids>
struct add_children<Slots, type_list<C, Cs...>, int_list<Ids...>> {
  using first = add_node<Slots, C>;
  using rest = add_children<typename first::slots, type_list<Cs...>, int_list<Ids..., first::id>>;
  using slots = typename rest::slots;
  using ids = typename rest::ids;
};

template <class Tuple>
struct tuple_to_list;
template <class... T>
struct tuple_to_list<std::tuple<T...>> {
  using type = type_list<T...>;
};
template <class... T>
struct tuple_to_list<node_children<T...>> {
  using type = type_list<T...>;
};

template <class Node>
using children_list_t = typename tuple_to_list<typename Node::children_type>::type;

template <class Slots, class Node, class Ids>
struct place_node;
template <class... Slots, class Node, int... Ids>
struct place_node<type_list<Slots...>, Node, int_list<Ids...>> {
  using key = std::conditional_t<is_value_free_v<Node>, structural_key<Node, Ids...>,
                                 occurrence_key<Node, static_cast<int>(sizeof...(Slots))>>;
  static constexpr int found = find_key_v<key, Slots...>;
  static constexpr int id = found >= 0 ? found : static_cast<int>(sizeof...(Slots));
  using slots = std::conditional_t<(found >= 0), type_list<Slots...>,
                                   type_list<Slots..., dag_slot<key, dag_node<Node, Ids...>>>>;
};

template <class Slots, class Node>
struct add_node {
  using kids = add_children<Slots, children_list_t<Node>, int_list<>>;
  using placed = place_node<typename kids::slots, Node, typename kids::ids>;
  using slots = typename placed::slots;
  static constexpr int id = placed::id;
  static constexpr bool is_new = placed::found < 0;
};

template <class Slots, class Outputs, class Ids>
struct add_outputs;
template <class Slots, int... Ids>
struct add_outputs<Slots, type_list<>, int_list<Ids...>> {
  using slots = Slots;
  using ids = int_list<Ids...>;
};
template <class Slots, class O, class... Os, int... Ids>
struct add_outputs<Slots, type_list<O, Os...>, int_list<Ids...>> {
  using first = add_node<Slots, O>;
  using rest = add_outputs<typename first::slots, type_list<Os...>, int_list<Ids..., first::id>>;
  using slots = typename rest::slots;
  using ids = typename rest::ids;
};

template <class Slots>
struct slot_entries;
template <class... S>
struct slot_entries<type_list<S...>> {
  using type = type_list<typename S::entry...>;
};

template <class Ids>
struct ids_array;
template <int... I>
struct ids_array<int_list<I...>> {
  static constexpr std::array<int, sizeof...(I)> value{I...};
};

}  // namespace detail

// The DAG of a list of output node types: `nodes` in topological order
// (children first), `outputs` the position of each output (equal positions
// for outputs that are the same value).
template <class OutputList>
struct dag {
  using built = detail::add_outputs<type_list<>, OutputList, int_list<>>;
  using nodes = typename detail::slot_entries<typename built::slots>::type;
  static constexpr std::size_t node_count = nodes::size;
  static constexpr auto outputs = detail::ids_array<typename built::ids>::value;
};

// Walks the nodes of one expression (a graph's output, given the DAG state
// before it) in the order the DAG was built, calling
// v.template visit<Id, IsNew>(node) for every occurrence. The first
// occurrence of each position carries the run-time values the printers show.
template <class Slots, class Node, class V>
int walk_dag(const Node& node, V& v);

namespace detail {
template <class Slots, class Types, class Children, class V, std::size_t I = 0>
void walk_children(const Children& children, V& v) {
  if constexpr (I < std::tuple_size_v<Types>) {
    walk_dag<Slots>(child<I>(children), v);
    using next = typename add_node<Slots, std::tuple_element_t<I, Types>>::slots;
    walk_children<next, Types, Children, V, I + 1>(children, v);
  }
}
}  // namespace detail

template <class Slots, class Node, class V>
int walk_dag(const Node& node, V& v) {
  if constexpr (has_children<Node>) {
    detail::walk_children<Slots, typename Node::children_type>(children_of(node), v);
  }
  using placed = detail::add_node<Slots, Node>;
  v.template visit<placed::id, placed::is_new>(node);
  return placed::id;
}

}  // namespace ctrace
