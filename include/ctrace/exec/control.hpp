// The evaluation of control-flow nodes that does not depend on the device,
// shared by the backends (backend/cpu/control.hpp, backend/cuda/control.cuh):
// the predicate's check and the choice of a branch, a loop's iterations
// (the body graph called on tensors of the loop's device, the carries kept
// there), and a scan's steps (each step's y written into its row of the
// stacked ys, the carries in two sets of buffers used in turn). What a backend
// adds: how the one-element predicate is read on the host, and how a result
// is read by its kernels. Every write goes through exec::backend<Device>, so
// on a device it is queued on that device's stream in program order.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/core/error.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/exec/memo.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::exec::control {

// A node's value as a tensor on Device: a leaf gives its tensor (any strides,
// no copy); another node is evaluated into new memory (once per graph call
// when its subtree is value-free: exec/memo.hpp).
template <class Device, class Node>
auto operand_tensor(const Node& node) {
  using V = typename Node::value_type;
  using S = typename Node::shape_type;
  if constexpr (requires { node.value.owner(); }) {
    return tensor<V, S, Device>(node.value);
  } else {
    return materialize_once<Node, tensor<V, S, Device>>([&] {
      auto t = tensor<V, S, Device>::uninitialized(node.sizes());
      backend<Device>::assign(t.strided(), node);
      return t;
    });
  }
}

// cond's predicate has one element; checked from its sizes, before anything
// is computed.
template <std::size_t R>
void check_predicate(const std::array<index_t, R>& sizes) {
  index_t numel = 1;
  for (index_t s : sizes) numel *= s;
  if (numel != 1) {
    ctrace::detail::raise("cond: the predicate has ", numel, " elements (sizes ", sizes_to_string(sizes), "), not one");
  }
}

// cond into dest: the predicate checked, computed on Device and read on the
// host by read_one (its one element, a bool), then only the chosen branch
// computed into dest.
template <class Device, class T, int R, class P, class A, class B, class ReadOne>
void run_cond(const strided_view<T, R>& dest, const cond_node<P, A, B>& node, ReadOne&& read_one) {
  check_predicate(node.pred().sizes());
  if (read_one(operand_tensor<Device>(node.pred()))) backend<Device>::assign(dest, node.on_true());
  else backend<Device>::assign(dest, node.on_false());
}

// The final carries of a fori_loop (it runs on the first read): the body
// graph is called once per iteration on the current carries and the index
// (a 0-d int64 tensor on the loop's device, written before each call).
template <std::size_t K, class State, class... Init>
const auto& loop_value(const loop_result<K, State, Init...>& node) {
  State& st = *node.state;
  using Carries = typename decltype(st.result)::value_type;
  using Device = typename std::tuple_element_t<0, Carries>::device_type;
  if (!st.result) {
    auto carry = std::apply([](const auto&... n) { return std::make_tuple(operand_tensor<Device>(n)...); },
                            node.children);
    auto i = tensor<std::int64_t, shape<>, Device>::uninitialized(sizes_t<0>{});
    for (index_t it = st.lower; it < st.upper; ++it) {
      backend<Device>::assign(i.strided(), scalar_leaf<std::int64_t>{{}, static_cast<std::int64_t>(it)});
      auto next = std::apply([&](const auto&... c) { return st.body(i, c...); }, carry);
      if constexpr (sizeof...(Init) == 1) {
        carry = std::make_tuple(std::move(next));
      } else {
        carry = std::move(next);
      }
    }
    st.result.emplace(std::move(carry));
  }
  return std::get<K>(*st.result);
}

// Row `row` of a tensor: its leading dim dropped, no copy.
template <class T, class S, class D>
strided_view<T, S::rank - 1> row_view(const tensor<T, S, D>& t, index_t row) {
  strided_view<T, S::rank - 1> v{t.data() + row * t.strides()[0], {}, {}};
  for (std::size_t d = 1; d < t.sizes().size(); ++d) {
    v.sizes[d - 1] = t.sizes()[d];
    v.strides[d - 1] = t.strides()[d];
  }
  return v;
}
// The same as a tensor of type Row (its memory owned by t's owner).
template <class Row, class T, class S, class D>
Row row_of(const tensor<T, S, D>& t, index_t row) {
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
// each y_t into row t of its ys. Everything lives on the scan's device.
template <class State, class... Children>
void run_scan(State& st, const std::tuple<Children...>& children) {
  constexpr std::size_t C = State::carry_count, X = State::xs_count, Y = State::ys_count;
  using Carries = typename State::carry_tensors;
  using Rows = typename State::row_tensors;
  using Results = typename State::results_type;
  using Device = typename std::tuple_element_t<0, Results>::device_type;
  const auto inputs = std::apply([](const auto&... n) { return std::make_tuple(operand_tensor<Device>(n)...); }, children);
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
      memo_scope step;  // a step's values are not the next step's
      const Rows rows = [&]<std::size_t... J>(std::index_sequence<J...>) {
        return Rows{row_of<std::tuple_element_t<J, Rows>>(std::get<J>(inputs), t)...};
      }(std::make_index_sequence<X>{});
      const auto leaves = st.build(current, rows);
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (check_step_sizes(std::get<I>(leaves), std::get<I>(st.sizes), "carry", I, t), ...);
        (backend<Device>::assign(std::get<I>(next).strided(), std::get<I>(leaves)), ...);
      }(std::make_index_sequence<C>{});
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (check_step_sizes(std::get<C + J>(leaves), row_view(std::get<J>(ys), t).sizes, "y", J, t), ...);
        (backend<Device>::assign(row_view(std::get<J>(ys), t), std::get<C + J>(leaves)), ...);
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

}  // namespace ctrace::exec::control
