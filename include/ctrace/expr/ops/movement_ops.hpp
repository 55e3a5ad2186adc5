// Movement op descriptions (permute, transpose, select, slice, squeeze,
// unsqueeze, expand, reshape/view, diagonal): the compile-time check, the
// result shape, the run-time sizes, and apply(), which takes the view of a
// tensor through the tensor's own view members. movement_node and the API
// share them, so a view of an expression follows exactly a tensor's rules.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/linalg_shape.hpp"
#include "ctrace/core/movement_shape.hpp"
#include "ctrace/core/shape_ops.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::movement {

namespace detail {

// "[1, 0]": attribute lists as the IR prints them.
inline std::string format_ints(std::initializer_list<std::int64_t> values) {
  std::string s = "[";
  bool first = true;
  for (std::int64_t v : values) {
    if (!first) s += ", ";
    s += std::to_string(v);
    first = false;
  }
  return s + "]";
}

template <std::size_t N>
std::string format_sizes(const std::array<index_t, N>& values) {
  std::string s = "[";
  for (std::size_t i = 0; i < N; ++i) {
    if (i) s += ", ";
    s += std::to_string(values[i]);
  }
  return s + "]";
}

template <class Op, int Axis, int Rank>
constexpr bool check_axis() {
  if constexpr (!axis_in_range<Op, Axis, Rank>) return report<diagnostic::axis_out_of_range<Op, Axis, Rank>>();
  else return true;
}

}  // namespace detail

template <int... Perm>
struct permute {
  static constexpr std::string_view name = "permute";
  template <class S>
  static constexpr bool check() {
    return permute_shape<S, Perm...>::checked;
  }
  template <class S>
  using result_shape = typename permute_shape<S, Perm...>::type;
  template <class S>
  sizes_t<S::rank> result_sizes(const sizes_t<S::rank>& in) const {
    sizes_t<S::rank> out{};
    for (int i = 0; i < S::rank; ++i) out[i] = in[permute_shape<S, Perm...>::perm[i]];
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template permute<Perm...>();
  }
  std::string attributes() const { return "perm=" + detail::format_ints({Perm...}); }
};

template <int A, int B>
struct transpose {
  static constexpr std::string_view name = "transpose";
  template <class S>
  static constexpr bool check() {
    return detail::check_axis<op::transpose, A, S::rank>() && detail::check_axis<op::transpose, B, S::rank>();
  }
  template <class S>
  static constexpr int first = A < 0 ? A + S::rank : A;
  template <class S>
  static constexpr int second = B < 0 ? B + S::rank : B;
  template <class S>
  static constexpr extent_list swapped() {
    extent_list l{{}, S::rank};
    for (int i = 0; i < S::rank; ++i) l.items[i] = S::extents[i];
    l.items[first<S>] = S::extents[second<S>];
    l.items[second<S>] = S::extents[first<S>];
    return l;
  }
  template <class S>
  using result_shape = shape_from<swapped<S>()>;
  template <class S>
  sizes_t<S::rank> result_sizes(const sizes_t<S::rank>& in) const {
    sizes_t<S::rank> out = in;
    std::swap(out[first<S>], out[second<S>]);
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template transpose<A, B>();
  }
  std::string attributes() const { return "dim0=" + std::to_string(A) + ", dim1=" + std::to_string(B); }
};

// Index `index` of dim Axis (negative counts from the end); the dim goes away.
template <int Axis>
struct select {
  static constexpr std::string_view name = "select";
  index_t index;
  template <class S>
  static constexpr bool check() {
    return detail::check_axis<op::select, Axis, S::rank>();
  }
  template <class S>
  static constexpr int axis = Axis < 0 ? Axis + S::rank : Axis;
  template <class S>
  using result_shape = typename drop_axis_shape<S, axis<S>>::type;
  template <class S>
  sizes_t<S::rank - 1> result_sizes(const sizes_t<S::rank>& in) const {
    constexpr int a = axis<S>;
    const index_t i = index < 0 ? index + in[a] : index;
    if (i < 0 || i >= in[a]) {
      ctrace::detail::raise("select: index ", index, " is out of range for dim ", a, " of size ", in[a]);
    }
    sizes_t<S::rank - 1> out{};
    for (int k = 0, j = 0; k < S::rank; ++k) {
      if (k != a) out[j++] = in[k];
    }
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template select<Axis>(index);
  }
  std::string attributes() const { return "dim=" + std::to_string(Axis) + ", index=" + std::to_string(index); }
};

