// Walks a node's tree: every node has a `children` tuple (leaves have none).
#pragma once

#include <tuple>
#include <type_traits>

#include "ctrace/expr/leaf.hpp"

namespace ctrace {

// Calls f(leaf) for every tensor leaf under node.
template <class Node, class F>
void for_each_tensor_leaf(const Node& node, F&& f) {
  if constexpr (requires { node.value.owner(); }) {
    f(node);
  } else if constexpr (requires { node.children; }) {
    std::apply([&](const auto&... child) { (for_each_tensor_leaf(child, f), ...); }, node.children);
  }
}

// True when evaluating node may read memory owned by `owner`.
template <class Node>
bool reads_memory(const Node& node, const void* owner) {
  bool found = false;
  for_each_tensor_leaf(node, [&](const auto& leaf) { found = found || leaf.value.owner().get() == owner; });
  return found;
}

}  // namespace ctrace
