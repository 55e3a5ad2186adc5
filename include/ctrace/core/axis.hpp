// Axis arguments: negative axes count from the end; checked at compile time.
#pragma once

#include "ctrace/core/diagnostics.hpp"

namespace ctrace {

// Axis normalized to [0, Rank); an out-of-range axis reports and yields 0.
template <class Op, int Axis, int Rank>
constexpr int normalize_axis() {
  if constexpr (Axis < -Rank || Axis >= Rank) {
    report<diagnostic::axis_out_of_range<Op, Axis, Rank>>();
    return 0;
  } else {
    return Axis < 0 ? Axis + Rank : Axis;
  }
}

template <class Op, int Axis, int Rank>
inline constexpr bool axis_in_range = Axis >= -Rank && Axis < Rank;

// A compile-time list of axes (sum over axes<0, 2>).
template <int... Axes>
struct axes {
  static constexpr int size = sizeof...(Axes);
};

}  // namespace ctrace
