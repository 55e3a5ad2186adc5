// Compile-time diagnostics. A static_assert message cannot hold numbers, so each
// check instantiates a type whose template arguments are the numbers (the op,
// the axis, both dims); the compiler prints that type above the message. After a
// failure the op returns `poison`, which every later op passes on silently.
#pragma once

#include <cstdint>

namespace ctrace {

template <class...>
inline constexpr bool always_false = false;
template <auto...>
inline constexpr bool always_false_v = false;

namespace diagnostic {

// Two static dims that must agree do not.
template <class Op, int Axis, std::int64_t LhsDim, std::int64_t RhsDim>
struct shape_mismatch {
  static_assert(always_false<Op>,
                "ctrace: dims do not agree; shape_mismatch<op, axis, lhs dim, rhs dim> above names them");
};

// An axis argument outside [-rank, rank).
template <class Op, int Axis, int Rank>
struct axis_out_of_range {
  static_assert(always_false<Op>, "ctrace: axis out of range; axis_out_of_range<op, axis, rank> above names them");
};

// The same axis named twice in a list of axes (sum<1, -1> on a rank-2 tensor).
template <class Op, int Axis>
struct repeated_axis {
  static_assert(always_false<Op>, "ctrace: an axis is given twice; repeated_axis<op, axis> above names it");
};

// Ranks that an op cannot combine (matmul of 0-d, cat of different ranks, ...).
template <class Op, int LhsRank, int RhsRank>
struct rank_mismatch {
  static_assert(always_false<Op>, "ctrace: ranks do not fit the op; rank_mismatch<op, lhs rank, rhs rank> above");
};

// An operand whose rank the op does not take (diag of a 3-d tensor, ...).
template <class Op, int Rank>
struct rank_not_supported {
  static_assert(always_false<Op>, "ctrace: the op does not take an operand of this rank; rank_not_supported<op, rank>");
};

// A reshape whose static element counts differ.
template <class Op, std::int64_t FromElements, std::int64_t ToElements>
struct element_count_mismatch {
  static_assert(always_false<Op>,
                "ctrace: reshape changes the number of elements; element_count_mismatch<op, from, to> above");
};

// An op applied to an element type it does not accept (gelu on integers, ...).
template <class Op, class Element>
struct dtype_not_supported {
  static_assert(always_false<Op>, "ctrace: the op does not accept this element type; dtype_not_supported<op, type>");
};

// A permutation that is not one (repeats an axis or has the wrong length).
template <class Op, int Rank, int... Perm>
struct invalid_permutation {
  static_assert(always_false<Op>, "ctrace: not a permutation of the axes; invalid_permutation<op, rank, perm...>");
};

// A static index or slice bound outside a static dim.
template <class Op, int Axis, std::int64_t Index, std::int64_t Dim>
struct index_out_of_range {
  static_assert(always_false<Op>, "ctrace: index out of range; index_out_of_range<op, axis, index, dim> above");
};

// Squeezing a dim that is not statically 1.
template <class Op, int Axis, std::int64_t Dim>
struct squeeze_non_unit_dim {
  static_assert(always_false<Op>, "ctrace: squeeze of a dim that is not 1; squeeze_non_unit_dim<op, axis, dim>");
};

// An expand to a size the source dim cannot broadcast to.
template <class Op, int Axis, std::int64_t From, std::int64_t To>
struct expand_mismatch {
  static_assert(always_false<Op>, "ctrace: expand needs each dim equal or 1; expand_mismatch<op, axis, from, to>");
};

// A static argument that is out of its allowed range (k of topk > dim, ...).
template <class Op, std::int64_t Value, std::int64_t Limit>
struct argument_out_of_range {
  static_assert(always_false<Op>, "ctrace: argument out of range; argument_out_of_range<op, value, limit> above");
};

// Assigning between element types without an explicit .to<T>().
template <class Op, class From, class To>
struct dtype_mismatch {
  static_assert(always_false<Op>, "ctrace: element types differ; use .to<T>() to convert; dtype_mismatch<op, from, to>");
};

// A captured graph called with a tensor whose static dtype or shape differs
// from the spec it was traced with (Input counts the graph's tensor inputs).
template <int Input, class Spec, class Argument>
struct input_does_not_match_spec {
  static_assert(always_false<Spec>,
                "ctrace: a graph input differs from its spec; input_does_not_match_spec<input, spec, argument> above");
};

// A structured argument whose structure differs from the spec's (a tuple of
// another length, a tensor where a tuple was traced, ...).
template <int FirstInput, class Spec, class Argument>
struct input_structure_mismatch {
  static_assert(always_false<Spec>,
                "ctrace: a graph argument's structure differs from its spec; input_structure_mismatch<first input, spec, argument>");
};

// A keyed argument that lacks a key the graph was traced with.
template <class Key>
struct missing_key {
  static_assert(always_false<Key>, "ctrace: a keyed graph argument lacks a key; missing_key<hana::string<...>> above names it");
};

// trace() of a function given no tensor input (no specs, or empty structures).
template <class Function>
struct graph_without_tensor_inputs {
  static_assert(always_false<Function>, "ctrace: trace() needs at least one tensor input spec; the structures given hold none");
};

// trace() given a structured input (tuple, array, kwargs) with no spec in it.
template <int Argument, class Structure>
struct empty_structured_input {
  static_assert(always_false<Structure>,
                "ctrace: trace() argument holds no tensor spec; empty_structured_input<argument, structure> above");
};

// cond() branches whose results differ in structure, dtype or shape.
template <class TrueBranch, class FalseBranch>
struct branch_results_differ {
  static_assert(always_false<TrueBranch>,
                "ctrace: cond's branches return different structures, dtypes or shapes; branch_results_differ<true, false>");
};

// scan()'s body, called as body(carry, x), must return (new carry, y) with
// the new carry in the init carry's structure, dtypes and shapes.
template <class BodyResult, class InitCarry>
struct scan_carry_differs {
  static_assert(always_false<BodyResult>,
                "ctrace: scan's body must return (new carry, y), the carry with the init carry's structure, dtypes "
                "and shapes; scan_carry_differs<body result, init carry> above");
};

}  // namespace diagnostic

// Instantiating report<Diagnostic> fires the diagnostic's static_assert.
template <class Diagnostic>
constexpr bool report() {
  [[maybe_unused]] constexpr auto size = sizeof(Diagnostic);
  return false;
}

}  // namespace ctrace
