// In-place ops. On a tensor they write its memory, as in PyTorch. On a graph
// input or any expression they are functional: they return the next version
// of their target (expr/update.hpp), which later ops must use:
//
//   auto x1 = add_(x, y);              // x += y
//   auto x2 = assign_(select<1>(x1, 2), y + 1);   // x[:, 2] = y + 1
//   return with_updates(x2 * 2, x2);   // outputs, plus updates to write back
//
// A captured graph writes the last version of each input back to the
// caller's tensor after the call. Updates reach the graph by being returned
// or listed in with_updates(result, updates...); others are dead code.
#pragma once

#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/api/movement.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/movement.hpp"
#include "ctrace/expr/update.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

namespace op {
struct update {
  static constexpr std::string_view name = "update";
};
struct index_put {
  static constexpr std::string_view name = "index_put";
};
}  // namespace op

// A function's result together with in-place updates of its inputs that the
// result does not contain.
template <class Result, class... Updates>
struct with_updates_t {
  Result result;
  std::tuple<Updates...> updates;
};
template <class Result, class... Updates>
auto with_updates(Result result, Updates... updates) {
  static_assert((is_update_node_v<Updates> && ...), "ctrace: with_updates lists the results of in-place ops");
  return with_updates_t<Result, Updates...>{std::move(result), {std::move(updates)...}};
}

namespace detail {

template <class T>
inline constexpr bool is_mutable_tensor_v = tensor_type<std::remove_reference_t<T>> &&
                                            std::is_lvalue_reference_v<T> &&
                                            !std::is_const_v<std::remove_reference_t<T>>;

// Checks that v fits x's dtype (no float into an integer tensor, as PyTorch)
// and broadcasts to x's shape; gives v converted to x's dtype.
template <class Op, class XN, class V>
constexpr bool check_update_value() {
  using T = typename XN::value_type;
  using VT = typename V::value_type;
  using VS = typename V::shape_type;
  using XS = typename XN::shape_type;
  if constexpr (is_floating_dtype_v<VT> && !is_floating_dtype_v<T>) {
    return report<diagnostic::dtype_mismatch<Op, VT, T>>();
  } else if constexpr (VS::rank > XS::rank) {
    return report<diagnostic::rank_mismatch<Op, VS::rank, XS::rank>>();
  } else {
    constexpr int bad = [] {
      for (int i = 0; i < VS::rank; ++i) {
        const extent& s = VS::extents[i];
        const extent& d = XS::extents[i + XS::rank - VS::rank];
        if (provably_different(s, d) && !(s.is_static() && s.value() == 1)) return i;
      }
      return -1;
    }();
    if constexpr (bad >= 0) {
      return report<diagnostic::shape_mismatch<Op, bad + XS::rank - VS::rank, VS::extents[bad].value(),
                                                XS::extents[bad + XS::rank - VS::rank].value()>>();
    } else {
      return true;
    }
  }
}

template <class XS, class VS>
void check_update_sizes(const char* op, const sizes_t<XS::rank>& x, const sizes_t<VS::rank>& v) {
  for (int i = 0; i < VS::rank; ++i) {
    const index_t d = x[i + XS::rank - VS::rank];
    if (v[i] != d && v[i] != 1) {
      raise(op, ": the value's sizes ", sizes_to_string(v), " do not broadcast to the target's ", sizes_to_string(x));
    }
  }
}

// The next version of node x, with value v (already x's new content).
template <class Op, class XN, class VN>
auto make_update(const XN& x, VN v) {
  if constexpr (any_poison<XN, VN>) {
    return poison{};
  } else if constexpr (!check_update_value<Op, XN, VN>()) {
    return poison{};
  } else {
    using T = typename XN::value_type;
    using S = typename XN::shape_type;
    auto cv = cast_to<T>(std::move(v));
    check_update_sizes<S, typename VN::shape_type>(Op::name.data(), x.sizes(), cv.sizes());
    using version = version_of<XN>;
    return update_node<version::input, version::version + 1, decltype(cv), S>{{}, {std::move(cv)}, x.sizes()};
  }
}

// An in-place op: writes a tensor, or versions a node.
template <class Op, class X, class MakeValue>
decltype(auto) in_place(X&& x, MakeValue&& make_value) {
  if constexpr (is_mutable_tensor_v<X&&>) {
    x.assign(make_value(x));
    return std::forward<X>(x);
  } else {
    static_assert(tensor_node<X> || tensor_type<X>, "ctrace: in-place ops take a tensor or an expression");
    auto n = to_node(std::forward<X>(x));
    return make_update<Op>(n, to_node(make_value(n)));
  }
}

}  // namespace detail

#define CTRACE_IN_PLACE_BINARY(fn, expr)                                                        \
  namespace op {                                                                                \
  struct fn {                                                                                   \
    static constexpr std::string_view name = #fn;                                               \
  };                                                                                            \
  }                                                                                             \
  template <class X, operand Y>                                                                 \
    requires(tensor_node<std::remove_cvref_t<X>> || tensor_type<std::remove_cvref_t<X>>)        \
  decltype(auto) fn(X&& x, const Y& y) {                                                        \
    return detail::in_place<op::fn>(std::forward<X>(x), [&](const auto& t) { return expr; });   \
  }
