// Control flow as nodes. cond_node<P, A, B>: A where the one-element boolean
// P is true, else B; both branches are in the graph, only the chosen one is
// computed. loop_result<K, Loop>: carry K after a loop whose trip count is
// known only at run time (fori_loop); the loop runs once, when the first of
// its results is read, and its body is a captured graph of its own.
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
  using children_type = std::tuple<P, A, B>;
  static constexpr std::string_view name = "cond";
  static constexpr promotion_priority priority = priority_of<cond_node>;

  children_type children;

  const P& pred() const { return std::get<0>(children); }
  const A& on_true() const { return std::get<1>(children); }
  const B& on_false() const { return std::get<2>(children); }
  const auto& sizes() const { return on_true().sizes(); }
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

  const auto& sizes() const { return std::get<K>(children).sizes(); }
  // The bounds are this call's values, so they are not printed.
  std::string attributes() const { return "carry=" + std::to_string(K); }
  std::string subgraph_text() const { return state->body.to_text(); }
};

template <class T>
inline constexpr bool is_loop_result_v = false;
template <std::size_t K, class S, class... I>
inline constexpr bool is_loop_result_v<loop_result<K, S, I...>> = true;

}  // namespace ctrace
