// checkpoint(f): f's region recomputed for the backward pass instead of
// reusing its values (torch.utils.checkpoint). Inside a traced function,
//   auto y = checkpoint(block)(x, w);
// gives block(x, w); the gradient graph runs block again on marked copies of
// its inputs, whose types differ from the forward's, so none of the region's
// materialized values (products, reductions) is shared with the forward: they
// are computed again where the backward needs them, and only the region's
// inputs and outputs are kept from the forward. The gradients are the same
// as without checkpoint (tested).
//
// f must be stateless (a lambda without captures): the region is rebuilt
// from its type.
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/api/custom.hpp"
#include "ctrace/autodiff/backprop.hpp"
#include "ctrace/autodiff/rules/unary.hpp"
#include "ctrace/graph/structure.hpp"

namespace ctrace {

namespace op {
// The identity that marks input K of a checkpointed region in its backward.
template <int K>
struct checkpoint_input {
  static constexpr std::string_view name = "checkpoint_input";
  static constexpr unary_rule rule = unary_rule::any;
  static constexpr int checkpoint_key = autodiff::checkpoint_key_base + K;
  template <class T>
  CTRACE_HOST_DEVICE T operator()(T x) const {
    return x;
  }
};
}  // namespace op

namespace autodiff {

template <int K>
struct unary_derivative<op::checkpoint_input<K>> : unary_derivative_base {
  static auto apply(const auto&, const auto&, const auto& g, const auto&) { return to_node(g); }
};

namespace detail {

template <class F>
struct checkpoint_function {
  static constexpr std::string_view name = "checkpoint";
  static auto forward(const auto&... in) { return F{}(in...); }

  template <class... A>
  static auto backward(const A&... args) {
    return backward_impl(std::forward_as_tuple(args...), std::make_index_sequence<sizeof...(A) - 2>{});
  }

 private:
  template <class Args, std::size_t... I>
  static auto backward_impl(const Args& args, std::index_sequence<I...>) {
    constexpr std::size_t n = sizeof...(I);
    auto marked = std::make_tuple(
        ctrace::detail::make_unary<op::checkpoint_input<static_cast<int>(I)>>(std::get<I>(args))...);
    auto region = std::apply([](const auto&... m) { return F{}(m...); }, marked);
    auto roots = std::apply([](const auto&... leaf) { return std::make_tuple(to_node(leaf)...); },
                            output_tree::leaves(region));
    const auto& grads = std::get<n + 1>(args);
    auto seeds = [&] {
      if constexpr (ctrace::detail::is_tuple_v<std::remove_cvref_t<decltype(grads)>>) return grads;
      else return std::make_tuple(grads);
    }();
    auto result = backprop<(checkpoint_key_base + static_cast<int>(I))...>(roots, seeds, marked);
    if constexpr (n == 1) return std::get<0>(result);
    else return result;
  }
};

}  // namespace detail
}  // namespace autodiff

// f as a checkpointed region: call the result with f's inputs.
template <class F>
auto checkpoint(F) {
  static_assert(std::is_empty_v<F> && std::is_default_constructible_v<F>,
                "ctrace: checkpoint(f) needs a stateless f (a lambda without captures): the backward pass "
                "rebuilds the region from f's type");
  return [](const auto&... in) { return custom<autodiff::detail::checkpoint_function<F>>(in...); };
}

}  // namespace ctrace