CTRACE_IN_PLACE_BINARY(add_, t + y)
CTRACE_IN_PLACE_BINARY(sub_, t - y)
CTRACE_IN_PLACE_BINARY(mul_, t * y)
CTRACE_IN_PLACE_BINARY(div_, t / y)
#undef CTRACE_IN_PLACE_BINARY

namespace op {
struct fill_ {
  static constexpr std::string_view name = "fill_";
};
struct zero_ {
  static constexpr std::string_view name = "zero_";
};
struct copy_ {
  static constexpr std::string_view name = "copy_";
};
struct masked_fill_ {
  static constexpr std::string_view name = "masked_fill_";
};
struct assign_ {
  static constexpr std::string_view name = "assign_";
};
}  // namespace op

// Every element set to value.
template <class X, wrapped_number V>
  requires(tensor_node<std::remove_cvref_t<X>> || tensor_type<std::remove_cvref_t<X>>)
decltype(auto) fill_(X&& x, V value) {
  return detail::in_place<op::fill_>(std::forward<X>(x), [&](const auto& t) {
    using T = typename node_of_t<decltype(t)>::value_type;
    return scalar_leaf<T>{{}, convert<T>(value)};
  });
}
template <class X>
  requires(tensor_node<std::remove_cvref_t<X>> || tensor_type<std::remove_cvref_t<X>>)
decltype(auto) zero_(X&& x) {
  return detail::in_place<op::zero_>(std::forward<X>(x), [&](const auto& t) {
    using T = typename node_of_t<decltype(t)>::value_type;
    return scalar_leaf<T>{{}, T(0)};
  });
}
// x's elements replaced by src's (broadcast, converted to x's dtype).
template <class X, tensor_operand S>
  requires(tensor_node<std::remove_cvref_t<X>> || tensor_type<std::remove_cvref_t<X>>)
decltype(auto) copy_(X&& x, const S& src) {
  return detail::in_place<op::copy_>(std::forward<X>(x), [&](const auto& t) {
    using T = typename node_of_t<decltype(t)>::value_type;
    return cast_to<T>(to_node(src));
  });
}
template <class X, operand M, wrapped_number V>
  requires(tensor_node<std::remove_cvref_t<X>> || tensor_type<std::remove_cvref_t<X>>)
decltype(auto) masked_fill_(X&& x, const M& mask, V value) {
  return detail::in_place<op::masked_fill_>(std::forward<X>(x),
                                            [&](const auto& t) { return masked_fill(t, mask, value); });
}

// Writes value through a view: assign_(select<1>(x, 2), v) is x[:, 2] = v, and
// gives the next version of x (the whole tensor). On a view of a tensor it
// writes the tensor's memory.
template <class View, operand V>
auto assign_(View&& view, const V& value) {
  using D = std::remove_cvref_t<View>;
  if constexpr (tensor_type<D>) {
    auto target = view;  // a handle on the same memory
    target.assign(value);
    return target;
  } else if constexpr (detail::is_tensor_leaf_v<D>) {
    auto target = view.value;
    target.assign(value);
    return target;
  } else if constexpr (is_movement_node_v<D>) {
    using A = std::remove_cvref_t<decltype(view.arg())>;
    using T = typename A::value_type;
    auto v = cast_to<T>(to_node(value));
    using VN = decltype(v);
    if constexpr (any_poison<VN>) {
      return poison{};
    } else if constexpr (!detail::check_update_value<op::assign_, D, VN>()) {
      return poison{};
    } else {
      detail::check_update_sizes<typename D::shape_type, typename VN::shape_type>("assign_", view.sizes(), v.sizes());
      using Op = std::remove_cvref_t<decltype(view.op)>;
      scatter_node<Op, A, VN> s{{}, {view.arg(), std::move(v)}, view.op};
      return assign_(view.arg(), std::move(s));
    }
  } else {
    return detail::make_update<op::assign_>(to_node(view), to_node(value));
  }
}

// x[index] = values along dim 0 (index a 1-D integer tensor, values broadcast
// to [len(index), x's other dims]); indices are checked when it runs.
template <class X, tensor_operand I, operand V>
  requires(tensor_node<std::remove_cvref_t<X>> || tensor_type<std::remove_cvref_t<X>>)
auto index_put_(X&& x, const I& index, const V& values) {
  auto nx = to_node(x);
  auto ni = to_node(index);
  using XN = decltype(nx);
  using IN = decltype(ni);
  using T = typename XN::value_type;
  auto nv = cast_to<T>(to_node(values));
  using VN = decltype(nv);
  static_assert(IN::shape_type::rank == 1 && std::is_integral_v<typename IN::value_type> &&
                    !std::is_same_v<typename IN::value_type, bool>,
                "ctrace: index_put_ takes a 1-D integer index (use masked_fill_ for a mask)");
  static_assert(XN::shape_type::rank >= 1, "ctrace: index_put_ needs a tensor of at least one dim");
  index_put_node<XN, IN, VN> put{{}, {nx, std::move(ni), std::move(nv)}};
  if constexpr (detail::is_mutable_tensor_v<X&&>) {
    x.assign(put);
    return x;
  } else {
    return detail::make_update<op::index_put>(nx, std::move(put));
  }
}

}  // namespace ctrace
