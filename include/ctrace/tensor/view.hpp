// strided_view: a pointer with sizes and strides, what evaluators and kernels read.
#pragma once

#include "ctrace/core/shape.hpp"

namespace ctrace {

template <int Rank>
constexpr sizes_t<Rank> contiguous_strides(const sizes_t<Rank>& sizes) {
  sizes_t<Rank> strides{};
  index_t s = 1;
  for (int i = Rank - 1; i >= 0; --i) {
    strides[i] = s;
    s *= sizes[i] > 0 ? sizes[i] : 1;
  }
  return strides;
}

template <int Rank>
constexpr bool is_contiguous(const sizes_t<Rank>& sizes, const sizes_t<Rank>& strides) {
  index_t expected = 1;
  for (int i = Rank - 1; i >= 0; --i) {
    if (sizes[i] == 0) return true;
    if (sizes[i] != 1 && strides[i] != expected) return false;
    expected *= sizes[i];
  }
  return true;
}

template <class T, int Rank>
struct strided_view {
  T* data = nullptr;
  sizes_t<Rank> sizes{};
  sizes_t<Rank> strides{};

  static constexpr int rank = Rank;
  index_t numel() const {
    index_t n = 1;
    for (index_t s : sizes) n *= s;
    return n;
  }
  bool is_contiguous() const { return ctrace::is_contiguous<Rank>(sizes, strides); }
  T* element(const sizes_t<Rank>& index) const {
    index_t off = 0;
    for (int i = 0; i < Rank; ++i) off += index[i] * strides[i];
    return data + off;
  }
};

}  // namespace ctrace
