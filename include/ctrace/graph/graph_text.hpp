// A captured graph as text: the IR printout (inputs with dtype and shape,
// symbols by name, one line per node in topological order, the outputs in
// their structure, the guards), Graphviz dot, and JSON. All three come from
// one walk over the graph's nodes.
#pragma once

#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ctrace/expr/input.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/update.hpp"
#include "ctrace/graph/dag.hpp"
#include "ctrace/graph/expr_text.hpp"
#include "ctrace/graph/structure.hpp"

namespace ctrace {

// What a graph returns: tensors or expressions, in tuples, pairs, arrays.
template <class T>
struct is_output_leaf : std::bool_constant<tensor_node<T> || tensor_type<T>> {};
using output_tree = tree<is_output_leaf>;

namespace detail {

struct graph_entry {
  enum class kind { input, constant, tensor, node };
  kind what = kind::node;
  std::string ref;    // how other lines refer to it: %in0, 2.0, %3
  std::string dtype;  // f32
  std::string shape;  // [N, 3]
  std::string op;
  std::string attributes;
  std::string subgraph;  // a nested graph (a loop body), printed below its node
  const void* subgraph_owner = nullptr;  // nodes with one owner share one body, printed once
  std::vector<int> children;
};

template <class Nodes>
struct entry_collector {
  std::vector<graph_entry> entries;
  const std::vector<std::string>* input_names;
  int next = 0;

  // Whether an earlier node shares this owner's subgraph (text made once).
  bool printed_before(const void* owner) const {
    if (!owner) return false;
    for (const graph_entry& prev : entries) {
      if (prev.subgraph_owner == owner) return true;
    }
    return false;
  }

  template <int Id, bool IsNew, class Node>
  void visit(const Node& node) {
    if constexpr (IsNew) {
      graph_entry e;
      e.dtype = dtype_name(dtype_of<typename Node::value_type>);
      e.shape = Node::shape_type::to_string();
      e.op = Node::name;
      for (int c : list_element_t<static_cast<std::size_t>(Id), Nodes>::children) e.children.push_back(c);
      if constexpr (is_update_node_v<Node>) {
        e.ref = "%" + std::to_string(next++);
        if (Node::input >= 0) {
          e.attributes = "of=" + (*input_names)[static_cast<std::size_t>(Node::input)] + ", version=" + std::to_string(Node::version);
        }
      } else if constexpr (is_input_node_v<Node>) {
        e.what = graph_entry::kind::input;
        e.ref = (*input_names)[static_cast<std::size_t>(Node::index)];
      } else if constexpr (requires { Node::is_scalar_leaf; }) {
        e.what = graph_entry::kind::constant;
        e.ref = constant_text(node.value);
      } else if constexpr (requires { Node::is_literal; }) {
        e.what = graph_entry::kind::constant;
        e.ref = constant_text(Node::value_of());
      } else {
        e.what = requires { node.value.owner(); } ? graph_entry::kind::tensor : graph_entry::kind::node;
        if (e.what == graph_entry::kind::tensor) e.op = "tensor";  // a tensor captured by f (a parameter)
        e.ref = "%" + std::to_string(next++);
        if constexpr (requires { node.subgraph_owner(); }) e.subgraph_owner = node.subgraph_owner();
        if constexpr (requires { node.subgraph_text(); }) {
          if (!printed_before(e.subgraph_owner)) e.subgraph = node.subgraph_text();
        }
        if constexpr (requires { node.gen.source; }) {
          if (node.gen.source >= 0) {  // a draw from an input generator: name it
            e.attributes = "generator=" + (*input_names)[static_cast<std::size_t>(node.gen.source)] +
                           ", offset=+" + std::to_string(node.gen.first_block);
          } else {
            e.attributes = node.attributes();
          }
        } else if constexpr (requires { node.attributes(); }) {
          e.attributes = node.attributes();
        } else if constexpr (requires { node.op.attributes(); }) {
          e.attributes = node.op.attributes();
        }
      }
      entries[static_cast<std::size_t>(Id)] = std::move(e);
    }
  }
};

template <std::size_t N, class List, class Acc = type_list<>>
struct take_list;
template <class... A, class List>
struct take_list<0, List, type_list<A...>> {
  using type = type_list<A...>;
};
template <std::size_t N, class T, class... Ts, class... A>
  requires(N > 0)
struct take_list<N, type_list<T, Ts...>, type_list<A...>> {
  using type = typename take_list<N - 1, type_list<Ts...>, type_list<A..., T>>::type;
};

inline std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out + "\"";
}

template <class G>
struct graph_printer {
  using nodes = typename G::nodes;
  using result = typename G::returned_type;

  static std::vector<graph_entry> collect(const G& g, const std::vector<std::string>& names) {
    if (!g.has_trace()) return collect_types(names);
    entry_collector<nodes> v{std::vector<graph_entry>(G::node_count), &names};
    G::walk(g.traced(), v);
    return v.entries;
  }

