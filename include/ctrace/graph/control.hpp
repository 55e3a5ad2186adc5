// Data-dependent control flow as graph nodes (DESIGN.md: no graph breaks).
//
//   cond(pred, true_fn, false_fn, operands...)
//     both branches are built (their results must agree in structure, dtype
//     and shape: checked while compiling), the one-element boolean pred picks
//     the one that is computed.
//   fori_loop(lower, upper, body, init...)
//     carry = body(i, carry...) for i in [lower, upper), the bounds known only
//     at run time; body is captured as a graph of its own (i is a 0-d int64
//     tensor) and must give carries of the init's dtypes and shapes.
//   scan(body, init, xs) -> (carry, ys)
//     jax.lax.scan: carry, y_t = body(carry, x_t) for every row x_t of xs
//     (a tensor, or a tuple of tensors sharing their leading dim, the trip
//     count, known only at run time); ys stacks the y_t along a new leading
//     dim. init is a tensor or a tuple of tensors; the body is captured as a
//     graph of its own and must give a carry of init's structure, dtypes and
//     shapes. Each y_t is written straight into its row of ys.
//
// Each runs on its operands' device, with the same code: a loop's or scan's
// body is traced over tensors of that device (operands on different devices
// do not compile); the backends evaluate the nodes (backend/cpu/control.hpp,
// backend/cuda/control.cuh, over exec/control.hpp).
//
// A loop with a static trip count needs none of them: it is a C++ loop at
// trace time.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/core/shape_ops.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/graph/graph.hpp"

namespace ctrace {

namespace detail {
template <class A, class B>
constexpr bool same_value_type() {
  if constexpr (!std::is_same_v<typename A::value_type, typename B::value_type> ||
                A::shape_type::rank != B::shape_type::rank) {
    return false;
  } else {
    for (int i = 0; i < A::shape_type::rank; ++i) {
      if (!(A::shape_type::extents[i] == B::shape_type::extents[i])) return false;
    }
    return true;
  }
}
template <class... LA, class... LB>
constexpr bool leaves_agree(type_list<LA...>, type_list<LB...>) {
  if constexpr (sizeof...(LA) != sizeof...(LB)) {
    return false;
  } else {
    return (same_value_type<node_of_t<const LA&>, node_of_t<const LB&>>() && ...);
  }
}
}  // namespace detail

template <tensor_operand P, class TrueFn, class FalseFn, class... Operands>
auto cond(const P& pred, TrueFn&& on_true, FalseFn&& on_false, const Operands&... operands) {
  auto p = cast_to<bool>(to_node(pred));
  auto a = on_true(operands...);
  auto b = on_false(operands...);
  using A = decltype(a);
  using B = decltype(b);
  if constexpr (!std::is_same_v<decltype(output_tree::map(a, [](const auto&, auto) { return 0; })),
                                decltype(output_tree::map(b, [](const auto&, auto) { return 0; }))> ||
                !detail::leaves_agree(output_tree::leaf_types_t<A>{}, output_tree::leaf_types_t<B>{})) {
    report<diagnostic::branch_results_differ<A, B>>();
    return poison{};
  } else {
    auto b_leaves = output_tree::leaves(b);
    return output_tree::map(a, [&](const auto& leaf, auto k) {
      auto la = to_node(leaf);
      auto lb = to_node(std::get<decltype(k)::value>(b_leaves));
      if (la.sizes() != lb.sizes()) {
        detail::raise("cond: the branches give sizes ", sizes_to_string(la.sizes()), " and ",
                      sizes_to_string(lb.sizes()), " for result ", decltype(k)::value);
      }
      return cond_node<decltype(p), decltype(la), decltype(lb)>{{}, {p, std::move(la), std::move(lb)}};
    });
  }
}

namespace detail {
// The device a loop or scan runs on: its operands' (constants run anywhere:
// then the CPU); void when they live on different devices.
template <class... Nodes>
using control_device_t =
    std::conditional_t<std::is_same_v<common_device_t<typename Nodes::device_type...>, any_device>, cpu,
                       common_device_t<typename Nodes::device_type...>>;

template <class... Nodes>
constexpr bool control_devices_meet() {
  static_assert(!std::is_void_v<control_device_t<Nodes...>>,
                "ctrace: fori_loop's init carries, or scan's init carries and xs, live on different devices "
                "(cpu and cuda); copy them to one with to_device(t) or to_host(t)");
  return !std::is_void_v<control_device_t<Nodes...>>;
}

// The body sees tensors of the loop's device: the index (0-d int64) and
// carries shaped as the init's.
template <class Device, class Body, class... InitNodes>
auto trace_loop_body(const Body& body) {
  return trace(body, spec_of_shape<std::int64_t, shape<>, Device>{},
               spec_of_shape<typename InitNodes::value_type, typename InitNodes::shape_type, Device>{}...);
}
}  // namespace detail

namespace detail {
template <class Device, class Body, class... Init>
auto make_fori_loop(index_t lower, index_t upper, Body body, const Init&... init) {
  auto nodes = std::make_tuple(to_node(init)...);
  using Graph = decltype(trace_loop_body<Device, Body, node_of_t<const Init&>...>(body));
  using Result = typename Graph::returned_type;
  using Carries = std::tuple<eval_tensor_t<node_of_t<const Init&>, Device>...>;
  constexpr bool single = sizeof...(Init) == 1;
  using Expected = std::conditional_t<single, std::tuple_element_t<0, std::tuple<node_of_t<const Init&>...>>,
                                      std::tuple<node_of_t<const Init&>...>>;
  if constexpr ((single && !is_output_leaf<Result>::value) || (!single && !is_tuple_like_v<Result>) ||
                !leaves_agree(output_tree::leaf_types_t<Result>{}, type_list<node_of_t<const Init&>...>{})) {
    report<diagnostic::branch_results_differ<Result, Expected>>();
    return poison{};
  } else {
    using State = loop_state<Graph, Carries>;
    auto state = std::make_shared<State>(State{trace_loop_body<Device, Body, node_of_t<const Init&>...>(body),
                                               lower, upper, std::nullopt});
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      if constexpr (single) {
        return loop_result<0, State, node_of_t<const Init&>...>{{}, nodes, state};
      } else {
        return std::make_tuple(loop_result<K, State, node_of_t<const Init&>...>{{}, nodes, state}...);
      }
    }(std::index_sequence_for<Init...>{});
  }
}
}  // namespace detail

