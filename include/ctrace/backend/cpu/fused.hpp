// Fused evaluation of an elementwise subtree. The subtree (unary, binary, cast
// and where nodes over any operands) is flattened at compile time into
// post-order slots; per element (or packet) the operands are read first, then
// the interior is computed from them in registers, in one pass with no
// temporaries.
//
// A graph input that occurs twice (x in x * (x + y) inside trace()) is one
// operand: its type says it is the same tensor, so it is loaded once per
// element. Two tensor leaves (eager code) may or may not be the same tensor:
// each is read, and the second read of the same address in the same
// iteration is served from L1, so memory is still read once per element.
// Skipping that read would need a run-time test per operand; measured, the
// tests cost as much as the reads they save, so the loop stays branch-free.
#pragma once

#include <array>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "ctrace/backend/cpu/packet_math.hpp"
#include "ctrace/core/type_list.hpp"
#include "ctrace/expr/binary.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/input.hpp"
#include "ctrace/expr/unary.hpp"
#include "ctrace/expr/where.hpp"

namespace ctrace::cpu_backend {

template <class Node, int R>
struct evaluator;
template <class T, int R>
struct strided_reader;

// Node kinds computed inside a fused program (everything else is an operand).
template <class Node>
inline constexpr bool is_fusable_v = false;
template <class Op, class A>
inline constexpr bool is_fusable_v<unary_node<Op, A>> = true;
template <class Op, class A, class B>
inline constexpr bool is_fusable_v<binary_node<Op, A, B>> = true;
template <class To, class A>
inline constexpr bool is_fusable_v<cast_node<To, A>> = true;
template <class C, class A, class B>
inline constexpr bool is_fusable_v<where_node<C, A, B>> = true;

namespace fused {

// Where a node sits under the root: the child index at each level.
template <std::size_t... I>
struct path {};

template <class P, std::size_t I>
struct extend;
template <std::size_t... P, std::size_t I>
struct extend<path<P...>, I> {
  using type = path<P..., I>;
};

// Follows a path from the root to a node object.
template <class Node>
const auto& at(const Node& n, path<>) {
  return n;
}
template <class Node, std::size_t I, std::size_t... Rest>
const auto& at(const Node& n, path<I, Rest...>) {
  return at(std::get<I>(n.children), path<Rest...>{});
}

// One slot of the program: the node, where it is, and its operands' slots.
template <class Node, class Path, bool Operand, std::size_t... Operands>
struct slot {
  using node = Node;
  using where = Path;
  static constexpr bool is_operand = Operand;
  static constexpr std::array<std::size_t, sizeof...(Operands)> operands{Operands...};
};

// A fused program goes at most this deep; below, a subtree is an operand
// read through its own program (still in the same pass, no temporary). This
// bounds the path types, and so keeps the compile time of long chains linear.
inline constexpr std::size_t max_program_depth = 12;

template <class P>
inline constexpr std::size_t path_length = 0;
template <std::size_t... I>
inline constexpr std::size_t path_length<path<I...>> = sizeof...(I);

template <class Node, class Path, std::size_t Offset,
          bool Fusable = is_fusable_v<Node> && (path_length<Path> < max_program_depth)>
struct flatten {
  using type = type_list<slot<Node, Path, true>>;
  static constexpr std::size_t size = 1;
};

template <class Node, class Path, std::size_t Offset, class Seq>
struct flatten_children;
template <class Node, class Path, std::size_t Offset, std::size_t... I>
struct flatten_children<Node, Path, Offset, std::index_sequence<I...>> {
  using children = typename Node::children_type;
  static constexpr std::array<std::size_t, sizeof...(I)> sizes{
      flatten<std::tuple_element_t<I, children>, typename extend<Path, I>::type, 0>::size...};
  static constexpr std::array<std::size_t, sizeof...(I) + 1> starts = [] {
    std::array<std::size_t, sizeof...(I) + 1> s{};
    for (std::size_t i = 0; i < sizeof...(I); ++i) s[i + 1] = s[i] + sizes[i];
    return s;
  }();
  static constexpr std::size_t total = starts[sizeof...(I)];
  using type = concat_t<
      typename flatten<std::tuple_element_t<I, children>, typename extend<Path, I>::type, Offset + starts[I]>::type...,
      type_list<slot<Node, Path, false, (Offset + starts[I + 1] - 1)...>>>;
};

template <class Node, class Path, std::size_t Offset>
struct flatten<Node, Path, Offset, true> {
  using kids = flatten_children<Node, Path, Offset, std::make_index_sequence<std::tuple_size_v<typename Node::children_type>>>;
  using type = typename kids::type;
  static constexpr std::size_t size = kids::total + 1;
};

template <class Root>
using program_t = typename flatten<Root, path<>, 0>::type;

// What a slot keeps while evaluating: an operand's evaluator, or the op.
template <class Slot, int R, bool Operand = Slot::is_operand>
struct slot_state {
  using type = evaluator<typename Slot::node, R>;
};
template <class Slot, int R>
struct slot_state<Slot, R, false> {
  using type = std::monostate;
};
template <class Op, class A, class Path, std::size_t... O, int R>
struct slot_state<slot<unary_node<Op, A>, Path, false, O...>, R, false> {
  using type = Op;
};
template <class Op, class A, class B, class Path, std::size_t... O, int R>
struct slot_state<slot<binary_node<Op, A, B>, Path, false, O...>, R, false> {
  using type = Op;
};

template <class N>
struct op_vectorizable : std::false_type {};
template <class Op, class A>
struct op_vectorizable<unary_node<Op, A>>
    : std::bool_constant<std::is_same_v<typename A::value_type, typename unary_node<Op, A>::value_type> &&
                         packet_op<Op, typename A::value_type>::supported> {};
template <class Op, class A, class B>
struct op_vectorizable<binary_node<Op, A, B>>
    : std::bool_constant<std::is_same_v<typename A::value_type, typename binary_node<Op, A, B>::value_type> &&
                         packet_op<Op, typename A::value_type>::supported> {};

// Reads the value the operand's evaluator hands out for a row.
template <class Eval, bool Contiguous>
using operand_row_t = decltype(std::declval<const Eval&>().template make_row<Contiguous>(nullptr));

}  // namespace fused

template <class Root, int R>
struct fused_evaluator {
  using program = fused::program_t<Root>;
  static constexpr std::size_t slots = program::size;

