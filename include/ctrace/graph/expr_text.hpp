// Text form of an expression, in the style of the captured-graph IR: inputs
// with dtype and shape (symbols by name), one line per node in evaluation
// order, constants inline. Tensor leaves that are the same view print as one
// input, so x * (x + y) shows two inputs.
#pragma once

#include <cstdio>
#include <ostream>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ctrace/expr/children.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

namespace detail {

template <class Node>
std::string type_text() {
  return std::string(dtype_name(dtype_of<typename Node::value_type>)) + Node::shape_type::to_string();
}

template <class T>
std::string constant_text(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(static_cast<compute_type_t<T>>(v)));
    std::string s = buf;
    if (s.find_first_of(".eni") == std::string::npos) s += ".0";
    return s;
  }
}

class expr_printer {
 public:
  template <class Node>
  std::string print(const Node& root) {
    collect_inputs(root);
    std::ostringstream os;
    os << "expr(";
    for (std::size_t i = 0; i < inputs_.size(); ++i) os << (i ? ", " : "") << '%' << i << " : " << inputs_[i].type;
    os << "):\n";
    next_id_ = static_cast<int>(inputs_.size());
    const std::string result = emit(root);
    os << body_.str() << "  return (" << result << ")\n";
    return os.str();
  }

 private:
  struct input {
    const void* data;
    std::string layout;  // sizes and strides
    std::string type;
  };

  template <class Node>
  static std::string layout_of(const Node& leaf) {
    const auto v = leaf.value.strided();
    std::string s;
    for (int i = 0; i < Node::shape_type::rank; ++i) s += std::to_string(v.sizes[i]) + ":" + std::to_string(v.strides[i]) + ",";
    return s;
  }

  template <class Node>
  int input_id(const Node& leaf) const {
    const std::string layout = layout_of(leaf);
    for (std::size_t i = 0; i < inputs_.size(); ++i) {
      if (inputs_[i].data == leaf.value.data() && inputs_[i].layout == layout && inputs_[i].type == type_text<Node>()) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  template <class Node>
  void collect_inputs(const Node& node) {
    if constexpr (requires { node.value.owner(); }) {
      if (input_id(node) < 0) inputs_.push_back({node.value.data(), layout_of(node), type_text<Node>()});
    } else if constexpr (has_children<Node>) {
      apply_children([&](const auto&... c) { (collect_inputs(c), ...); }, children_of(node));
    }
  }

  // Prints the node's line (after its operands') and returns how to refer to it.
  template <class Node>
  std::string emit(const Node& node) {
    if constexpr (requires { node.value.owner(); }) {
      return "%" + std::to_string(input_id(node));
    } else if constexpr (requires { Node::is_scalar_leaf; }) {
      return constant_text(node.value);
    } else if constexpr (requires { Node::is_literal; }) {
      return constant_text(Node::value_of());
    } else {
      std::vector<std::string> args;
      if constexpr (has_children<Node>) {
        apply_children([&](const auto&... c) { (args.push_back(emit(c)), ...); }, children_of(node));
      }
      const int id = next_id_++;
      body_ << "  %" << id << " : " << type_text<Node>() << " = " << Node::name << '(';
      for (std::size_t i = 0; i < args.size(); ++i) body_ << (i ? ", " : "") << args[i];
      std::string attrs;
      if constexpr (requires { node.attributes(); }) attrs = node.attributes();
      else if constexpr (requires { node.op.attributes(); }) attrs = node.op.attributes();
      if (!attrs.empty()) body_ << (args.empty() ? "" : ", ") << attrs;
      body_ << ")\n";
      return "%" + std::to_string(id);
    }
  }

  std::vector<input> inputs_;
  std::ostringstream body_;
  int next_id_ = 0;
};

}  // namespace detail

// The expression as text (see the header comment).
template <tensor_node Node>
std::string to_text(const Node& node) {
  return detail::expr_printer{}.print(node);
}

template <tensor_node Node>
std::ostream& operator<<(std::ostream& os, const Node& node) {
  return os << to_text(node);
}

}  // namespace ctrace
