// CPU diag_embed: zeros, then the operand written along one diagonal.
#pragma once

#include <algorithm>

#include "ctrace/backend/cpu/assign.hpp"  // as_tensor evaluates operands through it
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/expr/diag_embed.hpp"

namespace ctrace::cpu_backend {

template <std::int64_t Offset, class A>
struct root_kernel<diag_embed_node<Offset, A>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const diag_embed_node<Offset, A>& node) {
    const auto x = as_tensor(node.arg());
    const index_t side = dest.sizes[1];
    std::fill_n(dest.data, side * side, convert<T>(0));
    const index_t row = Offset < 0 ? -Offset : 0, col = Offset > 0 ? Offset : 0;
    const auto v = x.strided();
    for (index_t i = 0; i < v.sizes[0]; ++i) dest.data[(row + i) * side + col + i] = v.data[i * v.strides[0]];
  }
};

}  // namespace ctrace::cpu_backend
