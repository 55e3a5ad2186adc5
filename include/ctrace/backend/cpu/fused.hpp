// Fused evaluation of an elementwise subtree as a straight-line program. The
// subtree (unary, binary, cast and where nodes over any operands) is flattened
// at compile time into post-order slots; per element (or packet) each slot is
// computed once from its operands' slots, so nothing in the subtree is
// evaluated twice. Operands that are the same memory read the same way (x in
// x * (x + y)) are found when the evaluator is built, and the later ones take
// the earlier one's value instead of loading it again: each distinct leaf is
// loaded once per element.
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
template <class Node, class Path, std::size_t... Operands>
struct slot {
  using node = Node;
  using where = Path;
  static constexpr bool is_operand = !is_fusable_v<Node>;
  static constexpr std::array<std::size_t, sizeof...(Operands)> operands{Operands...};
};

template <class Node, class Path, std::size_t Offset, bool Fusable = is_fusable_v<Node>>
struct flatten {
  using type = type_list<slot<Node, Path>>;
  static constexpr std::size_t size = 1;
};

template <class Node, class Path, std::size_t Offset, class Seq>
struct flatten_children;
template <class Node, class Path, std::size_t Offset, std::size_t... I>
struct flatten_children<Node, Path, Offset, std::index_sequence<I...>> {
  using children = typename Node::children_type;
  static constexpr std::array<std::size_t, sizeof...(I)> sizes{
      flatten<std::tuple_element_t<I, children>, path<>, 0>::size...};
  static constexpr std::array<std::size_t, sizeof...(I) + 1> starts = [] {
    std::array<std::size_t, sizeof...(I) + 1> s{};
    for (std::size_t i = 0; i < sizeof...(I); ++i) s[i + 1] = s[i] + sizes[i];
    return s;
  }();
  static constexpr std::size_t total = starts[sizeof...(I)];
  using type = concat_t<
      typename flatten<std::tuple_element_t<I, children>, typename extend<Path, I>::type, Offset + starts[I]>::type...,
      type_list<slot<Node, Path, (Offset + starts[I + 1] - 1)...>>>;
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
struct slot_state<slot<unary_node<Op, A>, Path, O...>, R, false> {
  using type = Op;
};
template <class Op, class A, class B, class Path, std::size_t... O, int R>
struct slot_state<slot<binary_node<Op, A, B>, Path, O...>, R, false> {
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

  template <std::size_t... K>
  static auto state_tuple(std::index_sequence<K...>) -> flat_tuple<typename fused::slot_state<slot_k<K>, R>::type...>;
  using state_type = decltype(state_tuple(std::make_index_sequence<slots>{}));

