// custom<Fn>(inputs...): a function with its own derivative (see
// expr/custom.hpp for what Fn provides), and hook(x, fn): x unchanged, with
// fn applied to the gradient that flows back into x (Tensor.register_hook).
//
//   struct scaled_exp {
//     static auto forward(const auto& x) { return exp(x); }
//     static auto backward(const auto&, const auto& y, const auto& g) { return g * y; }
//   };
//   auto y = custom<scaled_exp>(x);          // one output: a node
//   auto [v, i] = custom<two_outputs>(x, w);  // several: a std::tuple of nodes
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/expr/custom.hpp"

namespace ctrace {

namespace detail {
template <class Fn, class Forward, class Ins>
struct custom_outputs;
template <class Fn, class Forward, class... Ins>
struct custom_outputs<Fn, Forward, std::tuple<Ins...>> {
  static constexpr std::size_t count = [] {
    if constexpr (is_tuple_v<Forward>) return std::tuple_size_v<Forward>;
    else return std::size_t{1};
  }();
  template <std::size_t... K>
  static auto make(const std::tuple<Ins...>& ins, const Forward& forward, std::index_sequence<K...>) {
    if constexpr (is_tuple_v<Forward>) return std::make_tuple(custom_node<Fn, K, Forward, Ins...>{{}, ins, forward}...);
    else return custom_node<Fn, 0, Forward, Ins...>{{}, ins, forward};
  }
};
}  // namespace detail

template <class Fn, tensor_operand... X>
auto custom(X&&... x) {
  static_assert(sizeof...(X) > 0, "ctrace: custom<Fn>(inputs...) needs at least one input");
  auto ins = std::make_tuple(to_node(std::forward<X>(x))...);
  auto forward = std::apply([](const auto&... in) { return Fn::forward(in...); }, ins);
  using outputs = detail::custom_outputs<Fn, decltype(forward), decltype(ins)>;
  return outputs::make(ins, forward, std::make_index_sequence<outputs::count>{});
}

// x unchanged; in a backward graph, fn(g) replaces the cotangent g that
// flows into x. fn is copied into the graph (a lambda with captures works);
// its result must have g's shape.
template <tensor_operand X, class F>
auto hook(X&& x, F fn) {
  return detail::make_unary<op::gradient_hook<F>>(std::forward<X>(x), op::gradient_hook<F>{std::move(fn)});
}

}  // namespace ctrace
