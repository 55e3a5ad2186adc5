// trace(f, specs...) captures a generic callable as a graph: f runs once on
// placeholder inputs (input_node<I, ...>), and the type of what it returns is
// the graph. Its DAG (unique nodes in topological order), its guards and its
// facts are computed from that type while compiling.
//
// A call binds the caller's tensors to the same placeholder types (no copy),
// checks the guards, and runs f again to rebuild the expression: building it
// is a handful of stores, and it gives every node its sizes and values for
// this call, so nothing read from an input is ever frozen (x.size(0),
// arange(n), a slice to n - 1 are recomputed from this call's inputs). The
// rebuilt expression must have the graph's type (f is a function of its
// inputs' types); it then runs fused through the backend.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/filter.hpp>

#include "ctrace/core/diagnostics.hpp"
#include "ctrace/exec/memo.hpp"
#include "ctrace/expr/input.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/update.hpp"
#include "ctrace/api/inplace.hpp"
#include "ctrace/api/random.hpp"
#include "ctrace/graph/dag.hpp"
#include "ctrace/graph/guard_plan.hpp"
#include "ctrace/graph/graph_text.hpp"
#include "ctrace/graph/spec.hpp"
#include "ctrace/graph/structure.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

using spec_tree = tree<is_spec>;

namespace detail {

// Whether a tensor of type A may be passed for spec S: same dtype, device and
// rank; each dim equal to the spec's, or the spec's is symbolic (bound then).
template <class S, class A>
constexpr bool spec_accepts() {
  using SS = typename S::shape_type;
  using AS = typename A::shape_type;
  if constexpr (!std::is_same_v<typename S::value_type, typename A::value_type> ||
                !std::is_same_v<typename S::device_type, typename A::device_type> || SS::rank != AS::rank) {
    return false;
  } else {
    for (int i = 0; i < SS::rank; ++i) {
      if (!(provably_equal(SS::extents[i], AS::extents[i]) || !SS::extents[i].is_static())) return false;
    }
    return true;
  }
}

// The generator that random ops draw from while tracing (values unused).
inline generator& trace_generator() {
  thread_local generator g(0);
  return g;
}

template <class S, std::size_t K>
  requires std::is_same_v<S, rng_spec>
auto make_placeholder() {
  return rng_input(&trace_generator(), static_cast<int>(K));
}

// Memory of the trace's placeholders, kept by the captured graph: its traced
// expression borrows it (input nodes own nothing).
using placeholder_memory = std::vector<std::shared_ptr<void>>;

template <class S, std::size_t K>
  requires std::is_same_v<S, rng_spec>
auto make_placeholder(placeholder_memory&) {
  return rng_input(&trace_generator(), static_cast<int>(K));
}

template <class S, std::size_t K>
auto make_placeholder(placeholder_memory& memory) {
  using T = typename S::value_type;
  using Shape = typename S::shape_type;
  using Device = typename S::device_type;
  using node = input_node<static_cast<int>(K), T, Shape, Device>;
  const auto sizes = trace_sizes<Shape>();
  if constexpr (std::is_same_v<Device, cpu>) {
    tensor<T, Shape, Device> t(sizes);
    memory.push_back(t.owner());
    return node(t.strided());
  } else {
    // Tracing reads no values: a device placeholder has sizes and no memory,
    // so a graph over device tensors traces (and prints) on a machine without
    // the device.
    return node(strided_view<T, Shape::rank>{nullptr, sizes, contiguous_strides<Shape::rank>(sizes)});
  }
}

template <std::size_t Offset, class S, std::size_t I, class A>
auto bind_keyed(A&& a);

// The caller's argument `a` bound to the spec tree S (leaves numbered from
// Offset): input nodes over the caller's memory, in S's structure.
template <std::size_t Offset, class S, class A>
auto bind_argument(A&& a) {
  using D = std::remove_cvref_t<A>;
  if constexpr (std::is_same_v<S, rng_spec>) {
    if constexpr (!std::is_same_v<std::remove_reference_t<A>, generator>) {
      report<diagnostic::input_structure_mismatch<static_cast<int>(Offset), S, std::remove_reference_t<A>>>();
      return poison{};
    } else {
      return rng_input(&a, static_cast<int>(Offset));  // the caller's generator, advanced by the draws
    }
  } else if constexpr (is_spec<S>::value) {
    using T = typename S::value_type;
    using Shape = typename S::shape_type;
    using Device = typename S::device_type;
    if constexpr (!tensor_type<D>) {
      report<diagnostic::input_structure_mismatch<static_cast<int>(Offset), S, D>>();
      return poison{};
    } else if constexpr (!spec_accepts<S, D>()) {
      report<diagnostic::input_does_not_match_spec<static_cast<int>(Offset), S, D>>();
      return poison{};
    } else {
      // Borrowed: the caller's tensor outlives the call. Sizes are checked
      // by the graph's guards.
      return input_node<static_cast<int>(Offset), T, Shape, Device>(a.strided());
    }
  } else if constexpr (is_std_array_v<S> || is_tuple_like_v<S>) {
    if constexpr (!(is_std_array_v<D> || is_tuple_like_v<D>)) {
      report<diagnostic::input_structure_mismatch<static_cast<int>(Offset), S, D>>();
      return poison{};
    } else if constexpr (std::tuple_size_v<D> != std::tuple_size_v<S>) {
      report<diagnostic::input_structure_mismatch<static_cast<int>(Offset), S, D>>();
      return poison{};
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        if constexpr (is_std_array_v<S>) {  // a tuple, as while tracing (see tree::map)
          return std::make_tuple(bind_argument<Offset + spec_tree::offset_of<S, I>(), typename S::value_type>(std::get<I>(a))...);
        } else if constexpr (requires { typename S::first_type; }) {
          return std::make_pair(bind_argument<Offset + spec_tree::offset_of<S, I>(), std::tuple_element_t<I, S>>(std::get<I>(a))...);
        } else {
          return std::make_tuple(bind_argument<Offset + spec_tree::offset_of<S, I>(), std::tuple_element_t<I, S>>(std::get<I>(a))...);
        }
      }(std::make_index_sequence<std::tuple_size_v<S>>{});
    }
  } else {
    static_assert(is_keyed_v<S>);
    if constexpr (!is_keyed_v<D> && !is_hana_struct_v<D>) {
      report<diagnostic::input_structure_mismatch<static_cast<int>(Offset), S, D>>();
      return poison{};
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return hana::make_map(hana::make_pair(spec_tree::key_t<S, I>{}, bind_keyed<Offset + spec_tree::keyed_offset<S, I>(), S, I>(a))...);
      }(std::make_index_sequence<spec_tree::key_count<S>()>{});
    }
  }
}