template <class Body, tensor_operand... Init>
  requires(sizeof...(Init) > 0)
auto fori_loop(index_t lower, index_t upper, Body body, const Init&... init) {
  using Device = detail::control_device_t<node_of_t<const Init&>...>;
  if constexpr (!detail::control_devices_meet<node_of_t<const Init&>...>()) {
    return poison{};
  } else {
    return detail::make_fori_loop<Device>(lower, upper, std::move(body), init...);
  }
}

namespace detail {

// A scan argument: a tensor, or a std::tuple or std::pair of them.
template <class A>
constexpr bool is_tensor_tuple() {
  if constexpr (!is_tuple_like_v<A>) {
    return false;
  } else {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return sizeof...(I) > 0 && (tensor_operand<std::tuple_element_t<I, A>> && ...);
    }(std::make_index_sequence<std::tuple_size_v<A>>{});
  }
}
template <class A>
concept scan_argument = tensor_operand<A> || is_tensor_tuple<A>();

// A scan argument's tensors as a flat tuple of nodes.
template <class A>
auto scan_operands(const A& a) {
  if constexpr (tensor_operand<A>) {
    return std::make_tuple(to_node(a));
  } else {
    return std::apply([](const auto&... x) { return std::make_tuple(to_node(x)...); }, a);
  }
}

// Specs of the body's inputs: a carry as its init is; a row of xs without
// its leading dim. A single tensor is a spec, a tuple a tuple of specs.
template <class Node, class Device>
using scan_carry_spec_t = spec_of_shape<typename Node::value_type, typename Node::shape_type, Device>;
template <class Node>
using scan_row_shape_t = typename drop_axis_shape<typename Node::shape_type, 0>::type;
template <class Node, class Device>
using scan_row_spec_t = spec_of_shape<typename Node::value_type, scan_row_shape_t<Node>, Device>;
template <bool Single, class... Specs>
using scan_spec_structure_t = std::conditional_t<Single, std::tuple_element_t<0, std::tuple<Specs...>>, std::tuple<Specs...>>;

