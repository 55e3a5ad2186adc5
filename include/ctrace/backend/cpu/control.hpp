// CPU evaluation of control-flow nodes: cond computes the predicate, then only
// the chosen branch; a loop runs its body graph once per iteration, the first
// time one of its results is read, and keeps the final carries; a scan does
// the same and writes each step's y straight into its row of the stacked ys,
// whose results are then read in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <utility>

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cpu_backend {

template <class P, class A, class B>
struct root_kernel<cond_node<P, A, B>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cond_node<P, A, B>& node) {
    const auto p = as_contiguous_tensor(node.pred());
    if (p.numel() != 1) {
      ctrace::detail::raise("cond: the predicate has ", p.numel(), " elements (sizes ", sizes_to_string(p.sizes()),
                            "), not one");
    }
    if (*p.data()) exec::backend<cpu>::assign(dest, node.on_true());
    else exec::backend<cpu>::assign(dest, node.on_false());
  }
};

template <std::size_t K, class State, class... Init>
struct root_kernel<loop_result<K, State, Init...>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const loop_result<K, State, Init...>& node) {
    State& st = *node.state;
    if (!st.result) {
      auto carry = std::apply([](const auto&... n) { return std::make_tuple(as_tensor(n)...); }, node.children);
      auto i = tensor<std::int64_t, shape<>, cpu>(sizes_t<0>{});
      for (index_t it = st.lower; it < st.upper; ++it) {
        i.data()[0] = static_cast<std::int64_t>(it);
        auto next = std::apply([&](const auto&... c) { return st.body(i, c...); }, carry);
        if constexpr (sizeof...(Init) == 1) {
          carry = std::make_tuple(std::move(next));
        } else {
          carry = std::move(next);
        }
      }
      st.result.emplace(std::move(carry));
    }
    const auto& out = std::get<K>(*st.result);
    exec::backend<cpu>::assign(dest, tensor_leaf<T, typename loop_result<K, State, Init...>::shape_type, cpu>{{}, out});
  }
};

namespace detail {

// Row `row` of a tensor: its leading dim dropped, no copy.
template <class T, class S>
strided_view<T, S::rank - 1> row_view(const tensor<T, S, cpu>& t, index_t row) {
  strided_view<T, S::rank - 1> v{t.data() + row * t.strides()[0], {}, {}};
  for (std::size_t d = 1; d < t.sizes().size(); ++d) {
    v.sizes[d - 1] = t.sizes()[d];
    v.strides[d - 1] = t.strides()[d];
  }
  return v;
}
// The same as a tensor of type Row (its memory owned by t's owner).
template <class Row, class T, class S>
Row row_of(const tensor<T, S, cpu>& t, index_t row) {
  const auto v = row_view(t, row);
  return Row(ctrace::detail::unchecked_tag{}, nullptr, v.data, v.sizes, v.strides);
}

// The body's result for one carry or y_t, checked against the sizes it must
// have (the body's ops may give other run-time sizes than the first call's).
template <class Node, std::size_t R>
void check_step_sizes(const Node& node, const std::array<index_t, R>& expected, const char* what, std::size_t k,
                      index_t step) {
  if (node.sizes() != expected) {
    ctrace::detail::raise("scan: the body gives ", what, " ", k, " sizes ", sizes_to_string(node.sizes()), " at step ",
                          step, ", not ", sizes_to_string(expected));
  }
}

// Runs a scan once. Each step binds the current carries and row t of every
// xs as the body's inputs (no copies), writes the new carries into spare
// buffers (two sets, used in turn; the init carries are never written) and
// each y_t into row t of its ys.
template <class State, class... Children>
void run_scan(State& st, const std::tuple<Children...>& children) {
  constexpr std::size_t C = State::carry_count, X = State::xs_count, Y = State::ys_count;
  using Carries = typename State::carry_tensors;
  using Rows = typename State::row_tensors;
  using Results = typename State::results_type;
  const auto inputs = std::apply([](const auto&... n) { return std::make_tuple(as_tensor(n)...); }, children);
  auto ys = [&]<std::size_t... J>(std::index_sequence<J...>) {
    return std::make_tuple(std::tuple_element_t<C + J, Results>::uninitialized(std::get<C + J>(st.sizes))...);
  }(std::make_index_sequence<Y>{});
  auto fresh_carries = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return Carries{std::tuple_element_t<I, Carries>::uninitialized(std::get<I>(st.sizes))...};
  };
  Carries current = [&]<std::size_t... I>(std::index_sequence<I...>) {
    return Carries{std::get<X + I>(inputs)...};
  }(std::make_index_sequence<C>{});
  std::optional<Carries> spare;
  bool current_is_init = true;
  for (index_t t = 0; t < st.steps; ++t) {
    Carries next = spare ? std::move(*spare) : fresh_carries(std::make_index_sequence<C>{});
    spare.reset();
    {
      exec::memo_scope step;  // a step's values are not the next step's
      const Rows rows = [&]<std::size_t... J>(std::index_sequence<J...>) {
        return Rows{row_of<std::tuple_element_t<J, Rows>>(std::get<J>(inputs), t)...};
      }(std::make_index_sequence<X>{});
      const auto leaves = st.build(current, rows);
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (check_step_sizes(std::get<I>(leaves), std::get<I>(st.sizes), "carry", I, t), ...);
        (exec::backend<cpu>::assign(std::get<I>(next).strided(), std::get<I>(leaves)), ...);
      }(std::make_index_sequence<C>{});
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (check_step_sizes(std::get<C + J>(leaves), row_view(std::get<J>(ys), t).sizes, "y", J, t), ...);
        (exec::backend<cpu>::assign(row_view(std::get<J>(ys), t), std::get<C + J>(leaves)), ...);
      }(std::make_index_sequence<Y>{});
    }
    if (!current_is_init) spare = std::move(current);
    current = std::move(next);
    current_is_init = false;
  }
  st.result.emplace(std::tuple_cat(std::move(current), std::move(ys)));
}

// The value of a scan's result K (the scan runs on the first read).
template <std::size_t K, class State, class... Children>
const auto& scan_value(const scan_result<K, State, Children...>& node) {
  if (!node.state->result) run_scan(*node.state, node.children);
  return std::get<K>(*node.state->result);
}

}  // namespace detail

// A scan's results are read in place from the memory the scan wrote.
template <std::size_t K, class State, class... Children, int R>
struct evaluator<scan_result<K, State, Children...>, R>
    : strided_reader<typename scan_result<K, State, Children...>::value_type, R> {
  evaluator(const scan_result<K, State, Children...>& node, const sizes_t<R>& iter)
      : strided_reader<typename scan_result<K, State, Children...>::value_type, R>(detail::scan_value(node).strided(), iter) {}
};

}  // namespace ctrace::cpu_backend
