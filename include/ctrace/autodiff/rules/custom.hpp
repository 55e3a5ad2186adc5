// Derivative of a custom function's output K: Fn::backward, called with the
// inputs, the outputs and their cotangents (g for output K, zeros for the
// others: backward is linear in them, so the contributions of several used
// outputs add up to backward with all their cotangents). What backward
// returns is checked while compiling: one gradient per input, each with its
// input's dims.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

#include "ctrace/autodiff/rule.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/expr/custom.hpp"

namespace ctrace {
namespace diagnostic {
// Fn::backward returned another number of gradients than Fn has inputs.
template <class Fn, std::size_t Gradients, std::size_t Inputs>
struct custom_backward_gradient_count {
  static_assert(always_false<Fn>,
                "ctrace: a custom function's backward must return one gradient per input; "
                "custom_backward_gradient_count<function, gradients returned, inputs> above names them");
};
// The gradient for input Input has other dims than the input.
template <class Fn, std::size_t Input, class GradientShape, class InputShape>
struct custom_backward_gradient_shape {
  static_assert(always_false<Fn>,
                "ctrace: a custom function's backward returned a gradient whose dims differ from its input's; "
                "custom_backward_gradient_shape<function, input, gradient shape, input shape> above names them");
};
}  // namespace diagnostic

namespace autodiff {

template <class Fn, std::size_t K, class Forward, class... Ins>
struct rule<custom_node<Fn, K, Forward, Ins...>> : rule_base {
  using node_t = custom_node<Fn, K, Forward, Ins...>;
  static constexpr std::size_t outputs = node_t::output_count;

  static constexpr bool differentiable(std::size_t) {
    if constexpr (requires { Fn::differentiable(K); }) return Fn::differentiable(K);
    else return true;
  }

  // Output J as a node over the same inputs and forward expression.
  template <std::size_t J>
  static auto output(const node_t& n) {
    return custom_node<Fn, J, Forward, Ins...>{{}, n.children, n.forward};
  }
  template <std::size_t J, class G>
  static auto cotangent(const node_t& n, const G& g) {
    if constexpr (J == K) return to_node(g);
    else return to_node(zeros_like(output<J>(n)));
  }
  template <class G, std::size_t... I, std::size_t... J>
  static auto call_backward(const node_t& n, const G& g, std::index_sequence<I...>, std::index_sequence<J...>) {
    if constexpr (outputs == 1) {
      return Fn::backward(std::get<I>(n.children)..., n, to_node(g));
    } else {
      return Fn::backward(std::get<I>(n.children)..., std::make_tuple(output<J>(n)...),
                          std::make_tuple(cotangent<J>(n, g)...));
    }
  }

  template <std::size_t P, class G>
  static auto vjp(const node_t& n, const G& g) {
    auto grads = call_backward(n, g, std::index_sequence_for<Ins...>{}, std::make_index_sequence<outputs>{});
    using R = decltype(grads);
    constexpr std::size_t returned = [] {
      if constexpr (ctrace::detail::is_tuple_v<R>) return std::tuple_size_v<R>;
      else return std::size_t{1};
    }();
    if constexpr (returned != sizeof...(Ins)) {
      report<diagnostic::custom_backward_gradient_count<Fn, returned, sizeof...(Ins)>>();
      return poison{};
    } else {
      auto gp = to_node(ctrace::detail::forward_output<P>(grads));
      using GS = typename decltype(gp)::shape_type;
      using IS = typename std::tuple_element_t<P, std::tuple<Ins...>>::shape_type;
      if constexpr (!detail::same_extents<GS, IS>()) {
        report<diagnostic::custom_backward_gradient_shape<Fn, P, GS, IS>>();
        return poison{};
      } else {
        return gp;
      }
    }
  }
};

}  // namespace autodiff
}  // namespace ctrace
