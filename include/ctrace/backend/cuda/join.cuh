// CUDA kernels of cat and stack (of listed operands or of a run-time list of
// tensors), as on the CPU (exec/join_blocks.hpp): each operand is evaluated
// straight into its block of the destination by the assignment it would get
// on its own, so elementwise operands fuse into the copy and nothing is
// materialized twice. One kernel per non-empty operand, queued in order on
// the current stream.
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/exec/join_blocks.hpp"
#include "ctrace/expr/cat.hpp"
#include "ctrace/expr/join_list.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/stack.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cuda_backend {

template <int Axis, class... Cs>
struct root_kernel<cat_node<Axis, Cs...>> {
  using node_type = cat_node<Axis, Cs...>;
  static constexpr bool exists = true;

  // Any element type (each block's assignment converts); a destination of
  // other sizes (broadcast) goes through a temporary.
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    if constexpr (R == node_type::shape_type::rank) {
      if (node.sizes() == dest.sizes) return exec::join::write_parts<cuda, Axis, false>(dest, node.children);
    }
    run_via_temporary(dest, node);
  }
};

template <int Axis, class... Cs>
struct root_kernel<stack_node<Axis, Cs...>> {
  using node_type = stack_node<Axis, Cs...>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    if constexpr (R == node_type::shape_type::rank) {
      if (node.sizes() == dest.sizes) return exec::join::write_parts<cuda, Axis, true>(dest, node.children);
    }
    run_via_temporary(dest, node);
  }
};

template <class Op, int Axis, class V, class S, class D>
struct root_kernel<join_list_node<Op, Axis, V, S, D>> {
  using node_type = join_list_node<Op, Axis, V, S, D>;
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    if constexpr (R == node_type::shape_type::rank) {
      if (node.sizes() == dest.sizes) {
        // Copies of parts that view the destination are stream-ordered before the writes.
        const auto parts = exec::join::parts_apart_from(dest, node.parts);
        index_t offset = 0;
        for (std::size_t k = 0; k < parts.size(); ++k) {
          exec::join::write_list_part<cuda, Axis, node_type::is_stack>(dest, parts[k], static_cast<index_t>(k), offset);
          if constexpr (!node_type::is_stack) offset += parts[k].size(Axis);
        }
        return;
      }
    }
    run_via_temporary(dest, node);
  }
};

}  // namespace ctrace::cuda_backend
