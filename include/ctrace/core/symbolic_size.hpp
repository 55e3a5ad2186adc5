// Sizes that keep their extent: dim_size<N> is a run-time size known to be an
// instance of N, shape_value<Shape> a run-time shape of a shape type. Ops
// and factories that take them put the extents in their result types.
#pragma once

#include "ctrace/core/shape.hpp"

namespace ctrace {

template <extent E>
struct dim_size {
  static constexpr extent value_extent = E;
  index_t value;
  constexpr operator index_t() const { return value; }  // NOLINT(google-explicit-constructor): a size is an integer
};

template <extent A, extent B>
constexpr dim_size<A * B> operator*(dim_size<A> a, dim_size<B> b) {
  return {a.value * b.value};
}
template <extent A, extent B>
constexpr dim_size<A + B> operator+(dim_size<A> a, dim_size<B> b) {
  return {a.value + b.value};
}
template <extent A, extent B>
constexpr dim_size<A - B> operator-(dim_size<A> a, dim_size<B> b) {
  return {a.value - b.value};
}

template <class Shape>
struct shape_value {
  using shape_type = Shape;
  sizes_t<Shape::rank> sizes;
  template <int Axis>
  dim_size<Shape::extents[Axis]> dim() const {
    return {sizes[Axis]};
  }
};

}  // namespace ctrace
