// shape<Dims...>: the compile-time shape of a tensor or node, and the run-time
// check that sizes fit it (each symbol takes one value per tensor).
#pragma once

#include <array>
#include <new>
#include <string>

#include "ctrace/core/config.hpp"
#include "ctrace/core/dim.hpp"
#include "ctrace/core/error.hpp"

namespace ctrace {

template <int Rank>
using sizes_t = std::array<index_t, static_cast<std::size_t>(Rank)>;

// a == b for sizes or strides, as a loop the compiler unrolls: std::array's
// operator== calls memcmp, which was an eighth of a small graph call.
template <std::size_t R>
constexpr bool same_sizes(const std::array<index_t, R>& a, const std::array<index_t, R>& b) {
  bool same = true;
  for (std::size_t i = 0; i < R; ++i) same &= a[i] == b[i];
  return same;
}

template <class... Dims>
struct shape {
  static constexpr int rank = static_cast<int>(sizeof...(Dims));
  static_assert(rank <= max_rank, "ctrace: tensors have at most 8 dimensions");
  static constexpr std::array<extent, sizeof...(Dims)> extents{extent_of<Dims>...};
  static constexpr bool is_static = (is_static_dim<Dims> && ...);

  static constexpr extent numel_extent() {
    extent n = make_extent(1);
    for (const extent& e : extents) n = n * e;
    return n;
  }
  // Sizes when every dim is static; symbolic and dynamic dims read as -1.
  static constexpr sizes_t<rank> static_sizes() {
    sizes_t<rank> s{};
    for (int i = 0; i < rank; ++i) s[i] = extents[i].is_static() ? extents[i].value() : -1;
    return s;
  }
  static std::string to_string() {
    std::string s = "[";
    for (int i = 0; i < rank; ++i) {
      if (i) s += ", ";
      s += ctrace::to_string(extents[i]);
    }
    return s + "]";
  }
};

// A list of extents as one template argument: what shape arithmetic returns.
// Fixed capacity (not a template on the rank): g++ 12 crashes on class-type
// template arguments whose own type depends on another template argument.
struct extent_list {
  extent items[max_rank];
  int rank;
  constexpr bool operator==(const extent_list&) const = default;
};

namespace detail {
template <extent_list List, class Seq>
struct shape_from_list;
template <extent_list List, std::size_t... I>
struct shape_from_list<List, std::index_sequence<I...>> {
  using type = shape<typename dim_type<List.items[I]>::type...>;
};
template <extent_list List>
struct shape_from_impl {
  using type = typename shape_from_list<List, std::make_index_sequence<static_cast<std::size_t>(List.rank)>>::type;
};
}  // namespace detail

// The shape type for a list of extent values.
template <extent_list List>
using shape_from = typename detail::shape_from_impl<List>::type;

// The shape type users write: shape_of<2, N, 3> with ints and extents mixed.
template <auto... Dims>
using shape_of = shape<dim_t<to_extent(Dims)>...>;

template <class T>
inline constexpr bool is_shape_v = false;
template <class... D>
inline constexpr bool is_shape_v<shape<D...>> = true;

namespace detail {

// A symbol's value as bound while checking one tensor's sizes.
struct symbol_binding {
  symbol_name name;
  index_t value;
};

// Entries are made when bound: a check of a tensor's sizes (each graph call,
// each tensor made from a symbolic expression) then does not zero all 24.
struct symbol_table {
  union entry {
    symbol_binding binding;
    entry() {}
  };
  entry entries[max_rank * max_term_symbols];
  int count = 0;

  const index_t* find(const symbol_name& n) const {
    for (int i = 0; i < count; ++i) {
      if (entries[i].binding.name == n) return &entries[i].binding.value;
    }
    return nullptr;
  }
  void bind(const symbol_name& n, index_t v) { ::new (static_cast<void*>(&entries[count++].binding)) symbol_binding{n, v}; }
};

// Value of an extent under the bindings; false when a symbol is unbound.
inline bool evaluate(const extent& e, const symbol_table& table, index_t& out) {
  if (e.dynamic) return false;
  index_t total = 0;
  for (int i = 0; i < e.term_count; ++i) {
    index_t t = e.terms[i].coef;
    for (int k = 0; k < e.terms[i].count; ++k) {
      const index_t* v = table.find(e.terms[i].symbols[k]);
      if (!v) return false;
      t *= *v;
    }
    total += t;
  }
  out = total;
  return true;
}

}  // namespace detail

namespace detail {
template <class Shape>
[[gnu::noinline]] void check_sizes_against(const sizes_t<Shape::rank>& sizes, const char* what);
}  // namespace detail

// Checks run-time sizes against a shape: static dims must match exactly, a
// dim c*S binds S = size/c, and every dim must agree with the bindings.
// Throws ctrace::error naming `what`, the dim, the expected form and the value.
// A static shape is one comparison, inline; the rest is out of line.
template <class Shape>
void check_sizes(const sizes_t<Shape::rank>& sizes, const char* what) {
  constexpr int R = Shape::rank;
  if constexpr (Shape::is_static) {  // nothing to bind: compare with the type's sizes
    constexpr sizes_t<R> want = Shape::static_sizes();
    if (same_sizes(sizes, want)) return;
  }
  detail::check_sizes_against<Shape>(sizes, what);
}

namespace detail {
template <class Shape>
void check_sizes_against(const sizes_t<Shape::rank>& sizes, const char* what) {
  constexpr int R = Shape::rank;
  symbol_table table;
  for (int i = 0; i < R; ++i) {
    if (sizes[i] < 0) {
      raise(what, ": size ", sizes[i], " at dim ", i, " is negative");
    }
  }
  // Bind symbols from dims that are a single scaled symbol: c*S.
  for (int i = 0; i < R; ++i) {
    const extent& e = Shape::extents[i];
    if (e.dynamic || e.term_count != 1 || e.terms[0].count != 1) continue;
    const extent_term& t = e.terms[0];
    if (table.find(t.symbols[0])) continue;
    if (sizes[i] % t.coef != 0) {
      raise(what, ": size ", sizes[i], " at dim ", i, " does not fit the declared dim ", to_string(e),
            " (not a multiple of ", t.coef, ")");
    }
    table.bind(t.symbols[0], sizes[i] / t.coef);
  }
  for (int i = 0; i < R; ++i) {
    const extent& e = Shape::extents[i];
    index_t expected = 0;
    if (!evaluate(e, table, expected)) continue;
    if (expected != sizes[i]) {
      if (e.is_static()) {
        raise(what, ": size ", sizes[i], " at dim ", i, " but the type says ", expected);
      }
      raise(what, ": size ", sizes[i], " at dim ", i, " disagrees with the declared dim ", to_string(e), " = ",
            expected, " (symbols bound from the other dims)");
    }
  }
}
}  // namespace detail

template <class Shape>
constexpr index_t numel(const sizes_t<Shape::rank>& sizes) {
  index_t n = 1;
  for (index_t s : sizes) n *= s;
  return n;
}

template <std::size_t R>
inline std::string sizes_to_string(const std::array<index_t, R>& sizes) {
  std::string s = "[";
  for (std::size_t i = 0; i < R; ++i) {
    if (i) s += ", ";
    s += std::to_string(sizes[i]);
  }
  return s + "]";
}

}  // namespace ctrace
