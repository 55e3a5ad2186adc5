// Normalizations users call: softmax, log_softmax and layer_norm along one
// axis. Every compile-time check of these ops happens here.
//
//   softmax<Axis = -1>(x), log_softmax<Axis = -1>(x)      floating x only
//   layer_norm<Axis = -1>(x, weight, bias, eps = 1e-5)    weight, bias: 1-D, x's Axis size
//   layer_norm<Axis = -1>(x, eps = 1e-5)                  no affine part
#pragma once

#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/error.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/expr/layer_norm.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/softmax.hpp"

namespace ctrace {

namespace detail {

// The node's axis normalized, or -1 after reporting a bad axis or element type.
template <class Op, int Axis, class N>
constexpr int check_normalized_axis() {
  using T = typename N::value_type;
  constexpr int rank = N::shape_type::rank;
  if constexpr (!is_floating_dtype_v<T>) {
    report<diagnostic::dtype_not_supported<Op, T>>();
    return -1;
  } else if constexpr (!axis_in_range<Op, Axis, rank>) {
    report<diagnostic::axis_out_of_range<Op, Axis, rank>>();
    return -1;
  } else {
    return Axis < 0 ? Axis + rank : Axis;
  }
}

template <class Op, int Axis, class X>
auto make_softmax(X&& x) {
  auto n = to_node(std::forward<X>(x));
  using N = decltype(n);
  if constexpr (any_poison<N>) {
    return poison{};
  } else {
    constexpr int axis = check_normalized_axis<Op, Axis, N>();
    if constexpr (axis < 0) {
      return poison{};
    } else {
      return softmax_node<Op, N, axis>{{}, {std::move(n)}};
    }
  }
}

// A weight or bias of layer_norm: floating, 1-D, and statically no other
// size than the normalized dim.
template <class N, extent Dim, int Axis>
constexpr bool check_affine_operand() {
  using T = typename N::value_type;
  using S = typename N::shape_type;
  if constexpr (!is_floating_dtype_v<T>) {
    report<diagnostic::dtype_not_supported<op::layer_norm, T>>();
    return false;
  } else if constexpr (S::rank != 1) {
    report<diagnostic::rank_mismatch<op::layer_norm, 1, S::rank>>();
    return false;
  } else if constexpr (provably_different(Dim, S::extents[0])) {
    report<diagnostic::shape_mismatch<op::layer_norm, Axis, Dim.value(), S::extents[0].value()>>();
    return false;
  } else {
    return true;
  }
}

template <class N>
void check_affine_size(const N& n, const char* what, int axis, index_t dim) {
  if (n.sizes()[0] != dim) {
    raise("layer_norm: ", what, " has size ", n.sizes()[0], " but dim ", axis, " of the input has size ", dim);
  }
}

}  // namespace detail

// exp(x - max) / sum(exp(x - max)) along Axis (the max makes it overflow-free).
template <int Axis = -1, tensor_operand X>
auto softmax(X&& x) {
  return detail::make_softmax<op::softmax, Axis>(std::forward<X>(x));
}

// x - max - log(sum(exp(x - max))) along Axis: log of softmax without its underflow.
template <int Axis = -1, tensor_operand X>
auto log_softmax(X&& x) {
  return detail::make_softmax<op::log_softmax, Axis>(std::forward<X>(x));
}

// (x - mean) / sqrt(var + eps) * weight + bias along Axis, with the biased
// variance (torch.nn.functional.layer_norm over one dim). The result has x's
// type; weight and bias may have another floating type.
template <int Axis = -1, tensor_operand X, tensor_operand W, tensor_operand B>
auto layer_norm(X&& x, W&& weight, B&& bias, double eps = 1e-5) {
  auto n = to_node(std::forward<X>(x));
  auto w = to_node(std::forward<W>(weight));
  auto b = to_node(std::forward<B>(bias));
  using N = decltype(n);
  using NW = decltype(w);
  using NB = decltype(b);
  if constexpr (any_poison<N, NW, NB>) {
    return poison{};
  } else {
    constexpr int axis = detail::check_normalized_axis<op::layer_norm, Axis, N>();
    if constexpr (axis < 0) {
      return poison{};
    } else {
      constexpr extent dim = N::shape_type::extents[axis];
      constexpr bool ok = detail::check_affine_operand<NW, dim, axis>() && detail::check_affine_operand<NB, dim, axis>();
      if constexpr (!ok || !detail::check_devices<op::layer_norm, typename N::device_type, typename NW::device_type>() ||
                    !detail::check_devices<op::layer_norm, typename N::device_type, typename NB::device_type>()) {
        return poison{};
      } else {
        const index_t size = n.sizes()[axis];
        detail::check_affine_size(w, "weight", axis, size);
        detail::check_affine_size(b, "bias", axis, size);
        return layer_norm_node<axis, N, NW, NB>{{}, {std::move(n), std::move(w), std::move(b)}, eps};
      }
    }
  }
}

// The same without weight and bias.
template <int Axis = -1, tensor_operand X>
auto layer_norm(X&& x, double eps = 1e-5) {
  auto n = to_node(std::forward<X>(x));
  using N = decltype(n);
  if constexpr (any_poison<N>) {
    return poison{};
  } else {
    constexpr int axis = detail::check_normalized_axis<op::layer_norm, Axis, N>();
    if constexpr (axis < 0) {
      return poison{};
    } else {
      return layer_norm_node<axis, N>{{}, {std::move(n)}, eps};
    }
  }
}

}  // namespace ctrace