template <std::size_t Offset, class S, std::size_t I, class A>
auto bind_keyed(A&& a) {
  using K = spec_tree::key_t<S, I>;
  if constexpr (!decltype(hana::contains(std::declval<const std::remove_cvref_t<A>&>(), K{}))::value) {
    report<diagnostic::missing_key<K>>();
    return poison{};
  } else {
    return bind_argument<Offset, spec_tree::keyed_value_t<S, I>>(hana::at_key(a, K{}));
  }
}

template <class List>
struct leaf_nodes;
template <class... L>
struct leaf_nodes<type_list<L...>> {
  using type = type_list<node_of_t<const L&>...>;
};

// A bound input: a tensor input node, a generator, or poison after an error.
template <class T>
struct is_bound_leaf : std::bool_constant<tensor_node<T> || std::is_same_v<T, rng_input>> {};

// The device a graph's tensor inputs share (void when they differ): where its
// outputs that read no input (a generator, eye(3) * 2) are computed.
template <class S>
struct spec_device {
  using type = typename S::device_type;
};
template <>
struct spec_device<rng_spec> {
  using type = any_device;
};
template <class Specs>
struct graph_device;
template <class... S>
struct graph_device<type_list<S...>> {
  using common = common_device_t<typename spec_device<S>::type...>;
  using type = std::conditional_t<std::is_same_v<common, any_device>, void, common>;
};