  template <std::size_t K>
  using slot_k = list_element_t<K, program>;
  template <std::size_t K>
  using node_k = typename slot_k<K>::node;
  template <std::size_t K>
  using value_k = typename node_k<K>::value_type;

  // A graph input (input_node<I>) is one tensor wherever it appears, so its
  // later occurrences read the first one's value: loaded once per element.
  // (Two tensor leaves may or may not be one tensor; only run time knows.)
  template <std::size_t K>
  static constexpr std::size_t first_same_input() {
    if constexpr (!slot_k<K>::is_operand || !is_input_node_v<node_k<K>>) {
      return K;
    } else {
      return []<std::size_t... J>(std::index_sequence<J...>) {
        std::size_t first = K;
        ((first = (first == K && slot_k<J>::is_operand && std::is_same_v<node_k<J>, node_k<K>>) ? J : first), ...);
        return first;
      }(std::make_index_sequence<K>{});
    }
  }
  template <std::size_t... K>
  static constexpr std::array<std::size_t, slots> alias_targets(std::index_sequence<K...>) {
    return {first_same_input<K>()...};
  }
  static constexpr std::array<std::size_t, slots> alias_of = alias_targets(std::make_index_sequence<slots>{});

  // The operand slots (each read once), in program order, and each slot's
  // place among them.
  template <std::size_t... K>
  static constexpr std::array<bool, slots> operand_flags(std::index_sequence<K...>) {
    return {(slot_k<K>::is_operand && alias_of[K] == K)...};
  }
  static constexpr std::array<bool, slots> is_operand_slot = operand_flags(std::make_index_sequence<slots>{});
  static constexpr std::size_t operand_count = [] {
    std::size_t n = 0;
    for (bool b : is_operand_slot) n += b ? 1 : 0;
    return n;
  }();
  static constexpr std::array<std::size_t, slots> operand_index = [] {
    std::array<std::size_t, slots> idx{};
    std::size_t n = 0;
    for (std::size_t k = 0; k < slots; ++k) idx[k] = is_operand_slot[k] ? n++ : slots;
    return idx;
  }();
  static constexpr std::array<std::size_t, operand_count> operand_slot = [] {
    std::array<std::size_t, operand_count> o{};
    for (std::size_t k = 0; k < slots; ++k) {
      if (is_operand_slot[k]) o[operand_index[k]] = k;
    }
    return o;
  }();