// start, start+step, ... before stop along Axis, bounds known at run time: the
// length is dynamic.
template <int Axis>
struct slice {
  static constexpr std::string_view name = "slice";
  index_t start, stop, step;
  template <class S>
  static constexpr bool check() {
    return detail::check_axis<op::slice, Axis, S::rank>();
  }
  template <class S>
  static constexpr int axis = Axis < 0 ? Axis + S::rank : Axis;
  template <class S>
  using result_shape = typename replace_axis_shape<S, axis<S>, dyn>::type;
  template <class S>
  sizes_t<S::rank> result_sizes(const sizes_t<S::rank>& in) const {
    if (step <= 0) ctrace::detail::raise("slice: step must be positive, got ", step);
    sizes_t<S::rank> out = in;
    out[axis<S>] = slice_length(in[axis<S>], start, stop, step);
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template slice<Axis>(start, stop, step);
  }
  std::string attributes() const {
    return "dim=" + std::to_string(Axis) + ", start=" + std::to_string(start) + ", end=" + std::to_string(stop) +
           ", step=" + std::to_string(step);
  }
};

// The same with static bounds: a static dim gives a static length.
template <int Axis, index_t Start, index_t Stop, index_t Step>
struct static_slice {
  static constexpr std::string_view name = "slice";
  template <class S>
  static constexpr bool check() {
    if constexpr (Step <= 0) return report<diagnostic::argument_out_of_range<op::slice, Step, 1>>();
    else return detail::check_axis<op::slice, Axis, S::rank>();
  }
  template <class S>
  using result_shape = typename static_slice_shape<S, Axis, Start, Stop, Step>::type;
  template <class S>
  sizes_t<S::rank> result_sizes(const sizes_t<S::rank>& in) const {
    constexpr int a = static_slice_shape<S, Axis, Start, Stop, Step>::axis;
    sizes_t<S::rank> out = in;
    out[a] = slice_length(in[a], Start, Stop, Step);
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template slice<Axis, Start, Stop, Step>();
  }
  std::string attributes() const {
    return "dim=" + std::to_string(Axis) + ", start=" + std::to_string(Start) + ", end=" + std::to_string(Stop) +
           ", step=" + std::to_string(Step);
  }
};