  // The entries from the node types alone: run-time values show as "?".
  static std::vector<graph_entry> collect_types(const std::vector<std::string>& names) {
    std::vector<graph_entry> entries(G::node_count);
    int next = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (type_entry<I>(entries[I], names, next), ...);
    }(std::make_index_sequence<G::node_count>{});
    return entries;
  }
  template <std::size_t I>
  static void type_entry(graph_entry& e, const std::vector<std::string>& names, int& next) {
    using D = list_element_t<I, nodes>;
    using Node = typename D::node_type;
    e.dtype = dtype_name(dtype_of<typename Node::value_type>);
    e.shape = Node::shape_type::to_string();
    e.op = Node::name;
    for (int c : D::children) e.children.push_back(c);
    if constexpr (is_input_node_v<Node>) {
      e.what = graph_entry::kind::input;
      e.ref = names[static_cast<std::size_t>(Node::index)];
    } else if constexpr (requires { Node::is_literal; }) {
      e.what = graph_entry::kind::constant;
      e.ref = constant_text(Node::value_of());
    } else if constexpr (requires { Node::is_scalar_leaf; }) {
      e.what = graph_entry::kind::constant;
      e.ref = "?";
    } else {
      e.ref = "%" + std::to_string(next++);
      if constexpr (is_update_node_v<Node>) {
        if (Node::input >= 0) e.attributes = "of=" + names[static_cast<std::size_t>(Node::input)] + ", version=" + std::to_string(Node::version);
      } else if constexpr (requires { Node::value.owner(); } || requires(const Node& n) { n.value.owner(); }) {
        e.what = graph_entry::kind::tensor;
        e.op = "tensor";
      } else if constexpr (requires(const Node& n) { n.attributes(); } || requires(const Node& n) { n.op.attributes(); }) {
        e.attributes = "?";
      }
    }
  }

  template <class T>
  static std::string structure_text(const std::vector<graph_entry>& e, std::size_t offset = 0) {
    using D = std::remove_cvref_t<T>;
    if constexpr (is_output_leaf<D>::value) {
      return e[static_cast<std::size_t>(G::outputs[offset])].ref;
    } else if constexpr (is_values_indices_v<D>) {
      return "(values: " + structure_text<decltype(D::values)>(e, offset) +
             ", indices: " + structure_text<decltype(D::indices)>(e, offset + output_tree::leaf_count<decltype(D::values)>()) + ")";
    } else if constexpr (is_std_array_v<D> || is_tuple_like_v<D>) {
      return "(" + [&]<std::size_t... I>(std::index_sequence<I...>) {
        std::string s;
        ((s += (I ? ", " : "") +
               structure_text<std::tuple_element_t<I, D>>(
                   e, offset + output_tree::offset_of<D, I>())),
         ...);
        return s;
      }(std::make_index_sequence<std::tuple_size_v<D>>{}) + ")";
    } else {
      return "{" + [&]<std::size_t... I>(std::index_sequence<I...>) {
        std::string s;
        ((s += std::string(I ? ", " : "") + hana::to<const char*>(output_tree::key_t<D, I>{}) + ": " +
               structure_text<output_tree::keyed_value_t<D, I>>(e, offset + output_tree::keyed_offset<D, I>())),
         ...);
        return s;
      }(std::make_index_sequence<output_tree::key_count<D>()>{}) + "}";
    }
  }

  static std::string returned(const std::vector<graph_entry>& e) {
    std::string s = structure_text<result>(e);
    return is_output_leaf<result>::value ? "(" + s + ")" : s;
  }

  static std::string args_text(const graph_entry& n, const std::vector<graph_entry>& e) {
    std::string s;
    for (std::size_t i = 0; i < n.children.size(); ++i) s += (i ? ", " : "") + e[static_cast<std::size_t>(n.children[i])].ref;
    if (!n.attributes.empty()) s += (n.children.empty() ? "" : ", ") + n.attributes;
    return s;
  }

