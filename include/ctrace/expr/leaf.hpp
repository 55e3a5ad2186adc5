// Leaves: a tensor read by an expression, and a wrapped scalar constant.
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/core/dtype.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/tensor/tensor_fwd.hpp"

namespace ctrace {

// A tensor as an operand. Holds a handle (shared memory), so an expression
// stays valid when the tensor it was built from goes out of scope.
template <class T, class Shape, class Device>
struct tensor_leaf : node_base<tensor_leaf<T, Shape, Device>> {
  using value_type = T;
  using shape_type = Shape;
  using device_type = Device;
  using children_type = std::tuple<>;
  static constexpr std::string_view name = "input";
  static constexpr promotion_priority priority = priority_of<tensor_leaf>;

  tensor<T, Shape, Device> value;

  const sizes_t<Shape::rank>& sizes() const { return value.sizes(); }
};

// A number in an expression. Its type is already the op's compute type; it
// takes part in promotion as a wrapped scalar (x_f32 * 2.0 stays f32).
template <class T>
struct scalar_leaf : node_base<scalar_leaf<T>> {
  using value_type = T;
  using shape_type = ctrace::shape<>;
  using device_type = any_device;
  using children_type = std::tuple<>;
  static constexpr std::string_view name = "constant";
  static constexpr promotion_priority priority = promotion_priority::wrapped_scalar;
  static constexpr bool is_scalar_leaf = true;
  template <class U>
  using rebind = scalar_leaf<U>;

  T value;

  sizes_t<0> sizes() const { return {}; }
};

// The element type a bare number stands for before promotion: bool, i64 or f64
// (PyTorch's Python numbers); the op then converts it to its compute type.
template <class N>
using number_dtype_t = std::conditional_t<std::is_same_v<N, bool>, bool,
                                          std::conditional_t<std::is_integral_v<N>, std::int64_t, double>>;

// The node an operand stands for: nodes as they are, tensors as leaves,
// numbers as scalar leaves (of their Python-number type; see number_dtype_t).
template <operand X>
auto to_node(X&& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (tensor_node<D>) {
    return D(std::forward<X>(x));
  } else if constexpr (tensor_type<D>) {
    return tensor_leaf<typename D::value_type, typename D::shape_type, typename D::device_type>{
        {}, std::forward<X>(x)};
  } else {
    return scalar_leaf<number_dtype_t<D>>{{}, static_cast<number_dtype_t<D>>(x)};
  }
}

template <operand X>
using node_of_t = decltype(to_node(std::declval<X>()));

}  // namespace ctrace
