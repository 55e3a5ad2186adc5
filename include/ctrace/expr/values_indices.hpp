// Ops with two results (cummax, topk): which result a node stands for, and the
// pair of nodes the API returns.
#pragma once

#include <string_view>

namespace ctrace {

// The two results of a values-and-indices op. Each result is its own node (one
// node type per part), so either can be assigned, fused into an expression or
// dropped on its own.
enum class result_part : int { values, indices };

constexpr std::string_view result_part_name(result_part p) { return p == result_part::values ? "values" : "indices"; }

// What cummax and topk return: `auto [values, indices] = cummax<1>(x);`.
// A plain aggregate, so structured bindings and member access both work.
template <class Values, class Indices>
struct values_indices {
  Values values;
  Indices indices;
};

}  // namespace ctrace
