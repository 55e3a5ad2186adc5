// The device-independent part of cat and stack, shared by the backends: each
// operand is evaluated straight into its block of the destination (a strided
// view) by the backend's own assignment, so elementwise operands fuse into the
// copy and nothing is materialized twice.
#pragma once

#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "ctrace/core/shape.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::exec::join {

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

template <class Device, class T, int R, class Node>
void write_block(const strided_view<T, R>& block, const Node& part) {
  if (block.numel() > 0) exec::backend<Device>::assign(block, part);
}

// Listed operands (cat_node's or stack_node's children), each into its block.
template <class Device, int Axis, bool Stack, class T, int R, class Children>
void write_parts(const strided_view<T, R>& dest, const Children& children) {
  index_t k = 0;
  std::apply(
      [&](const auto&... part) {
        if constexpr (Stack) {
          (write_block<Device>(stack_block(dest, Axis, k++), part), ...);
        } else {
          ((write_block<Device>(cat_block(dest, part.sizes(), Axis, k), part), k += part.sizes()[Axis]), ...);
        }
      },
      children);
}

// True when a tensor's elements may lie in dest's memory (address ranges
// only; device pointers compare like host ones).
template <class T, int R, class Part>
bool overlaps(const strided_view<T, R>& dest, const Part& part) {
  if (part.numel() == 0 || dest.numel() == 0) return false;
  const auto span = [](const auto* data, const auto& sizes, const auto& strides, int rank) {
    const auto* lo = data;
    const auto* hi = data;
    for (int d = 0; d < rank; ++d) {
      const index_t reach = (sizes[d] - 1) * strides[d];
      (reach < 0 ? lo : hi) += reach;
    }
    return std::pair{reinterpret_cast<std::uintptr_t>(lo), reinterpret_cast<std::uintptr_t>(hi + 1)};
  };
  const auto [a, b] = span(part.data(), part.sizes(), part.strides(), Part::rank);
  const auto [c, e] = span(dest.data, dest.sizes, dest.strides, R);
  return a < e && c < b;
}

// The parts of a run-time list, those that are views of the destination
// copied out first (as tensor::assign does for the operands it can see; a
// list hides them from it).
template <class T, int R, class Part>
std::vector<Part> parts_apart_from(const strided_view<T, R>& dest, const std::vector<Part>& listed) {
  std::vector<Part> parts = listed;
  for (auto& part : parts) {
    if (overlaps(dest, part)) part = part.clone();
  }
  return parts;
}

// Part k of a run-time list into its block: row k (stack), or the block at
// `offset` along the axis (cat).
template <class Device, int Axis, bool Stack, class T, int R, class V, class S, class D>
void write_list_part(const strided_view<T, R>& dest, const tensor<V, S, D>& part, index_t k, index_t offset) {
  const tensor_leaf<V, S, D> leaf{{}, part};
  if constexpr (Stack) write_block<Device>(stack_block(dest, Axis, k), leaf);
  else write_block<Device>(cat_block(dest, part.sizes(), Axis, offset), leaf);
}

}  // namespace ctrace::exec::join