template <int Axis>
struct squeeze {
  static constexpr std::string_view name = "squeeze";
  template <class S>
  static constexpr int axis = Axis < 0 ? Axis + S::rank : Axis;
  template <class S>
  static constexpr bool check() {
    if constexpr (!detail::check_axis<op::squeeze, Axis, S::rank>()) {
      return false;
    } else if constexpr (S::extents[axis<S>].is_static() && S::extents[axis<S>].value() != 1) {
      return report<diagnostic::squeeze_non_unit_dim<op::squeeze, Axis, S::extents[axis<S>].value()>>();
    } else {
      return true;
    }
  }
  template <class S>
  using result_shape = typename drop_axis_shape<S, axis<S>>::type;
  template <class S>
  sizes_t<S::rank - 1> result_sizes(const sizes_t<S::rank>& in) const {
    constexpr int a = axis<S>;
    if (in[a] != 1) ctrace::detail::raise("squeeze: dim ", a, " has size ", in[a], ", not 1");
    sizes_t<S::rank - 1> out{};
    for (int k = 0, j = 0; k < S::rank; ++k) {
      if (k != a) out[j++] = in[k];
    }
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template squeeze<Axis>();
  }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

// A new dim of size 1 before Axis (Axis in [-rank-1, rank]).
template <int Axis>
struct unsqueeze {
  static constexpr std::string_view name = "unsqueeze";
  template <class S>
  static constexpr bool check() {
    return detail::check_axis<op::unsqueeze, Axis, S::rank + 1>();
  }
  template <class S>
  static constexpr int axis = Axis < 0 ? Axis + S::rank + 1 : Axis;
  template <class S>
  using result_shape = typename insert_axis_shape<S, axis<S>, make_extent(1)>::type;
  template <class S>
  sizes_t<S::rank + 1> result_sizes(const sizes_t<S::rank>& in) const {
    sizes_t<S::rank + 1> out{};
    for (int k = 0, j = 0; k < S::rank + 1; ++k) out[k] = k == axis<S> ? 1 : in[j++];
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template unsqueeze<Axis>();
  }
  std::string attributes() const { return "dim=" + std::to_string(Axis); }
};

// Broadcast to `sizes` (-1 keeps a dim), dims given as in the type.
template <auto... Dims>
struct expand {
  static constexpr std::string_view name = "expand";
  static constexpr int rank = static_cast<int>(sizeof...(Dims));
  sizes_t<rank> sizes;
  template <class S>
  static constexpr bool check() {
    return expand_shape<S, Dims...>::checked;
  }
  template <class S>
  using result_shape = typename expand_shape<S, Dims...>::type;
  template <class S>
  sizes_t<rank> result_sizes(const sizes_t<S::rank>& in) const {
    constexpr int lead = rank - S::rank;
    sizes_t<rank> out{};
    for (int i = 0; i < rank; ++i) {
      const int k = i - lead;
      const index_t want = sizes[i] == -1 && k >= 0 ? in[k] : sizes[i];
      if (k >= 0 && in[k] != want && in[k] != 1) {
        ctrace::detail::raise("expand: dim ", k, " of size ", in[k], " cannot expand to ", want,
                              " (only size-1 dims can)");
      }
      out[i] = want;
    }
    check_sizes<result_shape<S>>(out, "expand");
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    return t.template expand<Dims...>(sizes);
  }
  std::string attributes() const { return "size=" + detail::format_sizes(sizes); }
};

// New dims over the same elements in row-major order; one -1 is inferred.
// `given` holds the sizes asked for (-1 where unknown). A view (IsView) must
// not need a copy; reshape copies when the strides do not allow a view.
template <bool IsView, auto... Dims>
struct reshape {
  using tag = std::conditional_t<IsView, op::view, op::reshape>;
  static constexpr std::string_view name = tag::name;
  static constexpr int rank = static_cast<int>(sizeof...(Dims));
  sizes_t<rank> given;
  template <class S>
  static constexpr bool check() {
    return reshape_shape<tag, S, Dims...>::checked;
  }
  template <class S>
  using result_shape = typename reshape_shape<op::reshape, S, Dims...>::type;
  template <class S>
  sizes_t<rank> result_sizes(const sizes_t<S::rank>& in) const {
    index_t count = 1;
    for (index_t s : in) count *= s;
    std::array<extent, rank> wanted{};
    for (int i = 0; i < rank; ++i) wanted[i] = make_extent(given[i]);
    const auto out = ctrace::detail::infer_reshape_sizes<result_shape<S>>(count, wanted);
    index_t out_count = 1;
    for (index_t s : out) out_count *= s;
    if (out_count != count) {
      ctrace::detail::raise(name, ": cannot view ", sizes_to_string(in), " (", count, " elements) as ",
                            sizes_to_string(out), " (", out_count, " elements)");
    }
    check_sizes<result_shape<S>>(out, name.data());
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    if constexpr (IsView) {
      const auto out = result_sizes<S>(t.sizes());
      sizes_t<rank> strides{};
      if (!ctrace::detail::view_strides<S::rank, rank>(t.sizes(), t.strides(), out, strides)) {
        ctrace::detail::raise("view: sizes ", sizes_to_string(t.sizes()), " with strides ",
                              sizes_to_string(t.strides()), " cannot be viewed as ", sizes_to_string(out),
                              " without a copy; use reshape");
      }
    }
    return t.template reshape<Dims...>(given);
  }
  std::string attributes() const { return "shape=" + detail::format_sizes(given); }
};

// The diagonal `Offset` of a 2-D operand (above the main one when positive),
// a strided view: torch.diagonal.
template <std::int64_t Offset>
struct diagonal {
  static constexpr std::string_view name = "diagonal";
  template <class S>
  static constexpr bool check() {
    return diagonal_shape<S, Offset>::checked;
  }
  template <class S>
  using result_shape = typename diagonal_shape<S, Offset>::type;
  template <class S>
  sizes_t<1> result_sizes(const sizes_t<2>& in) const {
    sizes_t<1> out{};
    out[0] = diagonal_length(in[0], in[1], Offset);
    return out;
  }
  template <class T, class S, class D>
  auto apply(const tensor<T, S, D>& t) const {
    const index_t length = diagonal_length(t.size(0), t.size(1), Offset);
    // An empty diagonal points at the start, never past the end.
    const index_t start = length == 0 ? 0 : Offset >= 0 ? Offset * t.stride(1) : -Offset * t.stride(0);
    return tensor<T, result_shape<S>, D>(t.owner(), t.data() + start, {length}, {t.stride(0) + t.stride(1)});
  }
  std::string attributes() const { return "offset=" + std::to_string(Offset); }
};

}  // namespace ctrace::movement
