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

#include "ctrace/backend/cpu/packet_math.hpp"
#include "ctrace/core/type_list.hpp"
#include "ctrace/expr/binary.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/children.hpp"
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

// One slot of the program: the node and its operands' slots.
template <class Node, bool Operand, std::size_t... Operands>
struct slot {
  using node = Node;
  static constexpr bool is_operand = Operand;
  static constexpr std::array<std::size_t, sizeof...(Operands)> operands{Operands...};
};

// A fused program goes at most this deep; below, a subtree is an operand
// read through its own program (still in the same pass, no temporary). This
// keeps the compile time of long chains linear.
inline constexpr std::size_t max_program_depth = 12;

template <class Node, std::size_t Depth>
inline constexpr bool fuses_at = is_fusable_v<Node> && (Depth < max_program_depth);

// How many slots a subtree takes (computed apart from the slots themselves,
// so that each node is flattened once, at its final offset).
template <class Node, std::size_t Depth, bool Fuses = fuses_at<Node, Depth>>
inline constexpr std::size_t subtree_slots = 1;
template <class Children, std::size_t Depth>
inline constexpr std::size_t children_slots = 0;
template <class... C, std::size_t Depth>
inline constexpr std::size_t children_slots<type_list<C...>, Depth> = (subtree_slots<C, Depth> + ...);
template <class Node, std::size_t Depth>
inline constexpr std::size_t subtree_slots<Node, Depth, true> =
    1 + children_slots<children_types_t<typename Node::children_type>, Depth + 1>;

template <class Node, std::size_t Depth, std::size_t Offset, bool Fuses = fuses_at<Node, Depth>>
struct flatten {
  using type = type_list<slot<Node, true>>;
};

template <class Node, std::size_t Depth, std::size_t Offset, class Children, class Seq>
struct flatten_children;
template <class Node, std::size_t Depth, std::size_t Offset, class... C, std::size_t... I>
struct flatten_children<Node, Depth, Offset, type_list<C...>, std::index_sequence<I...>> {
  static constexpr std::array<std::size_t, sizeof...(I) + 1> starts = [] {
    constexpr std::size_t sizes[] = {subtree_slots<C, Depth + 1>...};
    std::array<std::size_t, sizeof...(I) + 1> s{};
    for (std::size_t i = 0; i < sizeof...(I); ++i) s[i + 1] = s[i] + sizes[i];
    return s;
  }();
  using type = concat_t<typename flatten<C, Depth + 1, Offset + starts[I]>::type...,
                        type_list<slot<Node, false, (Offset + starts[I + 1] - 1)...>>>;
};

template <class Node, std::size_t Depth, std::size_t Offset>
struct flatten<Node, Depth, Offset, true> {
  using kids = children_types_t<typename Node::children_type>;
  using type = typename flatten_children<Node, Depth, Offset, kids, std::make_index_sequence<kids::size>>::type;
};

