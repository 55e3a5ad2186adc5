// CUDA kernels of cat and stack (of listed operands or of a run-time list of
// tensors), as on the CPU: each operand is evaluated straight into its block of
// the destination (a strided view) by the assignment it would get on its own,
// so elementwise operands fuse into the copy and nothing is materialized twice.
// One kernel per non-empty operand, queued in order on the current stream.
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/reduce_rows.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/expr/cat.hpp"
#include "ctrace/expr/join_list.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/stack.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cuda_backend {

namespace join_impl {

// The block of dest that operand sizes `part` fill at `offset` along `axis` (cat).
template <class T, int R>
strided_view<T, R> cat_block(const strided_view<T, R>& dest, const sizes_t<R>& part, int axis, index_t offset) {
  return {dest.data + offset * dest.strides[axis], part, dest.strides};
}

// Index k of dest's dim `axis`, that dim removed (stack).
template <class T, int R>
strided_view<T, R - 1> stack_block(const strided_view<T, R>& dest, int axis, index_t k) {
  strided_view<T, R - 1> v{dest.data + k * dest.strides[axis], {}, {}};
  for (int d = 0, j = 0; d < R; ++d) {
    if (d == axis) continue;
    v.sizes[j] = dest.sizes[d];
    v.strides[j++] = dest.strides[d];
  }
  return v;
}

template <class T, int R, class Node>
void write_block(const strided_view<T, R>& block, const Node& part) {
  if (block.numel() > 0) exec::backend<cuda>::assign(block, part);
}

// True when a tensor's elements may lie in dest's memory (address ranges only:
// device pointers compare like host ones).
template <class T, int R, class Part>
bool overlaps(const strided_view<T, R>& dest, const Part& part) {
  if (part.numel() == 0 || dest.numel() == 0) return false;
  const T* lo = part.data();
  const T* hi = part.data();
  for (int d = 0; d < Part::rank; ++d) {
    const index_t reach = (part.size(d) - 1) * part.stride(d);
    (reach < 0 ? lo : hi) += reach;
  }
  const T* dlo = dest.data;
  const T* dhi = dest.data;
  for (int d = 0; d < R; ++d) {
    const index_t reach = (dest.sizes[d] - 1) * dest.strides[d];
    (reach < 0 ? dlo : dhi) += reach;
  }
  const auto a = reinterpret_cast<std::uintptr_t>(lo), b = reinterpret_cast<std::uintptr_t>(hi + 1);
  const auto c = reinterpret_cast<std::uintptr_t>(dlo), e = reinterpret_cast<std::uintptr_t>(dhi + 1);
  return a < e && c < b;
}

}  // namespace join_impl

template <int Axis, class... Cs>
struct root_kernel<cat_node<Axis, Cs...>> {
  using node_type = cat_node<Axis, Cs...>;
  static constexpr bool exists = true;

  // Any element type (each block's assignment converts); a destination of
  // other sizes (broadcast) goes through a temporary.
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    if constexpr (R == node_type::shape_type::rank) {
      if (node.sizes() == dest.sizes) {
        index_t offset = 0;
        std::apply(
            [&](const auto&... part) {
              ((join_impl::write_block(join_impl::cat_block(dest, part.sizes(), Axis, offset), part),
                offset += part.sizes()[Axis]),
               ...);
            },
            node.children);
        return;
      }
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
      if (node.sizes() == dest.sizes) {
        index_t k = 0;
        std::apply(
            [&](const auto&... part) { (join_impl::write_block(join_impl::stack_block(dest, Axis, k++), part), ...); },
            node.children);
        return;
      }
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
        // A part that is a view of the destination is copied out before
        // anything is written, as tensor::assign does for the operands it can
        // see (a list hides them from it). The copies are stream-ordered
        // before the writes.
        std::vector<tensor<V, S, D>> parts = node.parts;
        for (auto& part : parts) {
          if (join_impl::overlaps(dest, part)) part = part.clone();
        }
        index_t offset = 0;
        for (std::size_t k = 0; k < parts.size(); ++k) {
          const tensor_leaf<V, S, D> leaf{{}, parts[k]};
          if constexpr (node_type::is_stack) {
            join_impl::write_block(join_impl::stack_block(dest, Axis, static_cast<index_t>(k)), leaf);
          } else {
            join_impl::write_block(join_impl::cat_block(dest, parts[k].sizes(), Axis, offset), leaf);
            offset += parts[k].size(Axis);
          }
        }
        return;
      }
    }
    run_via_temporary(dest, node);
  }
};

}  // namespace ctrace::cuda_backend