  template <std::size_t K>
  using state_k = std::conditional_t<slot_k<K>::is_operand && !is_operand_slot[K], std::monostate,
                                     typename fused::slot_state<slot_k<K>, R>::type>;
  template <std::size_t... K>
  static auto state_tuple(std::index_sequence<K...>) -> flat_tuple<state_k<K>...>;
  using state_type = decltype(state_tuple(std::make_index_sequence<slots>{}));

  template <std::size_t K>
  static constexpr bool slot_vectorizable() {
    if constexpr (slot_k<K>::is_operand && !is_operand_slot[K]) return true;  // reads another slot
    else if constexpr (slot_k<K>::is_operand) return evaluator<node_k<K>, R>::vectorizable;
    else return fused::op_vectorizable<node_k<K>>::value;
  }
  template <std::size_t... K>
  static constexpr bool all_vectorizable(std::index_sequence<K...>) {
    // Packets of one width throughout: every slot has the root's type.
    return ((slot_vectorizable<K>() && std::is_same_v<value_k<K>, typename Root::value_type>) && ...);
  }
  static constexpr bool vectorizable = all_vectorizable(std::make_index_sequence<slots>{});

  template <std::size_t... K>
  static constexpr int count_leaves(std::index_sequence<K...>) {
    return (0 + ... + [] {
      if constexpr (is_operand_slot[K]) return evaluator<node_k<K>, R>::leaf_count;
      else return 0;
    }());
  }
  static constexpr int leaf_count = count_leaves(std::make_index_sequence<slots>{});

  // Whether the program is arithmetic only (no unary functions such as tanh):
  // such loops are bound by memory, and streaming stores help them. Measured,
  // they slow down loops bound by their arithmetic, so those store normally.
  template <std::size_t... K>
  static constexpr bool arithmetic_only(std::index_sequence<K...>) {
    return (!(!slot_k<K>::is_operand && std::tuple_size_v<typename node_k<K>::children_type> == 1 &&
              requires { typename node_k<K>::op_type; }) &&
            ...);
  }
  static constexpr bool memory_bound = arithmetic_only(std::make_index_sequence<slots>{});

  state_type state;

  fused_evaluator(const Root& root, const sizes_t<R>& iter)
      : state(make_state(root, iter, std::make_index_sequence<slots>{})) {}

  template <class V>
  void visit_strides(V& v) {
    visit(v, std::make_index_sequence<slots>{});
  }

  template <bool Contiguous>
  struct row;
  template <bool Contiguous>
  row<Contiguous> make_row(const index_t* outer) const {
    return {make_row_state<Contiguous>(outer, std::make_index_sequence<slots>{})};
  }

 private:
  template <std::size_t K>
  static auto make_slot(const Root& root, const sizes_t<R>& iter) {
    const auto& n = fused::at(root, typename slot_k<K>::where{});
    using S = state_k<K>;
    if constexpr (std::is_same_v<S, std::monostate>) return S{};
    else if constexpr (slot_k<K>::is_operand) return S(n, iter);
    else return S(n.op);
  }
  template <std::size_t... K>
  static state_type make_state(const Root& root, const sizes_t<R>& iter, std::index_sequence<K...>) {
    return state_type{{make_slot<K>(root, iter)}...};
  }

  template <class V, std::size_t... K>
  void visit(V& v, std::index_sequence<K...>) {
    (
        [&] {
          if constexpr (is_operand_slot[K]) ctrace::get<K>(state).visit_strides(v);
        }(),
        ...);
  }

  template <bool Contiguous, std::size_t K>
  auto make_row_slot(const index_t* outer) const {
    if constexpr (is_operand_slot[K]) return ctrace::get<K>(state).template make_row<Contiguous>(outer);
    else return ctrace::get<K>(state);
  }
  template <bool Contiguous, std::size_t... K>
  auto make_row_state(const index_t* outer, std::index_sequence<K...>) const {
    return flat_tuple<decltype(make_row_slot<Contiguous, K>(outer))...>{{make_row_slot<Contiguous, K>(outer)}...};
  }

