// Guards of a captured graph: what a call must satisfy for the graph's
// compile-time facts to hold. Symbols are bound from the inputs' sizes (the
// first dim that is c*S binds S), every other symbolic input dim is checked
// against the bindings, and every relation an op relied on (broadcast and
// matmul dims that are equal only if the symbols agree) is checked once per
// call. All of it is planned while compiling: a call evaluates a few integer
// expressions over an array of symbol values.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ctrace/core/broadcast.hpp"
#include "ctrace/core/error.hpp"
#include "ctrace/core/linalg_shape.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/expr/binary.hpp"
#include "ctrace/expr/cat.hpp"
#include "ctrace/expr/matmul.hpp"
#include "ctrace/expr/movement.hpp"
#include "ctrace/expr/ops/movement_ops.hpp"

namespace ctrace {

// lhs == rhs, or a side that may broadcast from 1 is 1 (numpy's rule, as the
// op checks it at run time). `op` and `dim` say which op relied on it.
struct guard_relation {
  extent lhs{}, rhs{};
  bool lhs_may_be_one = false, rhs_may_be_one = false;
  std::string_view op{};
  int dim = 0;  // -1: the whole shape (element counts)
  constexpr bool operator==(const guard_relation&) const = default;
};

inline constexpr int max_node_relations = max_rank + 1;

struct relation_list {
  guard_relation items[max_node_relations]{};
  int count = 0;
  constexpr void add(const guard_relation& r) { items[count++] = r; }
};

namespace detail {

// A relation is a guard only between extents the bindings can evaluate and
// that are not equal by construction.
constexpr bool needs_guard(const extent& a, const extent& b) {
  if (a.is_dynamic() || b.is_dynamic() || provably_equal(a, b)) return false;
  if ((a.is_static() && a.value() == 1) || (b.is_static() && b.value() == 1)) return false;
  return a.is_symbolic() || b.is_symbolic();
}

template <class SA, class SB, class SR>
constexpr void add_broadcast_relations(relation_list& out, std::string_view op, int first_dim = 0) {
  constexpr int R = SR::rank;
  for (int i = 0; i < R; ++i) {
    const int ia = i - (R - SA::rank), ib = i - (R - SB::rank);
    const extent a = ia >= 0 ? SA::extents[ia] : make_extent(1);
    const extent b = ib >= 0 ? SB::extents[ib] : make_extent(1);
    if (!needs_guard(a, b)) continue;
    const extent& r = SR::extents[i];
    out.add({a, b, !(a.is_symbolic() && provably_equal(r, a)), !(b.is_symbolic() && provably_equal(r, b)), op,
             first_dim + i});
  }
}

}  // namespace detail

// The relations a node's construction relied on; none unless specialized.
template <class Node>
struct node_relations {
  static constexpr relation_list value{};
};

template <class Op, class A, class B>
struct node_relations<binary_node<Op, A, B>> {
  static constexpr relation_list value = [] {
    relation_list l{};
    detail::add_broadcast_relations<typename A::shape_type, typename B::shape_type,
                                    typename binary_node<Op, A, B>::shape_type>(l, Op::name);
    return l;
  }();
};

template <class A, class B>
struct node_relations<matmul_node<A, B>> {
  using M = matmul_shape<typename A::shape_type, typename B::shape_type>;
  static constexpr relation_list value = [] {
    relation_list l{};
    if (detail::needs_guard(M::lhs_inner, M::rhs_inner)) {
      l.add({M::lhs_inner, M::rhs_inner, false, false, "matmul", M::lhs_axis});
    }
    detail::add_broadcast_relations<typename M::lhs_batch, typename M::rhs_batch, typename M::batch_shape>(l, "matmul");
    return l;
  }();
};

// cat: every operand's dims other than the axis equal the first operand's.
template <int Axis, class... Cs>
struct node_relations<cat_node<Axis, Cs...>> {
  static constexpr relation_list value = [] {
    relation_list l{};
    using first = std::tuple_element_t<0, std::tuple<Cs...>>;
    using S0 = typename first::shape_type;
    constexpr int a = Axis < 0 ? Axis + S0::rank : Axis;
    auto add = [&]<class S>(S*) {
      for (int d = 0; d < S0::rank && d < S::rank; ++d) {
        if (d == a || !detail::needs_guard(S0::extents[d], S::extents[d])) continue;
        if (l.count < max_node_relations) l.add({S0::extents[d], S::extents[d], false, false, "cat", d});
      }
    };
    (add(static_cast<typename Cs::shape_type*>(nullptr)), ...);
    return l;
  }();
};

// reshape/view: the element count is unchanged.
template <bool IsView, auto... Dims, class A>
struct node_relations<movement_node<movement::reshape<IsView, Dims...>, A>> {
  using node = movement_node<movement::reshape<IsView, Dims...>, A>;
  static constexpr relation_list value = [] {
    relation_list l{};
    const extent from = A::shape_type::numel_extent(), to = node::shape_type::numel_extent();
    if (detail::needs_guard(from, to)) l.add({from, to, false, false, IsView ? "view" : "reshape", -1});
    return l;
  }();
};

// ---- symbols and their bindings ------------------------------------------------

inline constexpr int max_graph_symbols = 16;

// An extent with its symbols replaced by their positions in the graph's table.
struct indexed_extent {
  std::int64_t coef[max_extent_terms]{};
  int symbols[max_extent_terms][max_term_symbols]{};
  int counts[max_extent_terms]{};
  int terms = 0;

  index_t evaluate(const index_t* values) const {
    index_t total = 0;
    for (int t = 0; t < terms; ++t) {
      index_t v = coef[t];
      for (int k = 0; k < counts[t]; ++k) v *= values[symbols[t][k]];
      total += v;
    }
    return total;
  }
};

// One input dim: where a symbol gets its value, or a check against bindings.
struct input_dim_guard {
  int input = 0, dim = 0;
  extent declared{};
  indexed_extent expected{};  // checks: the declared extent over the bindings
  int binds = -1;           // binders: the symbol set to size / coef
  std::int64_t coef = 1;
};

struct compiled_relation {
  guard_relation relation{};
  indexed_extent lhs{}, rhs{};
};

template <std::size_t InputDims, std::size_t Relations>
struct guard_plan {
  symbol_name symbols[max_graph_symbols]{};
  int symbol_count = 0;
  input_dim_guard dims[InputDims == 0 ? 1 : InputDims]{};
  int dim_count = 0;
  compiled_relation relations[Relations == 0 ? 1 : Relations]{};
  int relation_count = 0;
  bool complete = true;  // false when an extent names a symbol no input binds

  constexpr int find(const symbol_name& s) const {
    for (int i = 0; i < symbol_count; ++i) {
      if (symbols[i] == s) return i;
    }
    return -1;
  }
  constexpr bool index(const extent& e, indexed_extent& out) const {
    out = indexed_extent{};
    out.terms = e.term_count;
    for (int t = 0; t < e.term_count; ++t) {
      out.coef[t] = e.terms[t].coef;
      out.counts[t] = e.terms[t].count;
      for (int k = 0; k < e.terms[t].count; ++k) {
        const int s = find(e.terms[t].symbols[k]);
        if (s < 0) return false;
        out.symbols[t][k] = s;
      }
    }
    return true;
  }
};

}  // namespace ctrace