// A spec structure's argument from a flat tuple of tensors: the tensor
// itself for a single spec, the tuple for a tuple of specs.
template <class SpecStructure, class Tensors>
const auto& scan_body_argument(const Tensors& t) {
  if constexpr (is_spec<SpecStructure>::value) {
    return std::get<0>(t);
  } else {
    return t;
  }
}

template <class Results>
struct results_sizes;
template <class... R>
struct results_sizes<std::tuple<R...>> {
  using type = std::tuple<typename R::sizes_type...>;
};

// The state one scan shares between its results: the body, this call's trip
// count and result sizes, and (once run) the results: the final carries,
// then the stacked ys.
template <class Body, class CarrySpec, class RowSpec, class CarryTensors, class RowTensors, class Results>
struct scan_state {
  using results_type = Results;
  using carry_tensors = CarryTensors;
  using row_tensors = RowTensors;
  static constexpr std::size_t carry_count = std::tuple_size_v<CarryTensors>;
  static constexpr std::size_t xs_count = std::tuple_size_v<RowTensors>;
  static constexpr std::size_t ys_count = std::tuple_size_v<Results> - carry_count;

  Body body;
  index_t steps = 0;
  typename results_sizes<Results>::type sizes{};
  std::optional<Results> result;

  // The body's expression with these carries and rows as its inputs (bound
  // like a captured graph's, without copies), as a flat tuple of nodes: the
  // new carries, then the y_t.
  auto build(const CarryTensors& carries, const RowTensors& rows) const {
    auto inputs = bind_argument<0, std::tuple<CarrySpec, RowSpec>>(std::forward_as_tuple(
        scan_body_argument<CarrySpec>(carries), scan_body_argument<RowSpec>(rows)));
    auto returned = std::apply(body, inputs);
    return std::apply([](const auto&... leaf) { return std::make_tuple(to_node(leaf)...); },
                      output_tree::leaves(returned));
  }

  // The body as the graph it is captured as (traced when printed).
  std::string body_text() const { return trace(body, CarrySpec{}, RowSpec{}).to_text(); }
};

// Builds the results' nodes in the structure of the body's y.
template <class State, class... Children>
struct scan_result_maker {
  const std::tuple<Children...>& children;
  const std::shared_ptr<State>& state;
  template <std::size_t K>
  auto operator()(std::integral_constant<std::size_t, K>) const {
    return scan_result<K, State, Children...>{{}, children, state};
  }
};

// The structure of Part (a type the body returns) with result node K for
// the leaf numbered K - Offset.
template <class Part, std::size_t Offset, class Make>
auto scan_structure(const Make& make) {
  using D = std::remove_cvref_t<Part>;
  if constexpr (is_output_leaf<D>::value) {
    return make(std::integral_constant<std::size_t, Offset>{});
  } else if constexpr (is_values_indices_v<D>) {
    auto v = scan_structure<decltype(D::values), Offset>(make);
    auto i = scan_structure<decltype(D::indices), Offset + output_tree::leaf_count<decltype(D::values)>()>(make);
    return values_indices<decltype(v), decltype(i)>{std::move(v), std::move(i)};
  } else if constexpr (is_std_array_v<D> || is_tuple_like_v<D>) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      if constexpr (requires { typename D::first_type; }) {
        return std::make_pair(scan_structure<std::tuple_element_t<I, D>, Offset + output_tree::offset_of<D, I>()>(make)...);
      } else {
        return std::make_tuple(scan_structure<std::tuple_element_t<I, D>, Offset + output_tree::offset_of<D, I>()>(make)...);
      }
    }(std::make_index_sequence<std::tuple_size_v<D>>{});
  } else {
    static_assert(always_false<D>, "ctrace: scan's y is a tensor, or std::tuple, std::pair or std::array of them");
    return poison{};
  }
}

