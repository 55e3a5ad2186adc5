// Selection ops users call: topk with a static or a run-time k.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/topk.hpp"
#include "ctrace/expr/values_indices.hpp"

namespace ctrace {

namespace detail {

// topk's two nodes over n; K is the static k (>= 0) or -1 for a run-time k, k its value.
template <std::int64_t K, int Axis, class N>
auto make_topk(N n, index_t k) {
  using T = typename N::value_type;
  constexpr int rank = N::shape_type::rank;
  if constexpr (std::is_same_v<T, bool>) {
    report<diagnostic::dtype_not_supported<op::topk, T>>();  // torch.topk rejects bool too
    return values_indices<poison, poison>{};
  } else if constexpr (!axis_in_range<op::topk, Axis, rank>) {
    normalize_axis<op::topk, Axis, rank>();  // reports axis_out_of_range
    return values_indices<poison, poison>{};
  } else {
    constexpr int a = normalize_axis<op::topk, Axis, rank>();
    constexpr extent dim = N::shape_type::extents[a];
    if constexpr (K >= 0 && dim.is_static() && K > dim.value()) {
      // argument_out_of_range<topk, k, the dim's static size>
      report<diagnostic::argument_out_of_range<op::topk, K, dim.value()>>();
      return values_indices<poison, poison>{};
    } else {
      const index_t size = n.sizes()[a];
      if (k < 0) raise("topk: k = ", k, " is negative");
      if (k > size) raise("topk: k = ", k, " is out of range for dim ", a, " of size ", size);
      using values = topk_node<a, K, result_part::values, N>;
      using indices = topk_node<a, K, result_part::indices, N>;
      return values_indices<values, indices>{values{{}, {n}, k}, indices{{}, {std::move(n)}, k}};
    }
  }
}

}  // namespace detail

// torch.topk(x, K, Axis): the K largest elements along Axis, largest first,
// and their int64 indices. K is static, so dim Axis of the results is K; a K
// above a static dim is a compile error (argument_out_of_range<topk, K, dim>),
// above a symbolic one a ctrace::error. NaN ranks above every number; equal
// values keep the lower index first. Returns values_indices{values, indices}:
//   auto [values, indices] = topk<2>(x);
// Each of the two nodes computes its own result when evaluated.
template <std::int64_t K, int Axis = -1, tensor_operand X>
auto topk(X&& x) {
  auto n = to_node(std::forward<X>(x));
  if constexpr (any_poison<decltype(n)>) {
    return values_indices<poison, poison>{};
  } else if constexpr (K < 0) {
    report<diagnostic::argument_out_of_range<op::topk, K, 0>>();
    return values_indices<poison, poison>{};
  } else {
    return detail::make_topk<K, Axis>(std::move(n), K);
  }
}

// The same with k known at run time: dim Axis of the results is dyn; a k
// outside [0, x.size(Axis)] throws ctrace::error.
template <int Axis = -1, tensor_operand X>
auto topk(X&& x, index_t k) {
  auto n = to_node(std::forward<X>(x));
  if constexpr (any_poison<decltype(n)>) {
    return values_indices<poison, poison>{};
  } else {
    return detail::make_topk<-1, Axis>(std::move(n), k);
  }
}

}  // namespace ctrace
