// What every expression node is: a value holding its children, its functor and
// its static facts (value type, shape, device, name). Nodes never evaluate
// themselves; each backend has evaluators for them.
#pragma once

#include <concepts>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/core/device.hpp"
#include "ctrace/core/promotion.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/core/symbolic_size.hpp"
#include "ctrace/expr/children.hpp"
#include "ctrace/tensor/tensor_fwd.hpp"

namespace ctrace {

// Nodes with no memory of their own (constants, arange, rand) run anywhere.
struct any_device {
  static constexpr std::string_view name = "any";
};

namespace detail {
template <class A, class B>
struct common_device_impl {
  using type = void;  // devices that cannot meet
};
template <class A>
struct common_device_impl<A, A> {
  using type = A;
};
template <class A>
struct common_device_impl<A, any_device> {
  using type = A;
};
template <class B>
struct common_device_impl<any_device, B> {
  using type = B;
};
template <>
struct common_device_impl<any_device, any_device> {
  using type = any_device;
};
}  // namespace detail

template <class... Devices>
struct common_device;
template <>
struct common_device<> {
  using type = any_device;
};
template <class D, class... Rest>
struct common_device<D, Rest...> {
  using type = typename detail::common_device_impl<D, typename common_device<Rest...>::type>::type;
};
template <class... Devices>
using common_device_t = typename common_device<Devices...>::type;

// Every node derives from node_base<Derived>, which names node_marker. Not a
// base class shared by all nodes: a node whose first member is a node would
// then hold two subobjects of that one empty class, which may not share an
// address, so the member moves and g++ zero-fills the whole node when
// building it (measured on a 4x4 call: about 100 instructions).
template <class T>
concept tensor_node = requires { typename std::remove_cvref_t<T>::node_marker; };

// A number used directly as an operand (x * 2.0): a wrapped scalar.
template <class T>
concept wrapped_number = std::is_arithmetic_v<std::remove_cvref_t<T>>;

// Anything an op accepts: a node, a tensor, or a number.
template <class T>
concept operand = tensor_node<T> || tensor_type<T> || wrapped_number<T>;

template <class Node>
inline constexpr promotion_priority priority_of =
    Node::shape_type::rank == 0 ? promotion_priority::zero_dim : promotion_priority::dimensioned;

template <class Node>
inline constexpr promotion_operand promotion_of{dtype_of<typename Node::value_type>, Node::priority};

// CRTP base: facts derived from the node's value_type and shape_type, and the
// members every node has (eval, to<U>) which need the tensor class later.
template <class Derived>
struct node_base {
  using node_marker = Derived;
  // The tensor this node evaluates to on `Device` (its own device by default).
  template <class Device = void>
  auto eval() const;
  // Each element converted to U (a cast node; no node when the type is U already).
  template <class U>
  auto to() const;
  // The sizes with the shape type: full(x.shape(), 2.0f) keeps x's dims.
  auto shape() const {
    return shape_value<typename Derived::shape_type>{static_cast<const Derived&>(*this).sizes()};
  }
};

// The tensor type a node evaluates to.
template <tensor_node Node, class Device = void>
using eval_tensor_t =
    tensor<typename Node::value_type, typename Node::shape_type,
           std::conditional_t<std::is_void_v<Device>,
                              std::conditional_t<std::is_same_v<typename Node::device_type, any_device>, cpu,
                                                 typename Node::device_type>,
                              Device>>;

template <class Derived>
template <class Device>
auto node_base<Derived>::eval() const {
  return eval_tensor_t<Derived, Device>(static_cast<const Derived&>(*this));
}

// The poison node: returned after a compile-time error so that the error is
// reported once, not again by every op that consumes the bad result.
struct poison : node_base<poison> {
  using value_type = float;
  using shape_type = ctrace::shape<>;
  using device_type = any_device;
  static constexpr std::string_view name = "poison";
  static constexpr promotion_priority priority = promotion_priority::zero_dim;
  sizes_t<0> sizes() const { return {}; }
};

template <class... T>
inline constexpr bool any_poison = (std::is_same_v<std::remove_cvref_t<T>, poison> || ...);

}  // namespace ctrace

#include "ctrace/expr/cast.hpp"  // node_base::to needs cast_to; cast.hpp needs this header first

namespace ctrace {
template <class Derived>
template <class U>
auto node_base<Derived>::to() const {
  return cast_to<U>(static_cast<const Derived&>(*this));
}
}  // namespace ctrace