template <class Shapes>
struct spec_shapes;
template <class... S>
struct spec_shapes<type_list<S...>> {
  using type = type_list<typename S::shape_type...>;
};

}  // namespace detail

namespace detail {
// What f returned: the outputs, and updates listed with with_updates().
template <class Result>
struct result_parts {
  using returned = Result;
  using updates = type_list<>;
  static const Result& outputs(const Result& r) { return r; }
};
template <class R, class... U>
struct result_parts<with_updates_t<R, U...>> {
  using returned = R;
  using updates = type_list<U...>;
  static const R& outputs(const with_updates_t<R, U...>& r) { return r.result; }
};

// The in-place updates among a graph's nodes: the last version of each
// input, which is written back after a call.
//
// The loops are plain functions over the plan's arrays, and node types are
// told apart by the address of a tag: members, lambdas and is_same_v
// instantiations of update_plan<...> would be symbols named after every node
// of the graph, and long graphs paid seconds mangling them (bench/RESULTS.md,
// "Compile time").
struct update_arrays {
  const int* input;
  const int* version;
  const void* const* type;  // a tag per update node's type, null for other nodes
  std::size_t n;
};
// Whether update node i has the type of an earlier update node.
constexpr bool same_type_as_earlier(const update_arrays& a, std::size_t i) {
  if (a.type[i] == nullptr) return false;
  for (std::size_t j = 0; j < i; ++j) {
    if (a.type[j] == a.type[i]) return true;
  }
  return false;
}
// Two nodes of different types that are the same version of one input: two
// updates made from one stale value, which cannot both be written back.
// (Two nodes of one type whose children carry run-time values, such as
// slice bounds, cannot be told apart while compiling; the first is used.)
constexpr bool updates_diverge(const update_arrays& a) {
  for (std::size_t i = 0; i < a.n; ++i) {
    for (std::size_t j = i + 1; j < a.n; ++j) {
      if (a.input[i] >= 0 && a.input[i] == a.input[j] && a.version[i] > 0 && a.version[i] == a.version[j] &&
          !same_type_as_earlier(a, j)) {
        return true;
      }
    }
  }
  return false;
}
constexpr bool update_is_final(const update_arrays& a, std::size_t i) {
  if (a.input[i] < 0 || a.version[i] == 0 || same_type_as_earlier(a, i)) return false;
  for (std::size_t j = 0; j < a.n; ++j) {
    if (a.input[j] == a.input[i] && a.version[j] > a.version[i]) return false;
  }
  return true;
}
constexpr int count_final_updates(const update_arrays& a) {
  int n = 0;
  for (std::size_t i = 0; i < a.n; ++i) n += update_is_final(a, i) ? 1 : 0;
  return n;
}
template <class T>
struct type_tag {
  static constexpr char id = 0;
};

template <class Nodes>
struct update_plan;
template <class... N>
struct update_plan<type_list<N...>> {
  static constexpr std::array<int, sizeof...(N)> input{version_of<typename N::node_type>::input...};
  static constexpr std::array<int, sizeof...(N)> version{
      (is_update_node_v<typename N::node_type> ? version_of<typename N::node_type>::version : 0)...};
  static constexpr std::array<const void*, sizeof...(N)> type{
      (is_update_node_v<typename N::node_type>
           ? static_cast<const void*>(
                 &type_tag<std::conditional_t<is_update_node_v<typename N::node_type>, typename N::node_type, void>>::id)
           : nullptr)...};
  static constexpr update_arrays arrays{input.data(), version.data(), type.data(), sizeof...(N)};
  static constexpr bool diverging = updates_diverge(arrays);
  static constexpr bool is_final(std::size_t i) { return update_is_final(arrays, i); }
  static constexpr int final_count = count_final_updates(arrays);
};
// A function whose graph writes nothing back (a gradient graph: it runs the
// forward computation again and must not repeat its in-place effects).
struct no_update_plan {
  static constexpr bool diverging = false;
  static constexpr int final_count = 0;
  static constexpr std::array<int, 0> input{};
  static constexpr bool is_final(std::size_t) { return false; }
};
template <class F>
inline constexpr bool writes_back_v = true;
template <class F>
  requires requires { F::writes_back; }
inline constexpr bool writes_back_v<F> = F::writes_back;
}  // namespace detail

