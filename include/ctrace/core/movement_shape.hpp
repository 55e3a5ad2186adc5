// Shape arithmetic for the movement ops that core/shape_ops.hpp leaves to the
// tensor members (expand, static slices): the same rules, as reusable types, for
// movement nodes over expressions.
#pragma once

#include <array>

#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/core/shape_ops.hpp"

namespace ctrace {

namespace op {
struct view { static constexpr std::string_view name = "view"; };
}  // namespace op

// expand<Dims...> of Shape: dims align right, -1 keeps the source dim, a static
// source dim must be 1 or equal the target (as tensor::expand).
template <class Shape, auto... Dims>
struct expand_shape {
  static constexpr int rank = static_cast<int>(sizeof...(Dims));
  static constexpr int lead = rank - Shape::rank;  // new leading dims
  static constexpr std::array<extent, sizeof...(Dims)> given{to_extent(Dims)...};
  static constexpr bool rank_ok = lead >= 0;
  static constexpr extent_list list = [] {
    extent_list l{{}, rank};
    for (int i = 0; i < rank; ++i) {
      const int k = i - lead;
      const bool keep = given[i].is_static() && given[i].value() == -1;
      l.items[i] = keep && k >= 0 ? Shape::extents[k] : given[i];
    }
    return l;
  }();
  static constexpr int bad_axis = [] {
    for (int i = lead < 0 ? 0 : lead; i < rank; ++i) {
      const extent& s = Shape::extents[i - lead];
      if (s.is_static() && s.value() != 1 && provably_different(s, list.items[i])) return i;
    }
    return -1;
  }();
  static constexpr bool check() {
    if constexpr (!rank_ok) {
      return report<diagnostic::rank_mismatch<op::expand, Shape::rank, rank>>();
    } else if constexpr (bad_axis >= 0) {
      return report<diagnostic::expand_mismatch<op::expand, bad_axis, Shape::extents[bad_axis - lead].value(),
                                          list.items[bad_axis].value()>>();
    } else {
      return true;
    }
  }
  static constexpr bool checked = check();
  using type = shape_from<list>;
};

// slice<Axis, Start, Stop, Step> of Shape, Axis in range and Step > 0 (the
// caller checks): the length is static when the dim is.
template <class Shape, int Axis, index_t Start, index_t Stop, index_t Step>
struct static_slice_shape {
  static constexpr int axis = Axis < 0 ? Axis + Shape::rank : Axis;
  static constexpr extent dim = Shape::extents[axis];
  static constexpr extent length = dim.is_static() ? make_extent(slice_length(dim.value(), Start, Stop, Step)) : dyn;
  using type = typename replace_axis_shape<Shape, axis, length>::type;
};

}  // namespace ctrace
