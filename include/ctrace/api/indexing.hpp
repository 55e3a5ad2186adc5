// Indexing ops users call: gather, index_select, index (x[idx]) and
// masked_select. Index tensors hold int64 or int32; their values are checked
// when the node runs, before any element of x is read.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/core/broadcast.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/gather.hpp"
#include "ctrace/expr/index_select.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/masked_select.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

namespace exec {
// The number of true elements among n contiguous bools in a device's memory:
// masked_select sizes its result with it. A backend specializes it with
// `static index_t run(const bool* mask, index_t n)` (the CUDA backend in
// backend/cuda/masked_select.cuh, which waits for the count).
template <class Device>
struct count_true;
template <>
struct count_true<cpu> {
  static index_t run(const bool* mask, index_t n) { return static_cast<index_t>(std::count(mask, mask + n, true)); }
};
}  // namespace exec

namespace detail {

// Element types an index tensor may hold (PyTorch: int64, and int32 for most ops).
template <class T>
inline constexpr bool is_index_dtype_v = std::is_same_v<T, std::int32_t> || std::is_same_v<T, std::int64_t>;

template <class Op, class... Devices>
constexpr bool devices_meet() {
  if constexpr (std::is_void_v<common_device_t<Devices...>>) {
    static_assert(always_false<Op>, "ctrace: an op's operands live on different devices (cpu and cuda)");
    return false;
  } else {
    return true;
  }
}

// First dim (other than Axis) where the index is statically longer than x, or -1.
template <class SX, class SI, int Axis>
constexpr int gather_bad_dim() {
  for (int d = 0; d < SX::rank; ++d) {
    const extent& x = SX::extents[d];
    const extent& i = SI::extents[d];
    if (d != Axis && x.is_static() && i.is_static() && i.value() > x.value()) return d;
  }
  return -1;
}

// Run time: the index is no longer than x in any dim but Axis.
template <int Axis, std::size_t R>
void check_gather_sizes(const std::array<index_t, R>& xs, const std::array<index_t, R>& is) {
  // Only rank > 1 has other dims (and g++ 12 warns about the empty loop otherwise).
  if constexpr (R > 1) {
    for (std::size_t d = 0; d < R; ++d) {
      if (static_cast<int>(d) != Axis && is[d] > xs[d]) {
        raise("gather: the index has size ", is[d], " at dim ", d, " but x has only ", xs[d], " (index sizes ",
              sizes_to_string(is), ", x sizes ", sizes_to_string(xs), ")");
      }
    }
  }
}

template <class Op, int Axis, class NX, class NI>
auto make_index_select(NX nx, NI ni) {
  using SX = typename NX::shape_type;
  using SI = typename NI::shape_type;
  using I = typename NI::value_type;
  if constexpr (any_poison<NX, NI>) {
    return poison{};
  } else if constexpr (!is_index_dtype_v<I>) {
    report<diagnostic::dtype_not_supported<Op, I>>();
    return poison{};
  } else if constexpr (SI::rank != 1) {
    // rank_mismatch<op, 1 (the rank an index must have), the index's rank>
    report<diagnostic::rank_mismatch<Op, 1, SI::rank>>();
    return poison{};
  } else if constexpr (!axis_in_range<Op, Axis, SX::rank>) {
    normalize_axis<Op, Axis, SX::rank>();  // reports axis_out_of_range
    return poison{};
  } else if constexpr (!devices_meet<Op, typename NX::device_type, typename NI::device_type>()) {
    return poison{};
  } else {
    constexpr int a = normalize_axis<Op, Axis, SX::rank>();
    using node = index_select_node<Op, a, NX, NI>;
    auto sizes = nx.sizes();
    sizes[a] = ni.sizes()[0];
    return node{{}, {std::move(nx), std::move(ni)}, sizes};
  }
}

}  // namespace detail

