// Shape arithmetic for movement ops: permute, squeeze/unsqueeze, select, slice,
// expand, reshape. Used by tensor views and by expression nodes alike.
#pragma once

#include <array>

#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace {

namespace op {
// Tags naming movement ops in diagnostics and in the IR.
struct permute { static constexpr std::string_view name = "permute"; };
struct transpose { static constexpr std::string_view name = "transpose"; };
struct reshape { static constexpr std::string_view name = "reshape"; };
struct squeeze { static constexpr std::string_view name = "squeeze"; };
struct unsqueeze { static constexpr std::string_view name = "unsqueeze"; };
struct select { static constexpr std::string_view name = "select"; };
struct slice { static constexpr std::string_view name = "slice"; };
struct expand { static constexpr std::string_view name = "expand"; };
struct assign { static constexpr std::string_view name = "assign"; };
}  // namespace op

template <class Shape, int... Perm>
struct permute_shape {
  static constexpr int rank = Shape::rank;
  static constexpr bool valid = [] {
    if (static_cast<int>(sizeof...(Perm)) != rank) return false;
    bool seen[max_rank + 1]{};
    for (int p : {Perm..., 0}) {
      if (p < -rank || p >= rank) return false;
    }
    for (int p : std::array<int, sizeof...(Perm)>{Perm...}) {
      int q = p < 0 ? p + rank : p;
      if (seen[q]) return false;
      seen[q] = true;
    }
    return true;
  }();
  static constexpr bool check() {
    if constexpr (!valid) report<diagnostic::invalid_permutation<op::permute, rank, Perm...>>();
    return valid;
  }
  static constexpr bool checked = check();
  static constexpr std::array<int, sizeof...(Perm)> perm{(Perm < 0 ? Perm + rank : Perm)...};
  static constexpr extent_list list = [] {
    extent_list l{{}, rank};
    if constexpr (valid) {
      for (int i = 0; i < rank; ++i) l.items[i] = Shape::extents[perm[i]];
    }
    return l;
  }();
  using type = shape_from<list>;
};

// Removes axis A (already normalized).
template <class Shape, int A>
struct drop_axis_shape {
  static constexpr int rank = Shape::rank - 1;
  static constexpr extent_list list = [] {
    extent_list l{{}, rank};
    for (int i = 0, j = 0; i < Shape::rank; ++i) {
      if (i != A) l.items[j++] = Shape::extents[i];
    }
    return l;
  }();
  using type = shape_from<list>;
};

// Inserts a dim of extent E before axis A (A in [0, rank]).
template <class Shape, int A, extent E>
struct insert_axis_shape {
  static constexpr int rank = Shape::rank + 1;
  static constexpr extent_list list = [] {
    extent_list l{{}, rank};
    for (int i = 0, j = 0; i < rank; ++i) l.items[i] = i == A ? E : Shape::extents[j++];
    return l;
  }();
  using type = shape_from<list>;
};

// Replaces the extent of axis A.
template <class Shape, int A, extent E>
struct replace_axis_shape {
  static constexpr extent_list list = [] {
    extent_list l{{}, Shape::rank};
    for (int i = 0; i < Shape::rank; ++i) l.items[i] = i == A ? E : Shape::extents[i];
    return l;
  }();
  using type = shape_from<list>;
};

// Length of a static slice [start, stop) with step, PyTorch's clamping rules:
// negative bounds count from the end, bounds are clamped into [0, size].
constexpr index_t slice_length(index_t size, index_t start, index_t stop, index_t step) {
  if (start < 0) start += size;
  if (stop < 0) stop += size;
  start = start < 0 ? 0 : (start > size ? size : start);
  stop = stop < 0 ? 0 : (stop > size ? size : stop);
  return stop > start ? (stop - start + step - 1) / step : 0;
}

// The shape `reshape<Dims...>` gives, with at most one -1 inferred.
template <class Op, class From, auto... Dims>
struct reshape_shape {
  static constexpr int rank = static_cast<int>(sizeof...(Dims));
  static constexpr std::array<extent, sizeof...(Dims)> given{to_extent(Dims)...};
  static constexpr int inferred_axis = [] {
    int found = -1;
    for (int i = 0; i < rank; ++i) {
      if (given[i].is_static() && given[i].value() == -1) found = found == -1 ? i : -2;
    }
    return found;
  }();
  static_assert(inferred_axis != -2, "ctrace: reshape: at most one dim may be -1");
  static constexpr extent_list list = [] {
    extent_list l{{}, rank};
    extent known = make_extent(1);
    for (int i = 0; i < rank; ++i) {
      l.items[i] = given[i];
      if (i != inferred_axis) known = known * given[i];
    }
    if constexpr (inferred_axis >= 0) l.items[inferred_axis] = divide_exact(From::numel_extent(), known);
    return l;
  }();
  using type = shape_from<list>;
  // Static element counts that differ are a compile-time error.
  static constexpr extent from_numel = From::numel_extent();
  static constexpr extent to_numel = type::numel_extent();
  static constexpr extent known_numel = [] {
    extent known = make_extent(1);
    for (int i = 0; i < rank; ++i) {
      if (i != inferred_axis) known = known * given[i];
    }
    return known;
  }();
  // A -1 that cannot divide the static element count is as wrong as a mismatch.
  static constexpr bool inferred_ok = inferred_axis < 0 || !from_numel.is_static() || !known_numel.is_static() ||
                                      (known_numel.value() != 0 && from_numel.value() % known_numel.value() == 0);
  static constexpr bool ok =
      inferred_ok && !(from_numel.is_static() && to_numel.is_static() && from_numel.value() != to_numel.value());
  static constexpr bool check() {
    if constexpr (!ok) {
      report<diagnostic::element_count_mismatch<Op, from_numel.is_static() ? from_numel.value() : -1,
                                          to_numel.is_static()      ? to_numel.value()
                                          : known_numel.is_static() ? known_numel.value()
                                                                    : -1>>();
    }
    return ok;
  }
  static constexpr bool checked = check();
};

}  // namespace ctrace
