// The reverse sweep over a graph's DAG, decided while compiling.
//
// From the DAG of the outputs (unique nodes in topological order, see
// graph/dag.hpp) the plan computes, as constexpr arrays:
//   active: the node is floating and depends on an input being differentiated
//           through edges that carry gradients (not a condition, an index,
//           detach, rounding);
//   live:   active and some output depends on it through such edges.
// The cotangent of a live node is the sum, over its live consumers, of the
// consumer's rule applied to the consumer's cotangent (and the seed where it
// is an output); an input used twice gets the sum of both (accumulation).
// Only live nodes get a cotangent: nothing is built for the rest.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/input.hpp"
#include "ctrace/graph/dag.hpp"
#include "ctrace/graph/graph_text.hpp"  // take_list

namespace ctrace::autodiff {

// Keys of a checkpointed region's inputs (see input_index_of).
inline constexpr int checkpoint_key_base = 1 << 20;

namespace detail {

struct edge {
  int parent = 0;
  int position = 0;
  int child = 0;
  bool flows = false;
};

// The key a differentiation target is asked for by: a graph input's index,
// or checkpoint_key_base + K for the K-th input of a checkpointed region
// (autodiff/checkpoint.hpp), -1 for other nodes.
template <class Node>
constexpr int input_index_of() {
  if constexpr (is_input_node_v<Node>) return Node::index;
  else if constexpr (requires { Node::op_type::checkpoint_key; }) return Node::op_type::checkpoint_key;
  else return -1;
}

template <class Nodes, class Outputs, class Wrt>
struct plan;

// Nodes: dag_node<...> in topological order; Outputs: the DAG position of
// each root; Wrt: the graph inputs (leaf indices) to differentiate.
template <class... DN, std::size_t R, int... Wrt>
struct plan<type_list<DN...>, std::array<int, R>, int_list<Wrt...>> {
  static constexpr std::size_t size = sizeof...(DN);
  // Arrays over the nodes, read by loops (no fold expressions over all nodes:
  // clang nests a fold's operands and stops at 256 brackets).
  static constexpr std::array<std::size_t, size> arity{DN::arity...};
  static constexpr std::array<const int*, size> children{DN::children.data()...};
  static constexpr std::array<bool (*)(std::size_t), size> flows_into{
      &rule<typename DN::node_type>::differentiable...};
  static constexpr std::size_t edge_count = [] {
    std::size_t n = 0;
    for (std::size_t a : arity) n += a;
    return n;
  }();

  static constexpr std::array<edge, edge_count> edges = [] {
    std::array<edge, edge_count> e{};
    std::size_t k = 0;
    for (std::size_t i = 0; i < size; ++i) {
      for (std::size_t p = 0; p < arity[i]; ++p) {
        e[k++] = edge{static_cast<int>(i), static_cast<int>(p), children[i][p], flows_into[i](p)};
      }
    }
    return e;
  }();
  static constexpr std::array<bool, size> floating{is_floating_dtype_v<typename DN::node_type::value_type>...};
  static constexpr std::array<int, size> input_index{input_index_of<typename DN::node_type>()...};

  static constexpr bool is_wrt(int input) { return ((input == Wrt) || ...); }

  static constexpr std::array<bool, size> active = [] {
    std::array<bool, size> a{};
    for (std::size_t i = 0; i < size; ++i) a[i] = floating[i] && input_index[i] >= 0 && is_wrt(input_index[i]);
    for (const edge& e : edges) {  // edges are listed by parent, parents after their children
      if (e.flows && a[static_cast<std::size_t>(e.child)] && floating[static_cast<std::size_t>(e.parent)]) {
        a[static_cast<std::size_t>(e.parent)] = true;
      }
    }
    return a;
  }();
};

// The plan with the outputs' positions (Roots, an array), which decide what
// is live and where the seeds go.
template <class Plan, auto Roots>
struct live_plan : Plan {
  static constexpr std::size_t size = Plan::size;
  static constexpr std::array<bool, size> live = [] {
    std::array<bool, size> l{};
    for (int r : Roots) l[static_cast<std::size_t>(r)] = Plan::active[static_cast<std::size_t>(r)];
    for (std::size_t k = Plan::edge_count; k-- > 0;) {  // consumers before what they consume
      const edge& e = Plan::edges[k];
      if (e.flows && l[static_cast<std::size_t>(e.parent)] && Plan::active[static_cast<std::size_t>(e.child)]) {
        l[static_cast<std::size_t>(e.child)] = true;
      }
    }
    return l;
  }();

