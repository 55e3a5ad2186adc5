// grad, value_and_grad and vjp of a captured graph. Each returns another
// captured graph: its function runs the original one on the same inputs and
// then the reverse sweep (backprop.hpp), so it is traced, printed, guarded
// and fused like any graph, and can be differentiated again.
//
//   auto g  = trace(f, spec<float, N, 3>{}, spec<float, 3>{});   // f returns a scalar
//   auto dg = grad(g);            // d f / d each floating input: a tuple (one input: the tensor)
//   auto d1 = grad<1>(g);         // with respect to input 1 only
//   auto vg = value_and_grad(g);  // (f, grads)
//   auto vj = vjp(g);             // called as vj(x, w, cotangent): cotangents of the inputs
//
// Inputs are numbered as the graph's leaves (a structured input counts each
// tensor in it). A gradient graph writes nothing back: in-place updates of
// the inputs inside f shape the values that flow, but the gradient call does
// not repeat them on the caller's tensors.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/autodiff/backprop.hpp"
#include "ctrace/autodiff/rules/all.hpp"
#include "ctrace/graph/graph.hpp"

namespace ctrace {

// Cuts gradients: the value unchanged, but nothing flows back through it
// (jax.lax.stop_gradient; the same node as detach).
template <tensor_operand X>
auto stop_gradient(X&& x) {
  return detach(std::forward<X>(x));
}

namespace autodiff::detail {

enum class gradient_kind { grad, value_and_grad, vjp };

// The floating tensor inputs of a spec list (leaf indices): the default
// inputs to differentiate.
template <class SpecList>
struct floating_inputs;
template <class... S>
struct floating_inputs<type_list<S...>> {
  static constexpr std::array<bool, sizeof...(S)> floating{[] {
    if constexpr (is_spec<S>::value && !std::is_same_v<S, rng_spec>) return is_floating_dtype_v<typename S::value_type>;
    else return false;
  }()...};
  static constexpr std::size_t count = [] {
    std::size_t c = 0;
    for (bool f : floating) c += f ? 1 : 0;
    return c;
  }();
  static constexpr std::array<int, count> list = [] {
    std::array<int, count> l{};
    std::size_t c = 0;
    for (std::size_t i = 0; i < floating.size(); ++i) {
      if (floating[i]) l[c++] = static_cast<int>(i);
    }
    return l;
  }();
};

template <class SpecList, int... Wrt>
constexpr bool check_wrt() {
  constexpr std::size_t n = SpecList::size;
  static_assert(((Wrt >= 0 && static_cast<std::size_t>(Wrt) < n) && ...),
                "ctrace: grad<K...>: an input index is out of range (inputs are numbered as the graph's tensor leaves)");
  if constexpr (((Wrt >= 0 && static_cast<std::size_t>(Wrt) < n) && ...)) {
    static_assert((floating_inputs<SpecList>::floating[static_cast<std::size_t>(Wrt)] && ...),
                  "ctrace: grad<K...>: the gradient of an integer, bool or generator input is not defined; "
                  "differentiate with respect to floating inputs only");
  }
  return true;
}

// The cotangent spec of one output: its type and shape.
template <class Node>
using cotangent_spec_t = spec_of_shape<typename Node::value_type, typename Node::shape_type,
                                       std::conditional_t<std::is_same_v<typename Node::device_type, any_device>, cpu,
                                                          typename Node::device_type>>;

template <class List>
struct cotangent_specs;
template <class Node>
struct cotangent_specs<type_list<Node>> {
  using type = cotangent_spec_t<Node>;
};
template <class... Node>
  requires(sizeof...(Node) != 1)
struct cotangent_specs<type_list<Node...>> {
  using type = std::tuple<cotangent_spec_t<Node>...>;
};

template <class Tuple>
auto unwrap_single(Tuple&& t) {
  if constexpr (std::tuple_size_v<std::remove_cvref_t<Tuple>> == 1) return std::get<0>(std::forward<Tuple>(t));
  else return std::forward<Tuple>(t);
}

// The function of a gradient graph: f, then the reverse sweep.
template <class F, gradient_kind Kind, std::size_t Arity, int... Wrt>
struct gradient_function {
  F f;
  static constexpr bool writes_back = false;

