// Control flow as nodes. cond_node<P, A, B>: A where the one-element boolean
// P is true, else B; both branches are in the graph, only the chosen one is
// computed. loop_result<K, Loop>: carry K after a loop whose trip count is
// known only at run time (fori_loop); the loop runs once, when the first of
// its results is read, and its body is a captured graph of its own.
// scan_result<K, Scan, Children...>: result K of a scan over the leading dim
// of its xs (the final carries, then the stacked per-step outputs); like a
// loop, it runs once, when the first of its results is read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/node.hpp"

namespace ctrace {

template <class P, class A, class B>
struct cond_node : node_base<cond_node<P, A, B>> {
  using value_type = typename A::value_type;
  using shape_type = typename A::shape_type;
  using device_type = common_device_t<typename P::device_type, typename A::device_type, typename B::device_type>;
  using children_type = node_children<P, A, B>;
  static constexpr std::string_view name = "cond";
  static constexpr promotion_priority priority = priority_of<cond_node>;

  children_type children;

  const P& pred() const { return children.c0; }
  const A& on_true() const { return children.c1; }
  const B& on_false() const { return children.c2; }
  auto sizes() const { return on_true().sizes(); }  // by value: a branch may compute its sizes
};

// The state one fori_loop shares between its results: the body graph, the
// bounds, and (once run) the final carries.
template <class BodyGraph, class Carries>
struct loop_state {
  BodyGraph body;
  index_t lower, upper;
  std::optional<Carries> result;
};

template <std::size_t K, class State, class... Init>
struct loop_result : node_base<loop_result<K, State, Init...>> {
  using carry_node = std::tuple_element_t<K, std::tuple<Init...>>;
  using value_type = typename carry_node::value_type;
  using shape_type = typename carry_node::shape_type;
  using device_type = common_device_t<typename Init::device_type...>;
  using children_type = std::tuple<Init...>;
  static constexpr std::string_view name = "fori_loop";
  static constexpr promotion_priority priority = priority_of<loop_result>;
  static constexpr std::size_t carry_index = K;

  children_type children;
  std::shared_ptr<State> state;

  auto sizes() const { return std::get<K>(children).sizes(); }  // by value, as cond_node
  // The bounds are this call's values, so they are not printed.
  std::string attributes() const { return "carry=" + std::to_string(K); }
  std::string subgraph_text() const { return state->body.to_text(); }
  // The results of one loop share its body: the printer shows it once.
  const void* subgraph_owner() const { return state.get(); }
};

namespace op {
struct scan {
  static constexpr std::string_view name = "scan";
};
}  // namespace op

// Result K of one scan. Children: the xs, then the init carries. The state
// (graph/control.hpp) holds the body, every result's sizes for this call and,
// once run, the results: results_type lists the carries first, then the
// stacked per-step outputs (ys).
template <std::size_t K, class State, class... Children>
struct scan_result : node_base<scan_result<K, State, Children...>> {
  using result_tensor = std::tuple_element_t<K, typename State::results_type>;
  using value_type = typename result_tensor::value_type;
  using shape_type = typename result_tensor::shape_type;
  using device_type = common_device_t<typename Children::device_type...>;
  using children_type = std::tuple<Children...>;
  static constexpr std::string_view name = op::scan::name;
  static constexpr promotion_priority priority = priority_of<scan_result>;
  static constexpr std::size_t result_index = K;
  static constexpr bool is_carry = K < State::carry_count;

  children_type children;
  std::shared_ptr<State> state;

  const auto& sizes() const { return std::get<K>(state->sizes); }
  // The trip count is this call's value, so it is not printed.
  std::string attributes() const {
    return is_carry ? "carry=" + std::to_string(K) : "ys=" + std::to_string(K - State::carry_count);
  }
  std::string subgraph_text() const { return state->body_text(); }
  const void* subgraph_owner() const { return state.get(); }
};

template <class T>
inline constexpr bool is_loop_result_v = false;
template <std::size_t K, class S, class... I>
inline constexpr bool is_loop_result_v<loop_result<K, S, I...>> = true;

}  // namespace ctrace