template <class F, class Specs, class Result>
class captured_graph {
 public:
  using result_type = Result;
  using returned_type = typename detail::result_parts<Result>::returned;
  using output_list = typename detail::leaf_nodes<output_tree::leaf_types_t<returned_type>>::type;
  using root_list = concat_t<output_list, typename detail::result_parts<Result>::updates>;
  using graph_dag = dag<root_list>;
  using nodes = typename graph_dag::nodes;
  using updates = std::conditional_t<detail::writes_back_v<F>, detail::update_plan<nodes>, detail::no_update_plan>;
  static_assert(!updates::diverging,
                "ctrace: two in-place updates of one graph input were made from the same version; apply the "
                "second to the result of the first (auto x1 = add_(x, y); auto x2 = mul_(x1, 2);)");
  using spec_list = spec_tree::leaf_types_t<Specs>;
  using guards = graph_guards<typename detail::spec_shapes<spec_list>::type, nodes>;
  // Outputs that read no input are computed on the inputs' device (a graph on
  // device tensors returns device tensors only).
  using output_device = typename detail::graph_device<spec_list>::type;

  // Facts of the graph, all known while compiling.
  static constexpr std::size_t input_count = spec_list::size;
  static constexpr std::size_t output_count = output_list::size;
  static constexpr std::size_t node_count = graph_dag::node_count;
  static constexpr std::array<int, output_count> outputs = [] {
    std::array<int, output_count> o{};
    for (std::size_t k = 0; k < output_count; ++k) o[k] = graph_dag::outputs[k];
    return o;
  }();
  static constexpr int update_count = updates::final_count;
  static constexpr int symbol_count = guards::plan.symbol_count;
  static constexpr int guard_count = guards::plan.dim_count + guards::plan.relation_count;

  using function_type = F;
  using specs_type = Specs;

  captured_graph(F f, std::optional<Result> traced, detail::placeholder_memory placeholders = {})
      : f_(std::move(f)), placeholders_(std::move(placeholders)), traced_(std::move(traced)) {}

  // The traced function (derived graphs, such as gradients, trace it again).
  const F& function() const { return f_; }

  // Runs the graph on tensors structured like the specs. Outputs that are the
  // same node are computed once and returned as the same tensor.
  template <class... Args>
  auto operator()(Args&&... args) const {
    auto inputs = bind(std::forward_as_tuple(args...));
    if constexpr (bound_with_errors<decltype(inputs)>()) {
      return poison{};  // the binding reported what is wrong
    } else {
      return run(inputs, std::forward_as_tuple(args...));
    }
  }

  // Binds and checks inputs without running: the cost of the guards alone.
  template <class... Args>
  void check(Args&&... args) const {
    auto inputs = bind(std::forward_as_tuple(args...));
    if constexpr (!bound_with_errors<decltype(inputs)>()) check_guards(inputs);
  }

 private:
  template <class Bound>
  static constexpr bool bound_with_errors() {
    return []<class... L>(type_list<L...>) { return any_poison<L...>; }(tree<detail::is_bound_leaf>::leaf_types_t<Bound>{});
  }
  template <class Inputs, class ArgTuple>
  auto run(const Inputs& inputs, const ArgTuple& args) const {
    check_guards(inputs);
    exec::memo_scope once_per_call;
    auto result = std::apply(f_, inputs);
    static_assert(std::is_same_v<decltype(result), Result>,
                  "ctrace: the traced function built a different graph on this call; a captured function must "
                  "depend on its inputs' types only");
    auto outputs_now = evaluate(detail::result_parts<Result>::outputs(result), args);
    if constexpr (update_count > 0) write_back(result, args);
    return outputs_now;
  }


