// The CPU backend's entry point: evaluate any node into memory.
#pragma once

#include "ctrace/backend/cpu/loop.hpp"
#include "ctrace/tensor/tensor_fwd.hpp"

namespace ctrace::exec {

template <>
struct backend<cpu> {
  // dest gets node's value, broadcast to dest's sizes. A node computed as a
  // whole writes straight into dest when dest is exactly its contiguous result.
  template <class T, int R, class Node>
  static void assign(const strided_view<T, R>& dest, const Node& node) {
    if constexpr (cpu_backend::has_root_kernel<Node> && Node::shape_type::rank == R) {
      if (same_sizes(node.sizes(), dest.sizes) && dest.is_contiguous()) {
        cpu_backend::root_kernel<Node>::run(dest, node);
        return;
      }
    }
    cpu_backend::run_elementwise(dest, node);
  }
};

}  // namespace ctrace::exec