// Whether the body's result is (carry, y) with the carry shaped as init.
template <bool SingleCarry, class Result, class... Init>
constexpr bool scan_result_fits() {
  if constexpr (!is_tuple_like_v<Result>) {
    return false;
  } else if constexpr (std::tuple_size_v<Result> != 2) {
    return false;
  } else {
    using Carry = std::remove_cvref_t<std::tuple_element_t<0, Result>>;
    if constexpr (SingleCarry) {
      if constexpr (!is_output_leaf<Carry>::value) {
        return false;
      } else {
        return leaves_agree(type_list<Carry>{}, type_list<Init...>{});
      }
    } else if constexpr (!is_tuple_like_v<Carry>) {
      return false;
    } else if constexpr (std::tuple_size_v<Carry> != sizeof...(Init)) {
      return false;
    } else {
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return (is_output_leaf<std::remove_cvref_t<std::tuple_element_t<I, Carry>>>::value && ...);
      }(std::index_sequence_for<Init...>{}) && leaves_agree(output_tree::leaf_types_t<Carry>{}, type_list<Init...>{});
    }
  }
}

// Binds the symbols named by dims of the form c*S; false when the table is full.
template <class Shape>
bool bind_symbols(symbol_table& table, const sizes_t<Shape::rank>& sizes) {
  constexpr int capacity = static_cast<int>(sizeof(table.entries) / sizeof(table.entries[0]));
  for (int i = 0; i < Shape::rank; ++i) {
    const extent& e = Shape::extents[i];
    if (e.dynamic || e.term_count != 1 || e.terms[0].count != 1 || table.find(e.terms[0].symbols[0])) continue;
    if (table.count == capacity) return false;
    table.bind(e.terms[0].symbols[0], sizes[i] / e.terms[0].coef);
  }
  return true;
}
// A shape's sizes under the bindings; false when a dim is dynamic or names
// an unbound symbol.
template <class Shape>
bool evaluate_shape(const symbol_table& table, sizes_t<Shape::rank>& out) {
  for (int i = 0; i < Shape::rank; ++i) {
    if (!evaluate(Shape::extents[i], table, out[i])) return false;
  }
  return true;
}

template <std::size_t N>
std::array<index_t, N - 1> drop_leading(const std::array<index_t, N>& s) {
  std::array<index_t, N - 1> out{};
  for (std::size_t i = 1; i < N; ++i) out[i - 1] = s[i];
  return out;
}
template <std::size_t N>
std::array<index_t, N + 1> prepend(index_t first, const std::array<index_t, N>& s) {
  std::array<index_t, N + 1> out{};
  out[0] = first;
  for (std::size_t i = 0; i < N; ++i) out[i + 1] = s[i];
  return out;
}

// The first of the xs whose static leading dim differs from the first's, or -1.
template <class... X>
constexpr int scan_static_steps_mismatch() {
  constexpr extent lead[] = {X::shape_type::extents[0]...};
  for (std::size_t k = 1; k < sizeof...(X); ++k) {
    if (provably_different(lead[0], lead[k])) return static_cast<int>(k);
  }
  return -1;
}

template <class... Y>
constexpr int max_rank_of(type_list<Y...>) {
  int r = 0;
  ((r = node_of_t<const Y&>::shape_type::rank > r ? node_of_t<const Y&>::shape_type::rank : r), ...);
  return r;
}

// The types of one scan, from its body, its init carries CN and its xs XN;
// its tensors (carries, rows, results) live on the operands' device.
template <class Body, bool SingleCarry, bool SingleX, class CarryNodes, class XNodes>
struct scan_plan;
template <class Body, bool SingleCarry, bool SingleX, class... CN, class... XN>
struct scan_plan<Body, SingleCarry, SingleX, std::tuple<CN...>, std::tuple<XN...>> {
  using body_type = Body;
  using device_type = control_device_t<CN..., XN...>;
  using carry_spec = scan_spec_structure_t<SingleCarry, scan_carry_spec_t<CN, device_type>...>;
  using row_spec = scan_spec_structure_t<SingleX, scan_row_spec_t<XN, device_type>...>;
  using graph = decltype(trace(std::declval<Body>(), carry_spec{}, row_spec{}));
  using carry_tensors = std::tuple<tensor<typename CN::value_type, typename CN::shape_type, device_type>...>;
  using row_tensors = std::tuple<tensor<typename XN::value_type, scan_row_shape_t<XN>, device_type>...>;
  using carry_sizes = std::tuple<typename tensor<typename CN::value_type, typename CN::shape_type, device_type>::sizes_type...>;
  using row_sizes = std::tuple<typename tensor<typename XN::value_type, scan_row_shape_t<XN>, device_type>::sizes_type...>;
  using init_structure = scan_spec_structure_t<SingleCarry, CN...>;
  static constexpr extent steps_extent = std::tuple_element_t<0, std::tuple<XN...>>::shape_type::extents[0];
};

