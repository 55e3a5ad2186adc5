// CPU kernels of cat and stack: each operand is evaluated straight into its
// block of the destination (a strided view), so elementwise operands fuse
// into the copy and nothing is materialized twice.
#pragma once

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/expr/cat.hpp"
#include "ctrace/expr/join_list.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/stack.hpp"

namespace ctrace::cpu_backend {

namespace detail {

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
  if (block.numel() > 0) exec::backend<cpu>::assign(block, part);
}

// True when a tensor's elements may lie in dest's memory.
template <class T, int R, class Part>
bool overlaps(const strided_view<T, R>& dest, const Part& part) {
  if (part.numel() == 0 || dest.numel() == 0) return false;
  const T* lo = part.data();
  const T* hi = part.data();
  for (int d = 0; d < Part::rank; ++d) {
    const index_t reach = (part.size(d) - 1) * part.stride(d);
    (reach < 0 ? lo : hi) += reach;
  }
  const auto a = reinterpret_cast<std::uintptr_t>(lo), b = reinterpret_cast<std::uintptr_t>(hi + 1);
  const auto c = reinterpret_cast<std::uintptr_t>(dest.data), e = reinterpret_cast<std::uintptr_t>(dest.data + dest.numel());
  return a < e && c < b;
}

}  // namespace detail

template <int Axis, class... Cs>
struct root_kernel<cat_node<Axis, Cs...>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cat_node<Axis, Cs...>& node) {
    index_t offset = 0;
    std::apply(
        [&](const auto&... part) {
          ((detail::write_block(detail::cat_block(dest, part.sizes(), Axis, offset), part),
            offset += part.sizes()[Axis]),
           ...);
        },
        node.children);
  }
};

template <int Axis, class... Cs>
struct root_kernel<stack_node<Axis, Cs...>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const stack_node<Axis, Cs...>& node) {
    index_t k = 0;
    std::apply([&](const auto&... part) { (detail::write_block(detail::stack_block(dest, Axis, k++), part), ...); },
               node.children);
  }
};

template <class Op, int Axis, class V, class S, class D>
struct root_kernel<join_list_node<Op, Axis, V, S, D>> {
  static constexpr bool exists = true;
  using node_type = join_list_node<Op, Axis, V, S, D>;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    const index_t count = static_cast<index_t>(node.parts.size());
    // A part that is a view of the destination is copied out before anything
    // is written, as tensor::assign does for the operands it can see (a list
    // hides them from it).
    std::vector<tensor<V, S, D>> parts = node.parts;
    for (auto& part : parts) {
      if (detail::overlaps(dest, part)) part = part.clone();
    }
    // Offsets along the cat axis: a prefix sum of the parts' sizes.
    std::vector<index_t> offset(parts.size() + 1, 0);
    index_t largest = 0;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      offset[k + 1] = offset[k] + (node_type::is_stack ? 1 : parts[k].size(Axis));
      largest = std::max(largest, parts[k].numel());
    }
    auto write = [&](index_t k) {
      const auto& part = parts[static_cast<std::size_t>(k)];
      const tensor_leaf<V, S, D> leaf{{}, part};
      if constexpr (node_type::is_stack) {
        detail::write_block(detail::stack_block(dest, Axis, k), leaf);
      } else {
        detail::write_block(detail::cat_block(dest, part.sizes(), Axis, offset[static_cast<std::size_t>(k)]), leaf);
      }
    };
    if (largest >= parallel_grain) {
      for (index_t k = 0; k < count; ++k) write(k);  // each copy runs in parallel on its own
    } else {
      parallel_for(count, std::max<index_t>(1, parallel_grain / std::max<index_t>(largest, 1)), [&](index_t b, index_t e) {
        for (index_t k = b; k < e; ++k) write(k);
      });
    }
  }
};

}  // namespace ctrace::cpu_backend
