// Forward declaration of tensor, so node headers can name it without the class.
#pragma once

#include "ctrace/core/device.hpp"
#include "ctrace/core/dtype.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace {

template <element_type T, class Shape, device_tag Device = cpu>
class tensor;

template <class T>
inline constexpr bool is_tensor_v = false;
template <class T, class S, class D>
inline constexpr bool is_tensor_v<tensor<T, S, D>> = true;

// A tensor of any element type, shape and device.
template <class T>
concept tensor_type = is_tensor_v<std::remove_cvref_t<T>>;

// The user-facing spelling: Tensor<float, N, 3> on the CPU.
template <element_type T, auto... Dims>
using Tensor = tensor<T, shape_of<Dims...>, cpu>;

namespace exec {
// Each backend specializes this with `assign(strided_view, node)`: evaluate a
// node into existing memory. Declared here so tensors can evaluate nodes
// without including any backend.
template <class Device>
struct backend;
}  // namespace exec

}  // namespace ctrace