  template <int I>
  static constexpr std::size_t inbound_count = [] {
    std::size_t c = 0;
    for (const edge& e : Plan::edges) c += e.child == I && e.flows && live[static_cast<std::size_t>(e.parent)] ? 1 : 0;
    return c;
  }();
  // The edges whose cotangents add up to node I's.
  template <int I>
  static constexpr std::array<std::size_t, inbound_count<I>> inbound = [] {
    std::array<std::size_t, inbound_count<I>> r{};
    std::size_t c = 0;
    for (std::size_t k = 0; k < Plan::edge_count; ++k) {
      const edge& e = Plan::edges[k];
      if (e.child == I && e.flows && live[static_cast<std::size_t>(e.parent)]) r[c++] = k;
    }
    return r;
  }();
  template <int I>
  static constexpr std::size_t root_count = [] {
    std::size_t c = 0;
    for (int r : Roots) c += r == I ? 1 : 0;
    return c;
  }();
  // The outputs (positions among the roots) that are node I: their seeds add up.
  template <int I>
  static constexpr std::array<std::size_t, root_count<I>> roots_at = [] {
    std::array<std::size_t, root_count<I>> r{};
    std::size_t c = 0;
    for (std::size_t k = 0; k < Roots.size(); ++k) {
      if (Roots[k] == I) r[c++] = k;
    }
    return r;
  }();
  // The DAG position of graph input K, or -1 when no output depends on it.
  template <int K>
  static constexpr int position_of_input = [] {
    for (std::size_t i = 0; i < size; ++i) {
      if (Plan::input_index[i] == K) return static_cast<int>(i);
    }
    return -1;
  }();
};

template <class X>
auto add_all(const X& x) {
  return x;
}
template <class X, class Y, class... Rest>
auto add_all(const X& x, const Y& y, const Rest&... rest) {
  return add_all(x + y, rest...);
}

template <class Nodes>
struct pointer_tuple;
template <class... DN>
struct pointer_tuple<type_list<DN...>> {
  using type = std::tuple<const typename DN::node_type*...>;
};

// Records the address of each node's first occurrence.
template <class Ptrs>
struct address_collector {
  Ptrs& ptrs;
  template <int Id, bool IsNew, class Node>
  void visit(const Node& node) {
    if constexpr (IsNew) std::get<Id>(ptrs) = &node;
  }
};

// The cotangents of one sweep: nodes by position, seeds by output.
template <class Plan, class Nodes, class Ptrs, class Seeds>
struct sweep {
  const Ptrs& nodes;
  const Seeds& seeds;

  template <int I>
  using node_t = typename list_element_t<static_cast<std::size_t>(I), Nodes>::node_type;

  template <int I>
  auto cotangent() const {
    return cotangent_of<I>(std::make_index_sequence<Plan::template inbound_count<I>>{},
                           std::make_index_sequence<Plan::template root_count<I>>{});
  }

 private:
  template <int I, std::size_t... E, std::size_t... R>
  auto cotangent_of(std::index_sequence<E...>, std::index_sequence<R...>) const {
    using T = typename node_t<I>::value_type;
    return add_all(cast_to<T>(to_node(contribution<Plan::template inbound<I>[E]>()))...,
                   cast_to<T>(to_node(std::get<Plan::template roots_at<I>[R]>(seeds)))...);
  }

  template <std::size_t E>
  auto contribution() const {
    constexpr edge e = Plan::edges[E];
    using P = node_t<e.parent>;
    return rule<P>::template vjp<static_cast<std::size_t>(e.position)>(*std::get<static_cast<std::size_t>(e.parent)>(nodes),
                                                                      cotangent<e.parent>());
  }
};

}  // namespace detail

// The cotangents of graph inputs Wrt... (leaf indices) given the outputs
// `roots` (a tuple of nodes), a seed per output (its cotangent) and the bound
// inputs (a tuple of leaves by index, for the zeros of inputs no output
// depends on). One expression per Wrt.
template <int... Wrt, class Roots, class Seeds, class Inputs>
auto backprop(const Roots& roots, const Seeds& seeds, const Inputs& inputs) {
  using root_list = typename ctrace::detail::tuple_to_list<Roots>::type;
  using graph = dag<root_list>;
  using nodes = typename graph::nodes;
  using base_plan = detail::plan<nodes, std::array<int, graph::outputs.size()>, int_list<Wrt...>>;
  using plan = detail::live_plan<base_plan, graph::outputs>;

  typename detail::pointer_tuple<nodes>::type ptrs{};
  detail::address_collector<decltype(ptrs)> collect{ptrs};
  [&]<std::size_t... K>(std::index_sequence<K...>) {
    (walk_dag<typename ctrace::detail::add_outputs<type_list<>, typename ctrace::detail::take_list<K, root_list>::type,
                                                   int_list<>>::slots>(std::get<K>(roots), collect),
     ...);
  }(std::make_index_sequence<std::tuple_size_v<Roots>>{});

  detail::sweep<plan, nodes, decltype(ptrs), Seeds> s{ptrs, seeds};
  auto one = [&](auto kc) {
    constexpr int k = decltype(kc)::value;
    constexpr int at = plan::template position_of_input<k>;
    if constexpr (at >= 0 && plan::live[static_cast<std::size_t>(at >= 0 ? at : 0)]) {
      return s.template cotangent<at>();
    } else {
      return zeros_like(std::get<static_cast<std::size_t>(k)>(inputs));
    }
  };
  return std::make_tuple(one(std::integral_constant<int, Wrt>{})...);
}

}  // namespace ctrace::autodiff
