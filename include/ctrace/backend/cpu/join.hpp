// CPU kernels of cat and stack: each operand is evaluated straight into its
// block of the destination (exec/join_blocks.hpp, shared with the CUDA
// backend); the copies of a long run-time list run in parallel.
#pragma once

#include <algorithm>
#include <vector>

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/exec/join_blocks.hpp"
#include "ctrace/expr/cat.hpp"
#include "ctrace/expr/join_list.hpp"
#include "ctrace/expr/stack.hpp"

namespace ctrace::cpu_backend {

template <int Axis, class... Cs>
struct root_kernel<cat_node<Axis, Cs...>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cat_node<Axis, Cs...>& node) {
    exec::join::write_parts<cpu, Axis, false>(dest, node.children);
  }
};

template <int Axis, class... Cs>
struct root_kernel<stack_node<Axis, Cs...>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const stack_node<Axis, Cs...>& node) {
    exec::join::write_parts<cpu, Axis, true>(dest, node.children);
  }
};

template <class Op, int Axis, class V, class S, class D>
struct root_kernel<join_list_node<Op, Axis, V, S, D>> {
  static constexpr bool exists = true;
  using node_type = join_list_node<Op, Axis, V, S, D>;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const node_type& node) {
    const index_t count = static_cast<index_t>(node.parts.size());
    const auto parts = exec::join::parts_apart_from(dest, node.parts);
    // Offsets along the cat axis: a prefix sum of the parts' sizes.
    std::vector<index_t> offset(parts.size() + 1, 0);
    index_t largest = 0;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      offset[k + 1] = offset[k] + (node_type::is_stack ? 1 : parts[k].size(Axis));
      largest = std::max(largest, parts[k].numel());
    }
    auto write = [&](index_t k) {
      const auto i = static_cast<std::size_t>(k);
      exec::join::write_list_part<cpu, Axis, node_type::is_stack>(dest, parts[i], k, offset[i]);
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