 public:
  // Calls f(root, index_constant) for each output leaf, then each listed update.
  template <class V>
  static void for_each_root(const Result& result, V&& f) {
    output_tree::for_each_leaf(detail::result_parts<Result>::outputs(result),
                               [&](const auto& leaf, auto k) { f(to_node(leaf), k); });
    if constexpr (!std::is_same_v<Result, returned_type>) {
      [&]<std::size_t... U>(std::index_sequence<U...>) {
        (f(std::get<U>(result.updates), std::integral_constant<std::size_t, output_count + U>{}), ...);
      }(std::make_index_sequence<std::tuple_size_v<decltype(result.updates)>>{});
    }
  }

  // Walks every root in DAG order: v.visit<Id, IsNew>(node) per occurrence.
  template <class V>
  static void walk(const Result& result, V& v) {
    for_each_root(result, [&](const auto& root, auto kc) {
      using before = typename detail::take_list<decltype(kc)::value, root_list>::type;
      using slots = typename detail::add_outputs<type_list<>, before, int_list<>>::slots;
      walk_dag<slots>(root, v);
    });
  }

 private:
  // Computes the last version of each updated input, then writes them all
  // back (after every output is computed, so outputs saw the inputs as given).
  template <class ArgTuple>
  static void write_back(const Result& result, const ArgTuple& args) {
    std::vector<std::function<void()>> writes;
    write_back_collector<ArgTuple> v{args, writes};
    walk(result, v);
    for (auto& w : writes) w();
  }
  template <class ArgTuple>
  struct write_back_collector {
    const ArgTuple& args;
    std::vector<std::function<void()>>& writes;
    template <int Id, bool IsNew, class Node>
    void visit(const Node& node) {
      if constexpr (IsNew && updates::is_final(static_cast<std::size_t>(Id))) {
        auto value = exec::materialize_once<Node, eval_tensor_t<Node>>([&] { return eval_tensor_t<Node>(node); });
        auto target = caller_tensor<static_cast<std::size_t>(version_of<Node>::input)>(args);
        writes.emplace_back([value, target]() mutable { target.assign(value); });
      }
    }
  };

 public:

 public:
  std::string to_text() const { return detail::graph_printer<captured_graph>::text(*this); }
  std::string to_dot() const { return detail::graph_printer<captured_graph>::dot(*this); }
  std::string to_json() const { return detail::graph_printer<captured_graph>::json(*this); }
  friend std::ostream& operator<<(std::ostream& os, const captured_graph& g) { return os << g.to_text(); }

  // The expression captured while tracing (placeholder inputs).
  // The expression built while tracing, with its run-time values (constants,
  // attributes) for the printers. Absent when tracing with the stand-in sizes
  // failed an op's run-time check (a graph relying on N == 2*M, say): the
  // graph is still complete, as types; the printers then show no attributes.
  bool has_trace() const { return traced_.has_value(); }
  const Result& traced() const { return *traced_; }

  // Input names as printed: %in<k>, or the key of a keyed input.
  static std::vector<std::string> input_names() {
    std::vector<std::string> names(input_count);
    name_inputs<0, Specs>(names, "");
    return names;
  }

  static std::vector<std::string> guard_lines() { return guards::lines(input_names()); }

