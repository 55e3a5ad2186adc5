// Printing tensors, PyTorch style: tensor([[1.0000, 2.0000], ...], f32[2, 2]).
#pragma once

#include <cstdio>
#include <ostream>
#include <string>

#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

namespace detail {
template <class T>
std::string format_element(const T& v) {
  char buf[48];
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "True" : "False";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(static_cast<compute_type_t<T>>(v)));
    return buf;
  }
}
template <class T, int R>
void print_level(std::ostream& os, const strided_view<T, R>& v, int dim, index_t offset, int indent) {
  if constexpr (R == 0) {
    os << format_element(v.data[0]);
  } else {
    os << '[';
    for (index_t i = 0; i < v.sizes[dim]; ++i) {
      if (i) {
        os << ',';
        if (dim < R - 1) os << '\n' << std::string(static_cast<std::size_t>(indent + dim + 1), ' ');
        else os << ' ';
      }
      const index_t off = offset + i * v.strides[dim];
      if (dim == R - 1) os << format_element(v.data[off]);
      else print_level(os, v, dim + 1, off, indent);
    }
    os << ']';
  }
}
}  // namespace detail

template <class T, class S>
std::ostream& operator<<(std::ostream& os, const tensor<T, S, cpu>& t) {
  os << "tensor(";
  detail::print_level(os, t.strided(), 0, 0, 7);
  os << ", " << dtype_name(dtype_of<T>) << sizes_to_string(t.sizes()) << ')';
  return os;
}

}  // namespace ctrace
