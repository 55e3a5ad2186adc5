// Linear algebra users call: matmul (torch.matmul's rules), diag_embed, and
// diag (torch.diag: vector to matrix, matrix to its diagonal). Every
// compile-time check of these ops happens here.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/api/movement.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/linalg_shape.hpp"
#include "ctrace/core/promotion.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/diag_embed.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/matmul.hpp"

namespace ctrace {

// The matrix product, as torch.matmul: 1-D·1-D is a dot product (rank 0),
// 2-D·2-D [n, k]·[k, m] is [n, m], a 1-D lhs is a row and a 1-D rhs a column
// (that dim is dropped from the result), and the dims before the last two are
// batch dims that broadcast ([B, 1, n, k]·[C, k, m] is [B, C, n, m]).
// Operands are promoted as PyTorch does; bool operands are an error, half
// types are multiplied in f32 and rounded back.
template <tensor_operand A, tensor_operand B>
auto matmul(A&& a, B&& b) {
  auto na = to_node(std::forward<A>(a));
  auto nb = to_node(std::forward<B>(b));
  using NA = decltype(na);
  using NB = decltype(nb);
  if constexpr (any_poison<NA, NB>) {
    return poison{};
  } else {
    constexpr promotion_operand operands[] = {promotion_of<NA>, promotion_of<NB>};
    using T = type_of<result_type(operands)>;
    using SA = typename NA::shape_type;
    using SB = typename NB::shape_type;
    if constexpr (std::is_same_v<T, bool>) {
      report<diagnostic::dtype_not_supported<op::matmul, T>>();
      return poison{};
    } else if constexpr (!matmul_shape<SA, SB>::checked ||
                         !detail::check_devices<op::matmul, typename NA::device_type, typename NB::device_type>()) {
      return poison{};
    } else {
      using C = compute_type_t<T>;
      auto ca = cast_to<C>(std::move(na));
      auto cb = cast_to<C>(std::move(nb));
      auto sizes = matmul_sizes<SA, SB>(ca.sizes(), cb.sizes());
      matmul_node<decltype(ca), decltype(cb)> product{{}, {std::move(ca), std::move(cb)}, sizes};
      return cast_to<T>(std::move(product));
    }
  }
}

// The square matrix with the 1-D x on its diagonal Offset (above the main one
// when positive) and zeros elsewhere: [n] gives [n + |Offset|, n + |Offset|].
template <std::int64_t Offset = 0, tensor_operand X>
auto diag_embed(X&& x) {
  auto n = to_node(std::forward<X>(x));
  using N = decltype(n);
  if constexpr (any_poison<N>) {
    return poison{};
  } else if constexpr (!diag_embed_shape<typename N::shape_type, Offset>::checked) {
    return poison{};
  } else {
    const index_t side = n.sizes()[0] + (Offset < 0 ? -Offset : Offset);
    return diag_embed_node<Offset, N>{{}, {std::move(n)}, {side, side}};
  }
}

// torch.diag: a 1-D x gives the matrix with x on diagonal Offset (diag_embed),
// a 2-D x gives its diagonal Offset as 1-D (diagonal).
template <std::int64_t Offset = 0, tensor_operand X>
auto diag(X&& x) {
  constexpr int rank = node_of_t<X>::shape_type::rank;
  if constexpr (any_poison<node_of_t<X>>) {
    return poison{};
  } else if constexpr (rank == 1) {
    return diag_embed<Offset>(std::forward<X>(x));
  } else if constexpr (rank == 2) {
    return diagonal<Offset>(std::forward<X>(x));
  } else {
    report<ctrace::diagnostic::rank_not_supported<op::diag, rank>>();
    return poison{};
  }
}

}  // namespace ctrace