 private:
  template <std::size_t Offset, class S>
  static void name_inputs(std::vector<std::string>& names, const std::string& key) {
    if constexpr (is_spec<S>::value) {
      names[Offset] = key.empty() ? "%in" + std::to_string(Offset) : "%" + key;
    } else if constexpr (is_std_array_v<S>) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (name_inputs<Offset + spec_tree::offset_of<S, I>(), typename S::value_type>(names, ""), ...);
      }(std::make_index_sequence<std::tuple_size_v<S>>{});
    } else if constexpr (is_tuple_like_v<S>) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (name_inputs<Offset + spec_tree::offset_of<S, I>(), std::tuple_element_t<I, S>>(names, ""), ...);
      }(std::make_index_sequence<std::tuple_size_v<S>>{});
    } else {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (name_inputs<Offset + spec_tree::keyed_offset<S, I>(), spec_tree::keyed_value_t<S, I>>(
             names, hana::to<const char*>(spec_tree::key_t<S, I>{})),
         ...);
      }(std::make_index_sequence<spec_tree::key_count<S>()>{});
    }
  }

  template <class ArgTuple>
  static auto bind(const ArgTuple& args) {
    static_assert(std::tuple_size_v<ArgTuple> == std::tuple_size_v<Specs>,
                  "ctrace: a captured graph is called with as many arguments as it was traced with");
    return detail::bind_argument<0, Specs>(args);
  }

  template <class Inputs>
  static void check_guards(const Inputs& inputs) {
    if constexpr (guard_count > 0) {
      const index_t* sizes[input_count];
      tree<detail::is_bound_leaf>::for_each_leaf(inputs, [&](const auto& in, auto k) {
        if constexpr (requires { in.value.sizes(); }) sizes[k] = in.value.sizes().data();
        else sizes[k] = nullptr;  // a generator: no sizes
      });
      static const std::vector<std::string> names = input_names();
      guards::check(sizes, names);
    }
  }

  template <std::size_t K>
  static constexpr std::size_t first_same_output() {
    for (std::size_t j = 0; j < K; ++j) {
      if (outputs[j] == outputs[K]) return j;
    }
    return K;
  }

  template <class T>
  struct is_argument_ref : std::false_type {};
  template <class T>
  struct is_argument_ref<std::reference_wrapper<T>> : std::true_type {};

  // The caller's tensors in the specs' leaf order (keyed arguments reordered).
  template <class S, class A>
  static auto argument_refs(const A& a) {
    if constexpr (is_spec<S>::value) {
      return std::cref(a);
    } else if constexpr (is_std_array_v<S> || is_tuple_like_v<S>) {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple<decltype(argument_refs<std::tuple_element_t<I, S>>(std::get<I>(a)))...>(
            argument_refs<std::tuple_element_t<I, S>>(std::get<I>(a))...);
      }(std::make_index_sequence<std::tuple_size_v<S>>{});
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple<decltype(argument_refs<spec_tree::keyed_value_t<S, I>>(hana::at_key(a, spec_tree::key_t<S, I>{})))...>(
            argument_refs<spec_tree::keyed_value_t<S, I>>(hana::at_key(a, spec_tree::key_t<S, I>{}))...);
      }(std::make_index_sequence<spec_tree::key_count<S>()>{});
    }
  }

  // An output that is an input is the caller's own tensor (its handle, which
  // owns the memory), as the spec's tensor type.
  template <std::size_t K, class ArgTuple>
  static auto caller_tensor(const ArgTuple& args) {
    using L = list_element_t<K, spec_list>;
    using T = tensor<typename L::value_type, typename L::shape_type, typename L::device_type>;
    std::optional<T> out;
    tree<is_argument_ref>::for_each_leaf(argument_refs<Specs>(args), [&](const auto& ref, auto k) {
      if constexpr (decltype(k)::value == K) out.emplace(ref.get());
    });
    return *out;
  }

  template <class Leaf>
  using output_value_t =
      eval_tensor_t<Leaf, std::conditional_t<std::is_same_v<typename Leaf::device_type, any_device>, output_device, void>>;

  template <class Leaf, class ArgTuple>
  static auto compute_leaf(const Leaf& leaf, const ArgTuple& args) {
    if constexpr (tensor_type<Leaf>) {
      return leaf;
    } else if constexpr (is_input_node_v<Leaf>) {
      return caller_tensor<static_cast<std::size_t>(Leaf::index)>(args);
    } else if constexpr (root_list::size == 1) {
      // The only root: nothing after it reads the memo, so the value is not
      // remembered (a handle copied in and out of the memo costs two atomic
      // updates of its count).
      return output_value_t<Leaf>(leaf);
    } else {
      return exec::materialize_once<Leaf, output_value_t<Leaf>>([&] { return output_value_t<Leaf>(leaf); });
    }
  }
  template <std::size_t K, class ArgTuple>
  using output_t = decltype(compute_leaf(std::declval<const list_element_t<K, output_tree::leaf_types_t<returned_type>>&>(),
                                         std::declval<const ArgTuple&>()));

  template <class ArgTuple>
  static auto evaluate(const returned_type& result, const ArgTuple& args) {
    auto values = [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::tuple<std::optional<output_t<K, ArgTuple>>...>{};
    }(std::make_index_sequence<output_count>{});
    output_tree::for_each_leaf(result, [&](const auto& leaf, auto kc) {
      constexpr std::size_t k = decltype(kc)::value;
      constexpr std::size_t j = first_same_output<k>();
      if constexpr (j < k) {
        std::get<k>(values).emplace(*std::get<j>(values));
      } else {
        std::get<k>(values).emplace(compute_leaf(leaf, args));
      }
    });
    return output_tree::map(result, [&](const auto&, auto kc) { return std::move(*std::get<decltype(kc)::value>(values)); });
  }

  F f_;
  detail::placeholder_memory placeholders_;  // what traced_'s input nodes read
  std::optional<Result> traced_;
};