  template <class Spec>
  static std::string spec_type() {
    if constexpr (std::is_void_v<typename Spec::value_type>) {
      return "generator";
    } else {
      return std::string(dtype_name(dtype_of<typename Spec::value_type>)) + Spec::shape_type::to_string();
    }
  }
  static std::vector<std::string> input_types() {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::vector<std::string>{spec_type<list_element_t<I, typename G::spec_list>>()...};
    }(std::make_index_sequence<G::input_count>{});
  }

  static std::string text(const G& g) {
    const auto names = G::input_names();
    const auto types = input_types();
    const auto e = collect(g, names);
    std::ostringstream os;
    os << "graph(";
    for (std::size_t i = 0; i < names.size(); ++i) os << (i ? ", " : "") << names[i] << " : " << types[i];
    os << "):\n";
    for (std::size_t i = 0; i < e.size(); ++i) {
      const graph_entry& n = e[i];
      if (n.what != graph_entry::kind::node && n.what != graph_entry::kind::tensor) continue;
      os << "  " << n.ref << " : " << n.dtype << n.shape << " = " << n.op << "(" << args_text(n, e) << ")\n";
      const graph_entry* first = nullptr;  // an earlier result of the same loop: its body is printed there
      for (std::size_t j = 0; j < i && n.subgraph_owner && !first; ++j) {
        if (e[j].subgraph_owner == n.subgraph_owner) first = &e[j];
      }
      if (first) {
        os << "      (body as for " << first->ref << ")\n";
      } else if (!n.subgraph.empty()) {
        std::istringstream lines(n.subgraph);
        for (std::string line; std::getline(lines, line);) os << "      " << line << "\n";
      }
    }
    for (std::size_t i = 0; i < e.size(); ++i) {
      if (G::updates::is_final(i)) {
        os << "  " << names[static_cast<std::size_t>(G::updates::input[i])] << " <- " << e[i].ref << "  (in place)\n";
      }
    }
    os << "  return " << returned(e) << "\n";
    const auto guards = G::guard_lines();
    if (!guards.empty()) {
      os << "guards:\n";
      for (const auto& line : guards) os << "  " << line << "\n";
    }
    return os.str();
  }

  static std::string dot_id(const graph_entry& n, std::size_t i) {
    return n.what == graph_entry::kind::input ? "in_" + n.ref.substr(1) : "n" + std::to_string(i);
  }
  static std::string dot_label(const std::string& s) {
    std::string out;
    for (char c : s) {
      if (c == '"') out += '\\';  // labels use \n for line breaks, so backslashes pass through
      out += c;
    }
    return out;
  }

  static std::string dot(const G& g) {
    const auto names = G::input_names();
    const auto types = input_types();
    const auto e = collect(g, names);
    std::ostringstream os;
    os << "digraph ctrace_graph {\n  rankdir=TB;\n  node [fontname=\"monospace\"];\n";
    for (std::size_t i = 0; i < names.size(); ++i) {
      os << "  in_" << names[i].substr(1) << " [shape=box, label=\"" << dot_label(names[i] + " : " + types[i]) << "\"];\n";
    }
    for (std::size_t i = 0; i < e.size(); ++i) {
      const graph_entry& n = e[i];
      if (n.what == graph_entry::kind::input) continue;
      std::string label = n.what == graph_entry::kind::constant ? n.ref
                                                                 : n.ref + " = " + n.op + "\\n" + n.dtype + n.shape;
      if (!n.attributes.empty()) label += "\\n" + n.attributes;
      os << "  " << dot_id(n, i) << " [label=\"" << dot_label(label) << "\""
         << (n.what == graph_entry::kind::constant ? ", shape=plaintext" : "") << "];\n";
      for (int c : n.children) os << "  " << dot_id(e[static_cast<std::size_t>(c)], static_cast<std::size_t>(c)) << " -> " << dot_id(n, i) << ";\n";
    }
    for (std::size_t k = 0; k < G::output_count; ++k) {
      const auto o = static_cast<std::size_t>(G::outputs[k]);
      os << "  out" << k << " [shape=oval, label=\"output " << k << "\"];\n  " << dot_id(e[o], o) << " -> out" << k << ";\n";
    }
    os << "}\n";
    return os.str();
  }

  static std::string json(const G& g) {
    const auto names = G::input_names();
    const auto types = input_types();
    const auto e = collect(g, names);
    std::ostringstream os;
    os << "{\"inputs\": [";
    for (std::size_t i = 0; i < names.size(); ++i) {
      os << (i ? ", " : "") << "{\"name\": " << json_string(names[i]) << ", \"type\": " << json_string(types[i]) << "}";
    }
    os << "], \"nodes\": [";
    bool first = true;
    for (const graph_entry& n : e) {
      if (n.what == graph_entry::kind::input) continue;
      os << (first ? "" : ", ") << "{\"name\": " << json_string(n.ref) << ", \"op\": " << json_string(n.op)
         << ", \"dtype\": " << json_string(n.dtype) << ", \"shape\": " << json_string(n.shape) << ", \"args\": [";
      for (std::size_t i = 0; i < n.children.size(); ++i) {
        os << (i ? ", " : "") << json_string(e[static_cast<std::size_t>(n.children[i])].ref);
      }
      os << "], \"attributes\": " << json_string(n.attributes) << "}";
      first = false;
    }
    os << "], \"outputs\": [";
    for (std::size_t k = 0; k < G::output_count; ++k) {
      os << (k ? ", " : "") << json_string(e[static_cast<std::size_t>(G::outputs[k])].ref);
    }
    os << "], \"returns\": " << json_string(returned(e)) << ", \"guards\": [";
    const auto guards = G::guard_lines();
    for (std::size_t i = 0; i < guards.size(); ++i) os << (i ? ", " : "") << json_string(guards[i]);
    os << "]}\n";
    return os.str();
  }
};

}  // namespace detail
}  // namespace ctrace
