// Elementwise ops users call: unary functions, arithmetic and comparison
// operators, pow/minimum/maximum, where, clamp, masked_fill, casts. Every
// compile-time check of an elementwise op happens here.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "ctrace/core/broadcast.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/promotion.hpp"
#include "ctrace/expr/binary.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/literal.hpp"
#include "ctrace/expr/unary.hpp"
#include "ctrace/expr/where.hpp"

namespace ctrace {

// An operand that makes an op a tensor op (a number alone does not).
template <class T>
concept tensor_operand = tensor_node<T> || tensor_type<T>;

namespace detail {

template <class Op, class DA, class DB>
constexpr bool check_devices() {
  if constexpr (std::is_void_v<common_device_t<DA, DB>>) {
    static_assert(always_false<Op>, "ctrace: an op's operands live on different devices (cpu and cuda)");
    return false;
  } else {
    return true;
  }
}

// The node type an operand becomes: a node stays itself (named without
// instantiating to_node, whose name would spell the whole node again).
template <class X>
struct operand_node {
  using type = node_of_t<X>;
};
template <class X>
  requires tensor_node<std::remove_cvref_t<X>>
struct operand_node<X> {
  using type = std::remove_cvref_t<X>;
};
template <class X>
using operand_node_t = typename operand_node<X>::type;

// Whether operand X is a node of type C already: it then goes into the new
// node as it is (static_cast<X&&>, not to_node, cast_to and std::forward:
// a long chain instantiated those once per node and per use, each a
// function named after the whole subtree; bench/RESULTS.md, "Compile time").
// (A class deriving from bool_constant, not a variable template: each
// instantiation of a variable is a symbol named after the node.)
template <class X, class C, bool = tensor_node<std::remove_cvref_t<X>>>
struct node_of_type : std::false_type {};
template <class X, class C>
struct node_of_type<X, C, true> : std::is_same<typename std::remove_cvref_t<X>::value_type, C> {};

template <class Op, operand X>
auto make_unary(X&& x, Op op = {}) {
  using N = operand_node_t<X>;
  using T = typename N::value_type;
  if constexpr (any_poison<N>) {
    return poison{};
  } else if constexpr (!op::unary_accepts<Op::rule, T>) {
    report<diagnostic::dtype_not_supported<Op, T>>();
    return poison{};
  } else if constexpr (Op::rule == op::unary_rule::rounding && !is_floating_dtype_v<T>) {
    return to_node(static_cast<X&&>(x));  // rounding an integer changes nothing
  } else {
    using C = op::unary_compute_t<Op::rule, T>;
    if constexpr (node_of_type<X, C>::value) {
      return unary_node<Op, N>{{}, static_cast<X&&>(x), op};
    } else {
      auto c = cast_to<C>(to_node(static_cast<X&&>(x)));
      return unary_node<Op, decltype(c)>{{}, std::move(c), op};
    }
  }
}

// Ops that fold two literals while compiling (float results stay exact to
// the compute type; integer division by a zero literal does not compile).
template <class Op>
inline constexpr bool literal_folds = std::is_same_v<Op, op::add> || std::is_same_v<Op, op::sub> ||
                                      std::is_same_v<Op, op::mul> ||
                                      (std::is_same_v<Op, op::div>);

template <class Op, operand A, operand B>
auto make_binary(A&& a, B&& b) {
  using NA = operand_node_t<A>;
  using NB = operand_node_t<B>;
  if constexpr (any_poison<NA, NB>) {
    return poison{};
  } else {
    constexpr promotion_operand operands[] = {promotion_of<NA>, promotion_of<NB>};
    using T = type_of<result_type(operands)>;
    using SA = typename NA::shape_type;
    using SB = typename NB::shape_type;
    using broadcast = broadcast_shapes<Op, SA, SB>;
    if constexpr (!op::binary_accepts<Op::rule, T>) {
      report<diagnostic::dtype_not_supported<Op, T>>();
      return poison{};
    } else if constexpr (!broadcast::checked || !check_devices<Op, typename NA::device_type, typename NB::device_type>()) {
      return poison{};
    } else if constexpr (is_literal_v<NA> && is_literal_v<NB> && literal_folds<Op>) {
      // Literals only: folded while compiling.
      using C = op::binary_compute_t<Op::rule, T>;
      constexpr literal_value a = is_floating_dtype_v<C> ? NA::literal : literal_value{NA::literal.num / NA::literal.den, 1};
      constexpr literal_value b = is_floating_dtype_v<C> ? NB::literal : literal_value{NB::literal.num / NB::literal.den, 1};
      static_assert(is_floating_dtype_v<C> || !std::is_same_v<Op, op::div> || b.num != 0,
                    "ctrace: integer division of literals by zero");
      return literal_node<fold_literals<Op>(a, b, !is_floating_dtype_v<C>), C>{};
    } else {
      using C = op::binary_compute_t<Op::rule, T>;
      using R = typename broadcast::type;
      if constexpr (node_of_type<A, C>::value && node_of_type<B, C>::value) {
        auto sizes = broadcast_sizes<R, SA, SB>(Op::name.data(), a.sizes(), b.sizes());
        return binary_node<Op, NA, NB>{{}, static_cast<A&&>(a), static_cast<B&&>(b), Op{}, sizes};
      } else if constexpr (node_of_type<A, C>::value) {
        auto cb = cast_to<C>(to_node(static_cast<B&&>(b)));
        auto sizes = broadcast_sizes<R, SA, SB>(Op::name.data(), a.sizes(), cb.sizes());
        return binary_node<Op, NA, decltype(cb)>{{}, static_cast<A&&>(a), std::move(cb), Op{}, sizes};
      } else if constexpr (node_of_type<B, C>::value) {
        auto ca = cast_to<C>(to_node(static_cast<A&&>(a)));
        auto sizes = broadcast_sizes<R, SA, SB>(Op::name.data(), ca.sizes(), b.sizes());
        return binary_node<Op, decltype(ca), NB>{{}, std::move(ca), static_cast<B&&>(b), Op{}, sizes};
      } else {
        auto ca = cast_to<C>(to_node(static_cast<A&&>(a)));
        auto cb = cast_to<C>(to_node(static_cast<B&&>(b)));
        auto sizes = broadcast_sizes<R, SA, SB>(Op::name.data(), ca.sizes(), cb.sizes());
        return binary_node<Op, decltype(ca), decltype(cb)>{{}, std::move(ca), std::move(cb), Op{}, sizes};
      }
    }
  }
}

}  // namespace detail

// ---- unary functions ------------------------------------------------------
#define CTRACE_UNARY_FUNCTION(fn)                                   \
  template <tensor_operand X>                                       \
  auto fn(X&& x) {                                                  \
    return detail::make_unary<op::fn>(static_cast<X&&>(x));          \
  }
CTRACE_UNARY_FUNCTION(neg)
CTRACE_UNARY_FUNCTION(abs)
CTRACE_UNARY_FUNCTION(exp)
CTRACE_UNARY_FUNCTION(expm1)
CTRACE_UNARY_FUNCTION(log)
CTRACE_UNARY_FUNCTION(log1p)
CTRACE_UNARY_FUNCTION(sqrt)
CTRACE_UNARY_FUNCTION(rsqrt)
CTRACE_UNARY_FUNCTION(sin)
CTRACE_UNARY_FUNCTION(cos)
CTRACE_UNARY_FUNCTION(tanh)
CTRACE_UNARY_FUNCTION(sigmoid)
CTRACE_UNARY_FUNCTION(relu)
CTRACE_UNARY_FUNCTION(erf)
CTRACE_UNARY_FUNCTION(gelu)
CTRACE_UNARY_FUNCTION(gelu_tanh)
CTRACE_UNARY_FUNCTION(silu)
CTRACE_UNARY_FUNCTION(softplus)
CTRACE_UNARY_FUNCTION(sign)
CTRACE_UNARY_FUNCTION(floor)
CTRACE_UNARY_FUNCTION(ceil)
CTRACE_UNARY_FUNCTION(round)
CTRACE_UNARY_FUNCTION(logical_not)
CTRACE_UNARY_FUNCTION(isnan)
CTRACE_UNARY_FUNCTION(detach)
#undef CTRACE_UNARY_FUNCTION

// The gelu approximation, named as in torch.nn.functional.gelu(approximate=...).
enum class gelu_approximation { none, tanh };
template <gelu_approximation A, tensor_operand X>
auto gelu(X&& x) {
  if constexpr (A == gelu_approximation::tanh) return gelu_tanh(std::forward<X>(x));
  else return gelu(std::forward<X>(x));
}

template <tensor_operand X>
auto operator-(X&& x) {
  return neg(std::forward<X>(x));
}
template <tensor_operand X>
auto operator!(X&& x) {
  return logical_not(std::forward<X>(x));
}

// ---- binary functions and operators ---------------------------------------
#define CTRACE_BINARY_FUNCTION(fn)                                                       \
  template <operand A, operand B>                                                        \
    requires(tensor_operand<A> || tensor_operand<B>)                                     \
  auto fn(A&& a, B&& b) {                                                                \
    return detail::make_binary<op::fn>(static_cast<A&&>(a), static_cast<B&&>(b));          \
  }
CTRACE_BINARY_FUNCTION(add)
CTRACE_BINARY_FUNCTION(sub)
CTRACE_BINARY_FUNCTION(mul)
CTRACE_BINARY_FUNCTION(div)
CTRACE_BINARY_FUNCTION(pow)
CTRACE_BINARY_FUNCTION(minimum)
CTRACE_BINARY_FUNCTION(maximum)
CTRACE_BINARY_FUNCTION(eq)
CTRACE_BINARY_FUNCTION(ne)
CTRACE_BINARY_FUNCTION(lt)
CTRACE_BINARY_FUNCTION(le)
CTRACE_BINARY_FUNCTION(gt)
CTRACE_BINARY_FUNCTION(ge)
CTRACE_BINARY_FUNCTION(logical_and)
CTRACE_BINARY_FUNCTION(logical_or)
#undef CTRACE_BINARY_FUNCTION

#define CTRACE_BINARY_OPERATOR(sym, fn)                                                  \
  template <operand A, operand B>                                                        \
    requires(tensor_operand<A> || tensor_operand<B>)                                     \
  auto operator sym(A&& a, B&& b) {                                                      \
    return detail::make_binary<op::fn>(static_cast<A&&>(a), static_cast<B&&>(b));          \
  }
CTRACE_BINARY_OPERATOR(+, add)
CTRACE_BINARY_OPERATOR(-, sub)
CTRACE_BINARY_OPERATOR(*, mul)
CTRACE_BINARY_OPERATOR(/, div)
CTRACE_BINARY_OPERATOR(==, eq)
CTRACE_BINARY_OPERATOR(!=, ne)
CTRACE_BINARY_OPERATOR(<, lt)
CTRACE_BINARY_OPERATOR(<=, le)
CTRACE_BINARY_OPERATOR(>, gt)
CTRACE_BINARY_OPERATOR(>=, ge)
CTRACE_BINARY_OPERATOR(&&, logical_and)
CTRACE_BINARY_OPERATOR(||, logical_or)
#undef CTRACE_BINARY_OPERATOR

// ---- where, masked_fill, clamp, casts ---------------------------------------

// cond ? a : b elementwise; cond is converted to bool, a and b promoted together.
template <operand C, operand A, operand B>
  requires(tensor_operand<C> || tensor_operand<A> || tensor_operand<B>)
auto where(C&& cond, A&& a, B&& b) {
  auto nc = cast_to<bool>(to_node(std::forward<C>(cond)));
  auto na = to_node(std::forward<A>(a));
  auto nb = to_node(std::forward<B>(b));
  using NC = decltype(nc);
  using NA = decltype(na);
  using NB = decltype(nb);
  if constexpr (any_poison<NC, NA, NB>) {
    return poison{};
  } else {
    constexpr promotion_operand operands[] = {promotion_of<NA>, promotion_of<NB>};
    using T = type_of<result_type(operands)>;
    using values = broadcast_shapes<op::where, typename NA::shape_type, typename NB::shape_type>;
    if constexpr (!values::checked ||
                  !detail::check_devices<op::where, typename NC::device_type,
                                 common_device_t<typename NA::device_type, typename NB::device_type>>() ||
                  !detail::check_devices<op::where, typename NA::device_type, typename NB::device_type>()) {
      return poison{};
    } else {
      using all = broadcast_shapes<op::where, typename NC::shape_type, typename values::type>;
      if constexpr (!all::checked) {
        return poison{};
      } else {
        auto ca = cast_to<T>(std::move(na));
        auto cb = cast_to<T>(std::move(nb));
        auto value_sizes = broadcast_sizes<typename values::type, typename NA::shape_type, typename NB::shape_type>(
            "where", ca.sizes(), cb.sizes());
        auto sizes = broadcast_sizes<typename all::type, typename NC::shape_type, typename values::type>(
            "where", nc.sizes(), value_sizes);
        return where_node<NC, decltype(ca), decltype(cb)>{{}, {std::move(nc), std::move(ca), std::move(cb)}, sizes};
      }
    }
  }
}

// x with `value` wherever mask is true (torch.masked_fill); keeps x's type.
template <tensor_operand X, operand M, wrapped_number V>
auto masked_fill(X&& x, M&& mask, V value) {
  auto nx = to_node(std::forward<X>(x));
  using T = typename decltype(nx)::value_type;
  return where(std::forward<M>(mask), scalar_leaf<T>{{}, convert<T>(value)}, std::move(nx));
}

// Each element limited to [lo, hi]; std::nullopt leaves that side open.
template <tensor_operand X>
auto clamp(X&& x, std::optional<double> lo, std::optional<double> hi) {
  auto n = to_node(std::forward<X>(x));
  using T = typename decltype(n)::value_type;
  if constexpr (any_poison<decltype(n)>) {
    return poison{};
  } else {
    op::clamp<T> c{lo ? convert<T>(*lo) : T{}, hi ? convert<T>(*hi) : T{}, lo.has_value(), hi.has_value()};
    return detail::make_unary(std::move(n), c);
  }
}
template <tensor_operand X>
auto clamp(X&& x, double lo, double hi) {
  return clamp(std::forward<X>(x), std::optional<double>(lo), std::optional<double>(hi));
}

// Each element converted to U (saturating for floats to integers; NaN gives 0).
template <element_type U, tensor_operand X>
auto cast(X&& x) {
  return cast_to<U>(to_node(std::forward<X>(x)));
}

}  // namespace ctrace