  template <class... In>
  auto operator()(const In&... in) const {
    return run(std::forward_as_tuple(in...), std::make_index_sequence<Arity>{});
  }

 private:
  template <class Args, std::size_t... I>
  auto run(const Args& args, std::index_sequence<I...>) const {
    auto result = f(std::get<I>(args)...);
    using parts = ctrace::detail::result_parts<decltype(result)>;
    const auto& out = parts::outputs(result);
    auto roots = std::apply([](const auto&... leaf) { return std::make_tuple(to_node(leaf)...); }, output_tree::leaves(out));
    auto inputs = tree<ctrace::detail::is_bound_leaf>::leaves(std::forward_as_tuple(std::get<I>(args)...));
    auto grads = [&] {
      if constexpr (Kind == gradient_kind::vjp) {
        auto seeds = tree<ctrace::detail::is_bound_leaf>::leaves(std::get<Arity>(args));
        return unwrap_single(backprop<Wrt...>(roots, seeds, inputs));
      } else {
        using root_t = std::remove_cvref_t<decltype(std::get<0>(roots))>;
        static_assert(std::tuple_size_v<decltype(roots)> == 1 && root_t::shape_type::rank == 0,
                      "ctrace: grad needs a function with one scalar (rank-0) output; for other outputs use vjp "
                      "with a cotangent, or reduce the output first (sum, mean)");
        auto seeds = std::make_tuple(autodiff::constant<typename root_t::value_type, 1>);
        return unwrap_single(backprop<Wrt...>(roots, seeds, inputs));
      }
    }();
    if constexpr (Kind == gradient_kind::value_and_grad) return std::make_pair(out, std::move(grads));
    else return grads;
  }
};

template <gradient_kind Kind, class G, int... Wrt>
auto make_gradient(const G& g) {
  using spec_list = typename G::spec_list;
  static_assert(sizeof...(Wrt) > 0, "ctrace: the graph has no floating input to differentiate");
  static_assert(check_wrt<spec_list, Wrt...>());
  using specs = typename G::specs_type;
  constexpr std::size_t arity = std::tuple_size_v<specs>;
  gradient_function<typename G::function_type, Kind, arity, Wrt...> fn{g.function()};
  if constexpr (Kind == gradient_kind::vjp) {
    using cot = typename cotangent_specs<typename G::output_list>::type;
    return std::apply([&](auto... s) { return trace(fn, s..., cot{}); }, specs{});
  } else {
    return std::apply([&](auto... s) { return trace(fn, s...); }, specs{});
  }
}

template <gradient_kind Kind, class G, std::size_t... I>
auto make_default_gradient(const G& g, std::index_sequence<I...>) {
  using inputs = floating_inputs<typename G::spec_list>;
  return make_gradient<Kind, G, inputs::list[I]...>(g);
}

template <gradient_kind Kind, int... Wrt, class G>
auto gradient(const G& g) {
  if constexpr (sizeof...(Wrt) == 0) {
    return make_default_gradient<Kind>(g, std::make_index_sequence<floating_inputs<typename G::spec_list>::count>{});
  } else {
    return make_gradient<Kind, G, Wrt...>(g);
  }
}

}  // namespace autodiff::detail

// The gradient graph of a graph with one scalar output, with respect to
// inputs Wrt... (leaf indices; none: every floating input). One input: its
// gradient; several: a tuple in the order asked.
template <int... Wrt, class F, class Specs, class Result>
auto grad(const captured_graph<F, Specs, Result>& g) {
  return autodiff::detail::gradient<autodiff::detail::gradient_kind::grad, Wrt...>(g);
}

// (output, gradients) in one graph: the forward values are shared.
template <int... Wrt, class F, class Specs, class Result>
auto value_and_grad(const captured_graph<F, Specs, Result>& g) {
  return autodiff::detail::gradient<autodiff::detail::gradient_kind::value_and_grad, Wrt...>(g);
}

// The vector-Jacobian product: a graph called with the inputs and then a
// cotangent for the outputs (a tensor, or a tuple with one per output), which
// returns the cotangents of the inputs. Outputs' contributions add up.
template <int... Wrt, class F, class Specs, class Result>
auto vjp(const captured_graph<F, Specs, Result>& g) {
  return autodiff::detail::gradient<autodiff::detail::gradient_kind::vjp, Wrt...>(g);
}

}  // namespace ctrace
