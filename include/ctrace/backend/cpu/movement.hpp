// CPU evaluation of movement nodes: the operand is evaluated once into memory
// and read through the view; chains of views apply to that one evaluation.
#pragma once

#include <utility>

#include "ctrace/backend/cpu/assign.hpp"  // as_tensor evaluates operands through it
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/expr/movement.hpp"

namespace ctrace::cpu_backend {

// The node's value as a CPU tensor, possibly strided: movement nodes become
// views of their operand's memory (no copy), tensor leaves are themselves,
// anything else is evaluated once into new memory. For kernels that read
// strided memory (matmul) and for the movement evaluator below.
template <class Node>
auto as_strided_tensor(const Node& node) {
  if constexpr (is_movement_node_v<Node>) {
    return node.op.apply(as_strided_tensor(node.arg()));
  } else {
    return as_tensor(node);
  }
}

template <class Op, class A, int R>
struct evaluator<movement_node<Op, A>, R> : strided_reader<typename A::value_type, R> {
  using node_type = movement_node<Op, A>;
  using T = typename node_type::value_type;
  using view_type = tensor<T, typename node_type::shape_type, cpu>;
  view_type storage;  // keeps the evaluated operand alive while rows read it

  evaluator(const node_type& node, const sizes_t<R>& iter) : evaluator(view_type(as_strided_tensor(node)), iter) {}

 private:
  evaluator(view_type view, const sizes_t<R>& iter)
      : strided_reader<T, R>(view.strided(), iter), storage(std::move(view)) {}
};

}  // namespace ctrace::cpu_backend