// torch.gather(x, Axis, index): result[i...] = x[i...] with coordinate Axis
// replaced by index[i...]. The index has x's rank and is no longer than x in
// every other dim; the result has the index's shape and x's element type.
// Index values must lie in [0, x.size(Axis)) (negatives are errors, as in torch).
template <int Axis, tensor_operand X, tensor_operand I>
auto gather(X&& x, I&& index) {
  auto nx = to_node(std::forward<X>(x));
  auto ni = to_node(std::forward<I>(index));
  using NX = decltype(nx);
  using NI = decltype(ni);
  if constexpr (any_poison<NX, NI>) {
    return poison{};
  } else {
    using SX = typename NX::shape_type;
    using SI = typename NI::shape_type;
    using IT = typename NI::value_type;
    if constexpr (!detail::is_index_dtype_v<IT>) {
      report<diagnostic::dtype_not_supported<op::gather, IT>>();
      return poison{};
    } else if constexpr (SX::rank != SI::rank) {
      report<diagnostic::rank_mismatch<op::gather, SX::rank, SI::rank>>();
      return poison{};
    } else if constexpr (!axis_in_range<op::gather, Axis, SX::rank>) {
      normalize_axis<op::gather, Axis, SX::rank>();  // reports axis_out_of_range
      return poison{};
    } else {
      constexpr int a = normalize_axis<op::gather, Axis, SX::rank>();
      constexpr int bad = detail::gather_bad_dim<SX, SI, a>();
      if constexpr (bad >= 0) {
        // shape_mismatch<gather, dim, x's size, the index's (larger) size>
        report<diagnostic::shape_mismatch<op::gather, bad, SX::extents[bad].value(), SI::extents[bad].value()>>();
        return poison{};
      } else if constexpr (!detail::devices_meet<op::gather, typename NX::device_type, typename NI::device_type>()) {
        return poison{};
      } else {
        const auto is = ni.sizes();
        detail::check_gather_sizes<a>(nx.sizes(), is);
        return gather_node<a, NX, NI>{{}, {std::move(nx), std::move(ni)}, is};
      }
    }
  }
}

// torch.index_select(x, Axis, index): the slices of x along Axis at the
// positions of a 1-D index; dim Axis of the result has the index's length.
template <int Axis, tensor_operand X, tensor_operand I>
auto index_select(X&& x, I&& index) {
  return detail::make_index_select<op::index_select, Axis>(to_node(std::forward<X>(x)),
                                                           to_node(std::forward<I>(index)));
}

// x[idx] with a 1-D integer index: index_select along dim 0.
template <tensor_operand X, tensor_operand I>
auto index(X&& x, I&& idx) {
  return detail::make_index_select<op::index, 0>(to_node(std::forward<X>(x)), to_node(std::forward<I>(idx)));
}

// torch.masked_select(x, mask): the elements of x where the bool mask is
// true, in row-major order of their common broadcast shape, as a 1-D tensor
// of run-time length. The length depends on the mask's values, so the mask is
// evaluated (and counted) here, in the memory of the operands' device (CUDA:
// one count kernel, waited for); x stays lazy. Changing the mask tensor's
// memory before the result is evaluated is an error.
template <tensor_operand X, tensor_operand M>
auto masked_select(X&& x, M&& mask) {
  auto nx = to_node(std::forward<X>(x));
  auto nm = to_node(std::forward<M>(mask));
  using NX = decltype(nx);
  using NM = decltype(nm);
  if constexpr (any_poison<NX, NM>) {
    return poison{};
  } else {
    using SX = typename NX::shape_type;
    using SM = typename NM::shape_type;
    using MT = typename NM::value_type;
    using broadcast = broadcast_shapes<op::masked_select, SX, SM>;
    if constexpr (!std::is_same_v<MT, bool>) {
      report<diagnostic::dtype_not_supported<op::masked_select, MT>>();
      return poison{};
    } else if constexpr (!broadcast::checked ||
                         !detail::devices_meet<op::masked_select, typename NX::device_type, typename NM::device_type>()) {
      return poison{};
    } else {
      using BS = typename broadcast::type;
      using D = common_device_t<typename NX::device_type, typename NM::device_type>;
      // Where the mask is counted: host memory unless an operand is on a device.
      using MD = std::conditional_t<std::is_same_v<D, any_device>, cpu, D>;
      const auto sizes = broadcast_sizes<BS, SX, SM>("masked_select", nx.sizes(), nm.sizes());
      // The mask, broadcast to the common shape, in contiguous memory: the
      // caller's tensor when it is that already, else a new one.
      auto full = [&] {
        if constexpr (std::is_same_v<SM, BS> && std::is_same_v<typename NM::device_type, MD> &&
                      requires { nm.value.owner(); }) {
          if (nm.value.sizes() == sizes && nm.value.is_contiguous()) return tensor<bool, BS, MD>(nm.value);
        }
        auto t = tensor<bool, BS, MD>::uninitialized(sizes);
        t.assign(nm);
        return t;
      }();
      const index_t count = exec::count_true<MD>::run(full.data(), full.numel());
      using leaf = tensor_leaf<bool, BS, MD>;
      return masked_select_node<NX, leaf>{{}, {std::move(nx), leaf{{}, std::move(full)}}, count};
    }
  }
}

}  // namespace ctrace