// The results of one scan, from the leaf types Y of its body's y.
template <class Plan, class YLeaves>
struct scan_outputs;
template <class Plan, class... Y>
struct scan_outputs<Plan, type_list<Y...>> {
  template <class L>
  using y_tensor = tensor<typename node_of_t<const L&>::value_type, typename node_of_t<const L&>::shape_type,
                         typename Plan::device_type>;
  using ys_tensors =
      std::tuple<tensor<typename y_tensor<Y>::value_type,
                        typename insert_axis_shape<typename y_tensor<Y>::shape_type, 0, Plan::steps_extent>::type,
                        typename Plan::device_type>...>;
  using results = decltype(std::tuple_cat(std::declval<typename Plan::carry_tensors>(), std::declval<ys_tensors>()));
  using state = scan_state<typename Plan::body_type, typename Plan::carry_spec, typename Plan::row_spec,
                           typename Plan::carry_tensors, typename Plan::row_tensors, results>;
  using y_sizes = std::tuple<typename y_tensor<Y>::sizes_type...>;
  static constexpr std::size_t carry_count = std::tuple_size_v<typename Plan::carry_tensors>;

  // The sizes of each y_t for inputs of these sizes: from the symbols the
  // inputs bind when y's dims are forms of them, else from the body built
  // once over zero-filled stand-ins of those sizes.
  static y_sizes sizes_of_y(const state& st, const typename Plan::carry_sizes& carries,
                            const typename Plan::row_sizes& rows) {
    using carry_seq = std::make_index_sequence<std::tuple_size_v<typename Plan::carry_sizes>>;
    using row_seq = std::make_index_sequence<std::tuple_size_v<typename Plan::row_sizes>>;
    y_sizes out{};
    if (from_symbols(carries, rows, out, carry_seq{}, row_seq{}, std::index_sequence_for<Y...>{})) return out;
    return from_stand_ins(st, carries, rows, carry_seq{}, row_seq{}, std::index_sequence_for<Y...>{});
  }

 private:
  template <std::size_t... I, std::size_t... J, std::size_t... Q>
  static bool from_symbols(const typename Plan::carry_sizes& carries, const typename Plan::row_sizes& rows, y_sizes& out,
                           std::index_sequence<I...>, std::index_sequence<J...>, std::index_sequence<Q...>) {
    symbol_table table;
    return (bind_symbols<typename std::tuple_element_t<I, typename Plan::carry_tensors>::shape_type>(table, std::get<I>(carries)) && ...) &&
           (bind_symbols<typename std::tuple_element_t<J, typename Plan::row_tensors>::shape_type>(table, std::get<J>(rows)) && ...) &&
           (evaluate_shape<typename std::tuple_element_t<Q, y_tensors>::shape_type>(table, std::get<Q>(out)) && ...);
  }
  using y_tensors = std::tuple<y_tensor<Y>...>;

  template <std::size_t... I, std::size_t... J, std::size_t... Q>
  static y_sizes from_stand_ins(const state& st, const typename Plan::carry_sizes& carries, const typename Plan::row_sizes& rows,
                                std::index_sequence<I...>, std::index_sequence<J...>, std::index_sequence<Q...>) {
    // Building may evaluate (masked_select counts its mask): apart from the
    // values of an enclosing graph call, whose inputs have the same types.
    exec::memo_scope apart;
    typename Plan::carry_tensors c{std::tuple_element_t<I, typename Plan::carry_tensors>(std::get<I>(carries))...};
    typename Plan::row_tensors r{std::tuple_element_t<J, typename Plan::row_tensors>(std::get<J>(rows))...};
    const auto leaves = st.build(c, r);
    return y_sizes{std::get<carry_count + Q>(leaves).sizes()...};
  }
};