 public:
  template <bool Contiguous>
  struct row {
    using state_t = decltype(std::declval<const fused_evaluator&>().template make_row_state<Contiguous>(
        nullptr, std::make_index_sequence<slots>{}));
    state_t parts;

    typename Root::value_type coeff(index_t j) const { return compute<false, slots - 1>(load<false>(j)); }
    auto packet(index_t j) const { return compute<true, slots - 1>(load<true>(j)); }

   private:
    // An operand's value, boxed by element type: a vector type used as a
    // template argument would lose its attributes (and g++ warns).
    template <class T, bool Packet>
    struct box {
      T v;
    };
    template <class T>
    struct box<T, true> {
      packet_t<T> v;
    };
    template <bool Packet, std::size_t... O>
    static auto operands_type(std::index_sequence<O...>) -> flat_tuple<box<value_k<operand_slot[O]>, Packet>...>;
    template <bool Packet>
    using operands_t = decltype(operands_type<Packet>(std::make_index_sequence<operand_count>{}));

    // Every operand's value for element (or packet) j.
    template <bool Packet>
    CTRACE_INLINE operands_t<Packet> load(index_t j) const {
      return load_all<Packet>(j, std::make_index_sequence<operand_count>{});
    }
    template <bool Packet, std::size_t... O>
    CTRACE_INLINE operands_t<Packet> load_all(index_t j, std::index_sequence<O...>) const {
      operands_t<Packet> v;
      (load_one<Packet, O>(v, j), ...);
      return v;
    }
    template <bool Packet, std::size_t O>
    CTRACE_INLINE void load_one(operands_t<Packet>& v, index_t j) const {
      constexpr std::size_t K = operand_slot[O];
      if constexpr (Packet) ctrace::get<O>(v).v = ctrace::get<K>(parts).packet(j);
      else ctrace::get<O>(v).v = ctrace::get<K>(parts).coeff(j);
    }
    // Slot K's value from the operands' values. The program is a tree, so
    // each interior slot has one user: computing it where it is used, by
    // recursion from the root, evaluates it once and keeps it in registers.
    template <bool Packet, std::size_t K, class Operands>
    CTRACE_INLINE auto compute(const Operands& v) const {
      using N = node_k<K>;
      constexpr auto& ops = slot_k<K>::operands;
      if constexpr (slot_k<K>::is_operand) {
        return ctrace::get<operand_index[alias_of[K]]>(v).v;
      } else if constexpr (is_cast<N>()) {
        return convert<value_k<K>>(compute<false, ops[0]>(v));
      } else if constexpr (is_unary<N>()) {
        using In = value_k<ops[0]>;
        const auto& op = ctrace::get<K>(parts);
        if constexpr (Packet) return packet_op<typename N::op_type, In>::run(op, compute<true, ops[0]>(v));
        else if constexpr (is_half_v<In>) return convert<value_k<K>>(op(static_cast<float>(compute<false, ops[0]>(v))));
        else return op(compute<false, ops[0]>(v));
      } else if constexpr (is_binary<N>()) {
        using In = value_k<ops[0]>;
        const auto& op = ctrace::get<K>(parts);
        if constexpr (Packet) {
          return packet_op<typename N::op_type, In>::run(op, compute<true, ops[0]>(v), compute<true, ops[1]>(v));
        } else if constexpr (is_half_v<In>) {
          return convert<value_k<K>>(
              op(static_cast<float>(compute<false, ops[0]>(v)), static_cast<float>(compute<false, ops[1]>(v))));
        } else {
          return op(compute<false, ops[0]>(v), compute<false, ops[1]>(v));
        }
      } else {  // where
        return compute<false, ops[0]>(v) ? compute<false, ops[1]>(v) : compute<false, ops[2]>(v);
      }
    }

    template <class N>
    static constexpr bool is_unary() {
      return requires { typename N::op_type; } && std::tuple_size_v<typename N::children_type> == 1;
    }
    template <class N>
    static constexpr bool is_binary() {
      return requires { typename N::op_type; } && std::tuple_size_v<typename N::children_type> == 2;
    }
    template <class N>
    static constexpr bool is_cast() {
      return requires { N::is_cast_node; };
    }
  };
};

}  // namespace ctrace::cpu_backend
