// input_node<I, T, Shape, Device>: the I-th input of a captured graph. While
// tracing it stands for a tensor described by a spec; when the graph is
// called it reads the caller's tensor (borrowed: no copy, no reference
// count). Its index is part of its type, so every use of one input is the
// same graph node.
#pragma once

#include <string_view>
#include <tuple>
#include <utility>

#include "ctrace/core/error.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/tensor/borrowed.hpp"

namespace ctrace {

template <int I, class T, class Shape, class Device>
struct input_node : node_base<input_node<I, T, Shape, Device>> {
  using value_type = T;
  using shape_type = Shape;
  using device_type = Device;
  using children_type = std::tuple<>;
  static constexpr std::string_view name = "input";
  static constexpr promotion_priority priority = priority_of<input_node>;
  static constexpr int index = I;

  // The memory of the tensor bound to the input (the caller's while the
  // graph runs, the trace's placeholder while it is traced), not owned: so an
  // input node, and every expression over input nodes only, is trivially
  // copyable (tensor/borrowed.hpp says why that matters).
  borrowed_tensor<T, Shape, Device> value;

  input_node() = default;
  explicit input_node(const strided_view<T, Shape::rank>& memory) : value{memory} {}

  const sizes_t<Shape::rank>& sizes() const { return value.sizes(); }
  // The run-time size of a dim (the caller's, on every call: never a constant).
  index_t size(int axis) const {
    const int a = axis < 0 ? axis + Shape::rank : axis;
    if (a < 0 || a >= Shape::rank) detail::raise("size: axis ", axis, " is out of range for rank ", Shape::rank);
    return value.sizes()[static_cast<std::size_t>(a)];
  }
  index_t numel() const { return value.numel(); }
};

template <class T>
inline constexpr bool is_input_node_v = false;
template <int I, class T, class S, class D>
inline constexpr bool is_input_node_v<input_node<I, T, S, D>> = true;

}  // namespace ctrace