// The spec of a keyed input with the tensor members of a user struct
// reflected with Boost.Hana (BOOST_HANA_DEFINE_STRUCT); other members are
// ignored. The graph is called with an instance of the struct (or any keyed
// set with those keys); f reads the members as in[key<"name">].
template <class Struct>
auto spec_of_struct() {
  static_assert(is_hana_struct_v<Struct>, "ctrace: spec_of_struct needs a struct defined with BOOST_HANA_DEFINE_STRUCT");
  auto tensors = hana::filter(hana::accessors<Struct>(), [](auto accessor) {
    using M = std::remove_cvref_t<decltype(hana::second(accessor)(std::declval<Struct&>()))>;
    return hana::bool_c<tensor_type<M>>;
  });
  return hana::unpack(tensors, [](auto... accessor) {
    return hana::make_map(hana::make_pair(hana::first(accessor), [] {
      using M = std::remove_cvref_t<decltype(hana::second(decltype(accessor){})(std::declval<Struct&>()))>;
      return spec_of_shape<typename M::value_type, typename M::shape_type, typename M::device_type>{};
    }())...);
  });
}

// Captures f over inputs described by specs (spec<T, Dims...>, or tuples,
// pairs, arrays and kwargs(...) of them).
template <class F, class... Specs>
auto trace(F f, Specs... specs) {
  using S = std::tuple<Specs...>;
  constexpr int empty_argument = [] {
    constexpr bool empty[] = {(spec_tree::leaf_count<Specs>() == 0)..., false};
    for (std::size_t i = 0; i < sizeof...(Specs); ++i) {
      if (empty[i]) return static_cast<int>(i);
    }
    return -1;
  }();
  if constexpr (spec_tree::leaf_count<S>() == 0) {
    report<diagnostic::graph_without_tensor_inputs<F>>();
    return poison{};
  } else if constexpr (empty_argument >= 0) {
    report<diagnostic::empty_structured_input<empty_argument,
                                              std::tuple_element_t<static_cast<std::size_t>(empty_argument), S>>>();
    return poison{};
  } else {
    detail::trace_generator().manual_seed(0);  // offsets in the IR count from this trace's first draw
    detail::placeholder_memory memory;
    auto placeholders = spec_tree::map(S{specs...}, [&](auto s, auto k) {
      return detail::make_placeholder<decltype(s), decltype(k)::value>(memory);
    });
    using T = decltype(std::apply(f, placeholders));
    if constexpr ([]<class... L>(type_list<L...>) { return any_poison<L...>; }(
                      output_tree::leaf_types_t<typename detail::result_parts<T>::returned>{})) {
      return poison{};  // f reported an error while tracing
    } else {
      // Every symbol stands for 8 while tracing; an op whose run-time check
      // needs other values (N == 2*M) throws, and the graph keeps its types only.
      std::optional<T> traced;
      try {
        traced.emplace(std::apply(f, placeholders));
      } catch (const error&) {
      }
      return captured_graph<F, S, T>(std::move(f), std::move(traced), std::move(memory));
    }
  }
}

}  // namespace ctrace
