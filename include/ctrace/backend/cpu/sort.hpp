// CPU kernel of topk: per line along the axis, the k first positions in the
// order "larger first, NaN above every number, lower index first on ties",
// found with std::partial_sort or std::nth_element; lines spread over the cores.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

// assign.hpp first: materialize.hpp calls exec::backend<cpu> without including it.
#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/lines.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/expr/topk.hpp"

namespace ctrace::cpu_backend {

namespace detail {

// Whether position a comes before position b. A strict total order (ties are
// broken by position), so every selection algorithm gives the same answer.
template <class C>
struct topk_before {
  const C* values;
  bool operator()(index_t a, index_t b) const {
    const C va = values[a], vb = values[b];
    if constexpr (is_floating_dtype_v<C>) {
      const bool na = std::isnan(va), nb = std::isnan(vb);
      if (na || nb) return na && (!nb || a < b);
    }
    if (va != vb) return va > vb;
    return a < b;
  }
};

// Moves the k first positions of `order` (all n positions) to its front, sorted.
template <class C>
void select_first(std::vector<index_t>& order, index_t k, const topk_before<C>& before) {
  const auto first = order.begin(), middle = order.begin() + k, last = order.end();
  if (k == 0) return;
  // A heap of k is cheapest for small k; for large k, partition then sort k.
  if (k * 8 <= static_cast<index_t>(order.size())) {
    std::partial_sort(first, middle, last, before);
  } else {
    if (middle != last) std::nth_element(first, middle - 1, last, before);
    std::sort(first, middle, before);
  }
}

}  // namespace detail

template <int Axis, std::int64_t K, result_part Part, class A>
struct root_kernel<topk_node<Axis, K, Part, A>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const topk_node<Axis, K, Part, A>& node) {
    using In = typename A::value_type;
    using C = compute_type_t<In>;
    const index_t k = node.k;
    if (dest.numel() == 0) return;
    const auto x = as_tensor(node.arg());
    const auto xv = x.strided();
    // Lines of x and of dest are numbered alike: only their length differs.
    const lines<R> in{xv.sizes, Axis}, out{dest.sizes, Axis};
    const index_t n = in.length(), xs = xv.strides[Axis], ds = dest.strides[Axis];
    parallel_for(in.count(), line_grain(n), [&](index_t b, index_t e) {
      std::vector<C> values(static_cast<std::size_t>(n));
      std::vector<index_t> order(static_cast<std::size_t>(n));
      const detail::topk_before<C> before{values.data()};
      for (index_t line = b; line < e; ++line) {
        const In* p = xv.data + in.offset(line, xv.strides);
        for (index_t i = 0; i < n; ++i) values[static_cast<std::size_t>(i)] = static_cast<C>(p[i * xs]);
        std::iota(order.begin(), order.end(), index_t(0));
        detail::select_first(order, k, before);
        T* o = dest.data + out.offset(line, dest.strides);
        for (index_t i = 0; i < k; ++i) {
          const index_t j = order[static_cast<std::size_t>(i)];
          if constexpr (Part == result_part::values) o[i * ds] = p[j * xs];
          else o[i * ds] = j;
        }
      }
    });
  }
};

}  // namespace ctrace::cpu_backend