template <class Root>
using program_t = typename flatten<Root, 0, 0>::type;

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

  // Interior slots whose op holds values (clamp's bounds) keep a copy of it;
  // the other ops are empty and made where they are used.
  template <std::size_t K>
  static constexpr bool op_holds_values() {
    if constexpr (slot_k<K>::is_operand || !requires { typename node_k<K>::op_type; }) {
      return false;
    } else {
      using Op = typename node_k<K>::op_type;
      return !(std::is_empty_v<Op> && std::is_default_constructible_v<Op>);
    }
  }

  // The operand slots (each read once) and the slots whose ops are kept, in
  // program order, and each slot's place among them.
  template <std::size_t... K>
  static constexpr std::array<bool, slots> operand_flags(std::index_sequence<K...>) {
    return {(slot_k<K>::is_operand && alias_of[K] == K)...};
  }
  template <std::size_t... K>
  static constexpr std::array<bool, slots> op_flags(std::index_sequence<K...>) {
    return {op_holds_values<K>()...};
  }
  static constexpr std::array<bool, slots> is_operand_slot = operand_flags(std::make_index_sequence<slots>{});
  static constexpr std::array<bool, slots> is_op_slot = op_flags(std::make_index_sequence<slots>{});
  static constexpr std::size_t count_of(const std::array<bool, slots>& flags) {
    std::size_t n = 0;
    for (bool b : flags) n += b ? 1 : 0;
    return n;
  }
  static constexpr std::array<std::size_t, slots> index_among(const std::array<bool, slots>& flags) {
    std::array<std::size_t, slots> idx{};
    std::size_t n = 0;
    for (std::size_t k = 0; k < slots; ++k) idx[k] = flags[k] ? n++ : slots;
    return idx;
  }
  template <std::size_t N>
  static constexpr std::array<std::size_t, N> slots_of(const std::array<bool, slots>& flags) {
    std::array<std::size_t, N> o{};
    std::size_t n = 0;
    for (std::size_t k = 0; k < slots; ++k) {
      if (flags[k]) o[n++] = k;
    }
    return o;
  }
  static constexpr std::size_t operand_count = count_of(is_operand_slot);
  static constexpr std::array<std::size_t, slots> operand_index = index_among(is_operand_slot);
  static constexpr std::array<std::size_t, operand_count> operand_slot = slots_of<operand_count>(is_operand_slot);
  static constexpr std::size_t op_count = count_of(is_op_slot);
  static constexpr std::array<std::size_t, slots> op_index = index_among(is_op_slot);
  static constexpr std::array<std::size_t, op_count> op_slot = slots_of<op_count>(is_op_slot);

  // State: one evaluator per operand, one copy per kept op. Members are read
  // as their indexed_member base (a cast, not a get<> function per element:
  // long programs have hundreds of them).
  template <std::size_t O>
  using operand_eval_t = evaluator<node_k<operand_slot[O]>, R>;
  template <std::size_t J>
  using op_t = typename node_k<op_slot[J]>::op_type;
  template <std::size_t... O>
  static auto operands_type(std::index_sequence<O...>) -> flat_tuple<operand_eval_t<O>...>;
  template <std::size_t... J>
  static auto ops_type(std::index_sequence<J...>) -> flat_tuple<op_t<J>...>;
  using operands_state = decltype(operands_type(std::make_index_sequence<operand_count>{}));
  using ops_state = decltype(ops_type(std::make_index_sequence<op_count>{}));

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

  template <std::size_t... O>
  static constexpr int count_leaves(std::index_sequence<O...>) {
    return (0 + ... + operand_eval_t<O>::leaf_count);
  }
  static constexpr int leaf_count = count_leaves(std::make_index_sequence<operand_count>{});

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

  operands_state operands;
  ops_state ops;

  fused_evaluator(const Root& root, const sizes_t<R>& iter) : fused_evaluator(locate(root), iter) {}

  template <class V>
  void visit_strides(V& v) {
    visit(v, std::make_index_sequence<operand_count>{});
  }

  template <bool Contiguous>
  struct row;
  template <bool Contiguous>
  row<Contiguous> make_row(const index_t* outer) const {
    return make_row<Contiguous>(outer, std::make_index_sequence<operand_count>{});
  }

 private:
  // Where each slot's node is, found in one walk of the subtree (one
  // function per interior slot; operands are recorded by their parent).
  struct node_addresses {
    const void* at[slots];
  };
  static node_addresses locate(const Root& root) {
    node_addresses a;
    gather<slots - 1>(root, a);
    return a;
  }
  template <std::size_t K>
  static void gather(const node_k<K>& n, node_addresses& a) {
    constexpr auto& kids = slot_k<K>::operands;
    a.at[K] = &n;
    if constexpr (kids.size() >= 1) {
      if constexpr (slot_k<kids[0]>::is_operand) a.at[kids[0]] = &children_of(n).c0;
      else gather<kids[0]>(children_of(n).c0, a);
    }
    if constexpr (kids.size() >= 2) {
      if constexpr (slot_k<kids[1]>::is_operand) a.at[kids[1]] = &children_of(n).c1;
      else gather<kids[1]>(children_of(n).c1, a);
    }
    if constexpr (kids.size() >= 3) {
      if constexpr (slot_k<kids[2]>::is_operand) a.at[kids[2]] = &children_of(n).c2;
      else gather<kids[2]>(children_of(n).c2, a);
    }
  }
  fused_evaluator(const node_addresses& a, const sizes_t<R>& iter)
      : fused_evaluator(a, iter, std::make_index_sequence<operand_count>{}, std::make_index_sequence<op_count>{}) {}
  template <std::size_t... O, std::size_t... J>
  fused_evaluator(const node_addresses& a, const sizes_t<R>& iter, std::index_sequence<O...>, std::index_sequence<J...>)
      : operands{{operand_eval_t<O>(*static_cast<const node_k<operand_slot[O]>*>(a.at[operand_slot[O]]), iter)}...},
        ops{{static_cast<const node_k<op_slot[J]>*>(a.at[op_slot[J]])->op}...} {}

  template <class V, std::size_t... O>
  void visit(V& v, std::index_sequence<O...>) {
    (static_cast<indexed_member<O, operand_eval_t<O>>&>(operands).value.visit_strides(v), ...);
  }

  template <bool Contiguous, std::size_t O>
  using operand_row_t = fused::operand_row_t<operand_eval_t<O>, Contiguous>;
  template <bool Contiguous, std::size_t... O>
  static auto rows_type(std::index_sequence<O...>) -> flat_tuple<operand_row_t<Contiguous, O>...>;
  template <bool Contiguous>
  using rows_t = decltype(rows_type<Contiguous>(std::make_index_sequence<operand_count>{}));

  template <bool Contiguous, std::size_t... O>
  row<Contiguous> make_row(const index_t* outer, std::index_sequence<O...>) const {
    return {rows_t<Contiguous>{{static_cast<const indexed_member<O, operand_eval_t<O>>&>(operands)
                                     .value.template make_row<Contiguous>(outer)}...},
            ops};
  }

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
  static auto values_type(std::index_sequence<O...>) -> flat_tuple<box<value_k<operand_slot[O]>, Packet>...>;
  template <bool Packet>
  using values_t = decltype(values_type<Packet>(std::make_index_sequence<operand_count>{}));

 public:
  template <bool Contiguous>
  struct row {
    rows_t<Contiguous> rows;
    ops_state ops;

    typename Root::value_type coeff(index_t j) const {
      return compute<false, slots - 1>(ops, load<false>(j, std::make_index_sequence<operand_count>{}));
    }
    auto packet(index_t j) const {
      return compute<true, slots - 1>(ops, load<true>(j, std::make_index_sequence<operand_count>{}));
    }

   private:
    // Every operand's value for element (or packet) j.
    template <bool Packet, std::size_t... O>
    CTRACE_INLINE values_t<Packet> load(index_t j, std::index_sequence<O...>) const {
      values_t<Packet> v;
      if constexpr (Packet) {
        ((static_cast<indexed_member<O, box<value_k<operand_slot[O]>, true>>&>(v).value.v =
              static_cast<const indexed_member<O, operand_row_t<Contiguous, O>>&>(rows).value.packet(j)),
         ...);
      } else {
        ((static_cast<indexed_member<O, box<value_k<operand_slot[O]>, false>>&>(v).value.v =
              static_cast<const indexed_member<O, operand_row_t<Contiguous, O>>&>(rows).value.coeff(j)),
         ...);
      }
      return v;
    }
  };

 private:
  // Slot K's value from the operands' values. The program is a tree, so
  // each interior slot has one user: computing it where it is used, by
  // recursion from the root, evaluates it once and keeps it in registers.
  // (Shared by both kinds of rows: it reads values and ops only.)
  template <std::size_t K>
  CTRACE_INLINE static auto op_of(const ops_state& ops) {
    if constexpr (is_op_slot[K]) {
      return static_cast<const indexed_member<op_index[K], typename node_k<K>::op_type>&>(ops).value;
    } else {
      return typename node_k<K>::op_type{};
    }
  }
  template <bool Packet, std::size_t K>
  CTRACE_INLINE static auto compute(const ops_state& ops, const values_t<Packet>& v) {
    using N = node_k<K>;
    constexpr auto& args = slot_k<K>::operands;
    if constexpr (slot_k<K>::is_operand) {
      constexpr std::size_t O = operand_index[alias_of[K]];
      return static_cast<const indexed_member<O, box<value_k<operand_slot[O]>, Packet>>&>(v).value.v;
    } else if constexpr (requires { N::is_cast_node; }) {
      return convert<value_k<K>>(compute<false, args[0]>(ops, v));
    } else if constexpr (requires { typename N::op_type; } && args.size() == 1) {
      using In = value_k<args[0]>;
      const auto op = op_of<K>(ops);
      if constexpr (Packet) return packet_op<typename N::op_type, In>::run(op, compute<true, args[0]>(ops, v));
      else if constexpr (is_half_v<In>) return convert<value_k<K>>(op(static_cast<float>(compute<false, args[0]>(ops, v))));
      else return op(compute<false, args[0]>(ops, v));
    } else if constexpr (requires { typename N::op_type; } && args.size() == 2) {
      using In = value_k<args[0]>;
      const auto op = op_of<K>(ops);
      if constexpr (Packet) {
        return packet_op<typename N::op_type, In>::run(op, compute<true, args[0]>(ops, v), compute<true, args[1]>(ops, v));
      } else if constexpr (is_half_v<In>) {
        return convert<value_k<K>>(
            op(static_cast<float>(compute<false, args[0]>(ops, v)), static_cast<float>(compute<false, args[1]>(ops, v))));
      } else {
        return op(compute<false, args[0]>(ops, v), compute<false, args[1]>(ops, v));
      }
    } else {  // where
      return compute<false, args[0]>(ops, v) ? compute<false, args[1]>(ops, v) : compute<false, args[2]>(ops, v);
    }
  }
};

}  // namespace ctrace::cpu_backend