template <bool SingleCarry, bool SingleX, class Body, class... CN, class... XN>
auto make_scan(Body body, std::tuple<CN...> carries, std::tuple<XN...> xs) {
  if constexpr (any_poison<CN..., XN...>) {
    return poison{};
  } else if constexpr (!control_devices_meet<CN..., XN...>()) {
    return poison{};
  } else if constexpr (constexpr int lowest = std::min({XN::shape_type::rank...}); lowest < 1) {
    report<diagnostic::rank_not_supported<op::scan, lowest>>();  // an xs without a leading dim to scan over
    return poison{};
  } else if constexpr (constexpr int k = scan_static_steps_mismatch<XN...>(); k >= 0) {
    constexpr extent lead[] = {XN::shape_type::extents[0]...};
    report<diagnostic::shape_mismatch<op::scan, 0, lead[0].value(), lead[k].value()>>();
    return poison{};
  } else {
    using Plan = scan_plan<Body, SingleCarry, SingleX, std::tuple<CN...>, std::tuple<XN...>>;
    using Graph = typename Plan::graph;
    if constexpr (std::is_same_v<Graph, poison>) {
      return poison{};  // the body reported an error
    } else if constexpr (!scan_result_fits<SingleCarry, typename Graph::result_type, CN...>()) {
      report<diagnostic::scan_carry_differs<typename Graph::result_type, typename Plan::init_structure>>();
      return poison{};
    } else {
      using YPart = std::remove_cvref_t<std::tuple_element_t<1, typename Graph::result_type>>;
      using YLeaves = output_tree::leaf_types_t<YPart>;
      constexpr int y_rank = max_rank_of(YLeaves{});
      if constexpr (y_rank >= max_rank) {
        report<diagnostic::rank_not_supported<op::scan, y_rank>>();  // ys would have one dim more
        return poison{};
      } else {
        using Out = scan_outputs<Plan, YLeaves>;
        using State = typename Out::state;
        const index_t steps = std::get<0>(xs).sizes()[0];
        const auto leads = std::apply([](const auto&... x) { return std::array<index_t, sizeof...(XN)>{x.sizes()[0]...}; }, xs);
        for (std::size_t k = 1; k < leads.size(); ++k) {
          if (leads[k] != steps) {
            raise("scan: xs ", k, " has ", leads[k], " rows and xs 0 has ", steps,
                  "; all xs are scanned together along their leading dim");
          }
        }
        const auto carry_sizes = std::apply([](const auto&... c) { return typename Plan::carry_sizes{c.sizes()...}; }, carries);
        const auto row_sizes = std::apply([](const auto&... x) { return typename Plan::row_sizes{drop_leading(x.sizes())...}; }, xs);
        auto state = std::make_shared<State>(State{std::move(body), steps, {}, std::nullopt});
        const auto y_sizes = Out::sizes_of_y(*state, carry_sizes, row_sizes);
        [&]<std::size_t... I, std::size_t... Q>(std::index_sequence<I...>, std::index_sequence<Q...>) {
          ((std::get<I>(state->sizes) = std::get<I>(carry_sizes)), ...);
          ((std::get<sizeof...(I) + Q>(state->sizes) = prepend(steps, std::get<Q>(y_sizes))), ...);
        }(std::index_sequence_for<CN...>{}, std::make_index_sequence<std::tuple_size_v<decltype(y_sizes)>>{});
        const auto children = std::tuple_cat(std::move(xs), std::move(carries));
        const scan_result_maker<State, XN..., CN...> make{children, state};
        return std::make_pair(scan_structure<typename Plan::init_structure, 0>(make),
                              scan_structure<YPart, sizeof...(CN)>(make));
      }
    }
  }
}

}  // namespace detail

template <class Body, class Init, class Xs>
auto scan(Body body, const Init& init, const Xs& xs) {
  static_assert(detail::scan_argument<Init>,
                "ctrace: scan(body, init, xs) requires 'init' to be a tensor or a std::tuple or std::pair of tensors");
  static_assert(detail::scan_argument<Xs>,
                "ctrace: scan(body, init, xs) requires 'xs' to be a tensor or a std::tuple or std::pair of tensors");
  if constexpr (!detail::scan_argument<Init> || !detail::scan_argument<Xs>) {
    return poison{};
  } else {
    return detail::make_scan<tensor_operand<Init>, tensor_operand<Xs>>(std::move(body), detail::scan_operands(init),
                                                                        detail::scan_operands(xs));
  }
}

}  // namespace ctrace
