// PyTorch's type promotion: dimensioned tensors outrank zero-dim tensors, which
// outrank wrapped scalars; a lower rank only matters when its category is higher.
#pragma once

#include "ctrace/core/dtype.hpp"

namespace ctrace {

// How an operand takes part in promotion (torch.result_type's three classes).
enum class promotion_priority : std::uint8_t { wrapped_scalar = 0, zero_dim = 1, dimensioned = 2 };

constexpr int dtype_bits(dtype d) {
  switch (d) {
    case dtype::b8: return 1;
    case dtype::i32: return 32;
    case dtype::i64: return 64;
    case dtype::f16:
    case dtype::bf16: return 16;
    case dtype::f32: return 32;
    case dtype::f64: return 64;
  }
  return 0;
}

// Promotion of two tensor dtypes (torch.promote_types).
constexpr dtype promote_types(dtype a, dtype b) {
  if (a == b) return a;
  auto ca = category_of(a), cb = category_of(b);
  if (ca != cb) return ca > cb ? a : b;
  // Same category: f16 with bf16 meets in f32; otherwise the wider wins.
  if ((a == dtype::f16 && b == dtype::bf16) || (a == dtype::bf16 && b == dtype::f16)) return dtype::f32;
  return dtype_bits(a) >= dtype_bits(b) ? a : b;
}

// The default dtype a wrapped Python-style number of a category becomes.
constexpr dtype default_dtype(dtype_category c) {
  switch (c) {
    case dtype_category::boolean: return dtype::b8;
    case dtype_category::integral: return dtype::i64;
    case dtype_category::floating: return dtype::f32;
  }
  return dtype::f32;
}

// One operand as promotion sees it.
struct promotion_operand {
  dtype type;
  promotion_priority priority;
};

// The result dtype of an op over operands (torch.result_type).
template <std::size_t N>
constexpr dtype result_type(const promotion_operand (&ops)[N]) {
  bool has[3] = {false, false, false};
  dtype best[3] = {dtype::b8, dtype::b8, dtype::b8};
  for (const auto& op : ops) {
    int p = static_cast<int>(op.priority);
    // A wrapped scalar stands for its category's default dtype.
    dtype t = op.priority == promotion_priority::wrapped_scalar ? default_dtype(category_of(op.type)) : op.type;
    if (op.priority == promotion_priority::wrapped_scalar && has[p]) {
      best[p] = category_of(t) > category_of(best[p]) ? t : best[p];
    } else {
      best[p] = has[p] ? promote_types(best[p], t) : t;
    }
    has[p] = true;
  }
  dtype result = dtype::b8;
  bool have = false;
  for (int p = 2; p >= 0; --p) {
    if (!has[p]) continue;
    if (!have) {
      result = best[p];
      have = true;
    } else if (category_of(best[p]) > category_of(result)) {
      result = best[p];
    }
  }
  return result;
}

template <class A, class B>
using promote_t = type_of<promote_types(dtype_of<A>, dtype_of<B>)>;

}  // namespace ctrace