  template <std::size_t K>
  static constexpr bool slot_vectorizable() {
    if constexpr (slot_k<K>::is_operand) return evaluator<node_k<K>, R>::vectorizable;
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
      if constexpr (slot_k<K>::is_operand) return evaluator<node_k<K>, R>::leaf_count;
      else return 0;
    }());
  }
  static constexpr int leaf_count = count_leaves(std::make_index_sequence<slots>{});

  state_type state;
  // For operand slots: the earlier slot with the same memory and strides, or -1.
  std::array<int, slots> same_as{};

  fused_evaluator(const Root& root, const sizes_t<R>& iter)
      : state(make_state(root, iter, std::make_index_sequence<slots>{})) {
    same_as.fill(-1);
    find_repeated(std::make_index_sequence<slots>{});
  }

  template <class V>
  void visit_strides(V& v) {
    visit(v, std::make_index_sequence<slots>{});
  }

  template <bool Contiguous>
  struct row;
  template <bool Contiguous>
  row<Contiguous> make_row(const index_t* outer) const {
    return row<Contiguous>{make_row_state<Contiguous>(outer, std::make_index_sequence<slots>{}), same_as};
  }

 private:
  template <std::size_t K>
  static auto make_slot(const Root& root, const sizes_t<R>& iter) {
    const auto& n = fused::at(root, typename slot_k<K>::where{});
    using S = typename fused::slot_state<slot_k<K>, R>::type;
    if constexpr (slot_k<K>::is_operand) return S(n, iter);
    else if constexpr (std::is_same_v<S, std::monostate>) return S{};
    else return S(n.op);
  }
  template <std::size_t... K>
  static state_type make_state(const Root& root, const sizes_t<R>& iter, std::index_sequence<K...>) {
    return state_type{{make_slot<K>(root, iter)}...};
  }

  template <std::size_t K>
  static constexpr bool is_memory_operand() {
    if constexpr (!slot_k<K>::is_operand) return false;
    else return std::is_base_of_v<strided_reader<value_k<K>, R>, evaluator<node_k<K>, R>>;
  }
  // Marks operand K as repeating an earlier operand M of the same type that
  // reads the same memory the same way.
  template <std::size_t K, std::size_t... M>
  void find_repeat_of(std::index_sequence<M...>) {
    if constexpr (is_memory_operand<K>()) {
      const auto& mine = static_cast<const strided_reader<value_k<K>, R>&>(ctrace::get<K>(state));
      (
          [&] {
            if constexpr (is_memory_operand<M>() && std::is_same_v<value_k<M>, value_k<K>>) {
              const auto& other = static_cast<const strided_reader<value_k<M>, R>&>(ctrace::get<M>(state));
              if (same_as[K] < 0 && same_as[M] < 0 && other.data == mine.data && other.strides == mine.strides) {
                same_as[K] = static_cast<int>(M);
              }
            }
          }(),
          ...);
    }
  }
  template <std::size_t... K>
  void find_repeated(std::index_sequence<K...>) {
    (find_repeat_of<K>(std::make_index_sequence<K>{}), ...);
  }

  template <class V, std::size_t... K>
  void visit(V& v, std::index_sequence<K...>) {
    (
        [&] {
          if constexpr (slot_k<K>::is_operand) ctrace::get<K>(state).visit_strides(v);
        }(),
        ...);
  }

  template <bool Contiguous, std::size_t K>
  auto make_row_slot(const index_t* outer) const {
    if constexpr (slot_k<K>::is_operand) return ctrace::get<K>(state).template make_row<Contiguous>(outer);
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
    std::array<int, slots> same_as;

    typename Root::value_type coeff(index_t j) const {
      return run<false>(j, std::make_index_sequence<slots>{});
    }
    auto packet(index_t j) const { return run<true>(j, std::make_index_sequence<slots>{}); }

   private:
    // A slot's value, boxed by element type: a vector type used as a template
    // argument would lose its attributes (and g++ warns).
    template <class T, bool Packet>
    struct box {
      T v;
    };
    template <class T>
    struct box<T, true> {
      packet_t<T> v;
    };
    template <bool Packet, std::size_t K>
    using held_t = box<value_k<K>, Packet>;

    template <bool Packet, std::size_t... K>
    CTRACE_INLINE auto run(index_t j, std::index_sequence<K...>) const {
      flat_tuple<held_t<Packet, K>...> v{};  // zeroed: dead stores the optimizer removes
      (compute<Packet, K>(v, j), ...);
      return ctrace::get<slots - 1>(v).v;
    }

    template <bool Packet, std::size_t K, class Values>
    CTRACE_INLINE void compute(Values& v, index_t j) const {
      using N = node_k<K>;
      constexpr auto& ops = slot_k<K>::operands;
      if constexpr (slot_k<K>::is_operand) {
        load<Packet, K>(v, j, std::make_index_sequence<K>{});
      } else if constexpr (is_unary<N>()) {
        using In = value_k<ops[0]>;
        const auto& op = ctrace::get<K>(parts);
        if constexpr (Packet) ctrace::get<K>(v).v = packet_op<typename N::op_type, In>::run(op, ctrace::get<ops[0]>(v).v);
        else if constexpr (is_half_v<In>) ctrace::get<K>(v).v = convert<value_k<K>>(op(static_cast<float>(ctrace::get<ops[0]>(v).v)));
        else ctrace::get<K>(v).v = op(ctrace::get<ops[0]>(v).v);
      } else if constexpr (is_binary<N>()) {
        using In = value_k<ops[0]>;
        const auto& op = ctrace::get<K>(parts);
        if constexpr (Packet) {
          ctrace::get<K>(v).v = packet_op<typename N::op_type, In>::run(op, ctrace::get<ops[0]>(v).v, ctrace::get<ops[1]>(v).v);
        } else if constexpr (is_half_v<In>) {
          ctrace::get<K>(v).v = convert<value_k<K>>(op(static_cast<float>(ctrace::get<ops[0]>(v).v), static_cast<float>(ctrace::get<ops[1]>(v).v)));
        } else {
          ctrace::get<K>(v).v = op(ctrace::get<ops[0]>(v).v, ctrace::get<ops[1]>(v).v);
        }
      } else if constexpr (is_cast<N>()) {
        ctrace::get<K>(v).v = convert<value_k<K>>(ctrace::get<ops[0]>(v).v);
      } else {  // where
        ctrace::get<K>(v).v = ctrace::get<ops[0]>(v).v ? ctrace::get<ops[1]>(v).v : ctrace::get<ops[2]>(v).v;
      }
    }

    // An operand: its value, or the value of the earlier operand it repeats.
    template <bool Packet, std::size_t K, class Values, std::size_t... M>
    CTRACE_INLINE void load(Values& v, index_t j, std::index_sequence<M...>) const {
      if constexpr (is_memory_operand<K>() && sizeof...(M) > 0) {
        const int from = same_as[K];
        bool copied = false;
        (
            [&] {
              if constexpr (is_memory_operand<M>() && std::is_same_v<value_k<M>, value_k<K>>) {
                if (from == static_cast<int>(M)) {
                  ctrace::get<K>(v).v = ctrace::get<M>(v).v;
                  copied = true;
                }
              }
            }(),
            ...);
        if (copied) return;
      }
      if constexpr (Packet) ctrace::get<K>(v).v = ctrace::get<K>(parts).packet(j);
      else ctrace::get<K>(v).v = ctrace::get<K>(parts).coeff(j);
    }

    template <class N>
    static constexpr bool is_unary() {
      return requires { typename N::op_type; } && std::tuple_size_v<typename N::children_type> == 1 && !is_cast<N>();
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
