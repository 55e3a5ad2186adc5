// Turning an operand into memory a kernel can read: a tensor leaf is its own
// memory (no copy); anything else is evaluated once into a new tensor.
#pragma once

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/exec/memo.hpp"

namespace ctrace::cpu_backend {

// The node's value as a CPU tensor. Leaves give their tensor (any strides);
// other nodes are evaluated into new contiguous memory.
template <class Node>
auto as_tensor(const Node& node) {
  using V = typename Node::value_type;
  using S = typename Node::shape_type;
  if constexpr (requires { node.value.owner(); }) {
    return tensor<V, S, cpu>(node.value);
  } else {
    return exec::materialize_once<Node, tensor<V, S, cpu>>([&] {
      auto t = tensor<V, S, cpu>::uninitialized(node.sizes());
      exec::backend<cpu>::assign(t.strided(), node);
      return t;
    });
  }
}

// The same, but always contiguous (copies a strided leaf).
template <class Node>
auto as_contiguous_tensor(const Node& node) {
  auto t = as_tensor(node);
  return t.is_contiguous() ? t : t.clone();
}

}  // namespace ctrace::cpu_backend
