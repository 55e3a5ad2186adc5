// Derivative of cat along an axis: operand k's cotangent is the part of the
// cotangent where operand k was laid, a slice along the axis (static bounds
// where the operands' extents there are static, so the slice keeps static
// dims), viewed with the operand's dims.
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/expr/cat.hpp"

namespace ctrace::autodiff {

template <int Axis, class... Cs>
struct rule<cat_node<Axis, Cs...>> : rule_base {
  using node_t = cat_node<Axis, Cs...>;

  // Where operand K starts along the axis, when every extent before it and
  // its own are static; -1 otherwise.
  template <std::size_t K>
  static constexpr index_t static_start = [] {
    constexpr extent dims[] = {Cs::shape_type::extents[Axis]...};
    index_t start = 0;
    for (std::size_t j = 0; j <= K; ++j) {
      if (!dims[j].is_static()) return index_t{-1};
      if (j < K) start += dims[j].value();
    }
    return start;
  }();

  // The operands J... laid end to end: where the next one starts.
  template <std::size_t... J>
  static index_t extent_before(const node_t& n, std::index_sequence<J...>) {
    return (index_t{0} + ... + std::get<J>(n.children).sizes()[Axis]);
  }

  template <std::size_t K, class G>
  static auto vjp(const node_t& n, const G& g) {
    using C = std::tuple_element_t<K, std::tuple<Cs...>>;
    const C& c = std::get<K>(n.children);
    constexpr index_t start = static_start<K>;
    if constexpr (start >= 0) {
      constexpr index_t stop = start + C::shape_type::extents[Axis].value();
      return reshape_to<typename C::shape_type>(slice<Axis, start, stop>(g), c.sizes());
    } else {
      const index_t from = extent_before(n, std::make_index_sequence<K>{});
      return reshape_to<typename C::shape_type>(slice<Axis>(g, from, from + c.sizes()[Axis]), c.sizes());
    }
  }
};

}  // namespace ctrace::autodiff
