// Joining ops users call: cat and stack, of operands listed in the call
// (static extents: cat of [N, 3] and [M, 3] is [N + M, 3]) or of a run-time
// list of tensors (std::vector, std::span, std::array: the joined dim is dyn).
#pragma once

#include <cstddef>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctrace/api/elementwise.hpp"
#include "ctrace/core/axis.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/promotion.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/cat.hpp"
#include "ctrace/expr/join_list.hpp"
#include "ctrace/expr/join_shape.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/stack.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

// A contiguous run-time list of tensors of one type (vector, span, array).
template <class L>
concept tensor_list = std::ranges::contiguous_range<L> && std::ranges::sized_range<L> &&
                      tensor_type<std::ranges::range_value_t<L>>;

namespace detail {

// The element type of a join: every operand's type promoted together (torch.cat).
template <class... Ns>
constexpr dtype join_dtype() {
  constexpr dtype types[] = {dtype_of<typename Ns::value_type>...};
  dtype r = types[0];
  for (dtype t : types) r = promote_types(r, t);
  return r;
}

// cat (Op = op::cat) or stack (op::stack) of nodes; Axis as the user gave it.
template <class Op, int Axis, class... Ns>
auto make_join(Ns... ns) {
  constexpr bool is_stack = std::is_same_v<Op, op::stack>;
  if constexpr (any_poison<Ns...>) {
    return poison{};
  } else {
    constexpr int rank = std::tuple_element_t<0, std::tuple<Ns...>>::shape_type::rank;
    // stack's new axis may also stand after the last dim.
    constexpr int axis_rank = is_stack ? rank + 1 : rank;
    if constexpr (!axis_in_range<Op, Axis, axis_rank>) {
      normalize_axis<Op, Axis, axis_rank>();  // reports axis_out_of_range
      return poison{};
    } else {
      constexpr int a = normalize_axis<Op, Axis, axis_rank>();
      using join = join_shapes<Op, is_stack ? -1 : a, typename Ns::shape_type...>;
      using D = common_device_t<typename Ns::device_type...>;
      if constexpr (!join::checked) {
        return poison{};
      } else if constexpr (std::is_void_v<D>) {
        static_assert(always_false<Op>, "ctrace: cat/stack operands live on different devices (cpu and cuda)");
        return poison{};
      } else {
        using T = type_of<join_dtype<Ns...>()>;
        constexpr index_t count = static_cast<index_t>(sizeof...(Ns));
        const sizes_t<rank> parts[] = {ns.sizes()...};
        const auto joined = join_sizes<rank>(Op::name.data(), parts, count, is_stack ? -1 : a);
        if constexpr (is_stack) {
          using node = stack_node<a, decltype(cast_to<T>(std::move(ns)))...>;
          sizes_t<rank + 1> sizes{};
          for (int d = 0, j = 0; d < rank + 1; ++d) sizes[d] = d == a ? count : joined[j++];
          return node{{}, {cast_to<T>(std::move(ns))...}, sizes};
        } else {
          using node = cat_node<a, decltype(cast_to<T>(std::move(ns)))...>;
          return node{{}, {cast_to<T>(std::move(ns))...}, joined};
        }
      }
    }
  }
}

// cat or stack of a run-time list; the list must not be empty.
template <class Op, int Axis, class L>
auto make_join_list(const L& list) {
  using X = std::remove_cvref_t<std::ranges::range_value_t<L>>;
  using T = typename X::value_type;
  using S = typename X::shape_type;
  using D = typename X::device_type;
  constexpr bool is_stack = std::is_same_v<Op, op::stack>;
  constexpr int rank = S::rank;
  constexpr int axis_rank = is_stack ? rank + 1 : rank;
  if constexpr (!axis_in_range<Op, Axis, axis_rank>) {
    normalize_axis<Op, Axis, axis_rank>();  // reports axis_out_of_range
    return poison{};
  } else {
    constexpr int a = normalize_axis<Op, Axis, axis_rank>();
    using node = join_list_node<Op, a, T, S, D>;
    const index_t count = static_cast<index_t>(std::ranges::size(list));
    if (count == 0) raise(Op::name, ": expected a non-empty list of tensors");
    std::vector<X> parts(std::ranges::begin(list), std::ranges::end(list));
    std::vector<sizes_t<rank>> sizes;
    sizes.reserve(parts.size());
    for (const X& p : parts) sizes.push_back(p.sizes());
    const auto joined = join_sizes<rank>(Op::name.data(), sizes.data(), count, is_stack ? -1 : a);
    sizes_t<node::shape_type::rank> result{};
    if constexpr (is_stack) {
      for (int d = 0, j = 0; d < rank + 1; ++d) result[d] = d == a ? count : joined[j++];
    } else {
      result = joined;
    }
    return node{{}, std::move(parts), result};
  }
}

}  // namespace detail

// torch.cat((xs...), Axis): the operands end to end along Axis. They must have
// one rank and agree in every other dim (static disagreement is a compile
// error, shape_mismatch<cat, axis, lhs, rhs>; symbols are checked at run time).
// Element types are promoted together as torch.cat does.
template <int Axis, tensor_operand... Xs>
  requires(sizeof...(Xs) > 0)
auto cat(Xs&&... xs) {
  return detail::make_join<op::cat, Axis>(to_node(std::forward<Xs>(xs))...);
}

// torch.cat(list, Axis) for a run-time list: dim Axis of the result is dyn.
// An empty list throws ctrace::error.
template <int Axis, tensor_list L>
auto cat(const L& list) {
  return detail::make_join_list<op::cat, Axis>(list);
}

// torch.stack((xs...), Axis): operands of equal shape joined along a new dim
// Axis (in [-rank - 1, rank]) whose extent is the number of operands.
template <int Axis, tensor_operand... Xs>
  requires(sizeof...(Xs) > 0)
auto stack(Xs&&... xs) {
  return detail::make_join<op::stack, Axis>(to_node(std::forward<Xs>(xs))...);
}

// torch.stack(list, Axis) for a run-time list: the new dim is dyn. An empty
// list throws ctrace::error.
template <int Axis, tensor_list L>
auto stack(const L& list) {
  return detail::make_join_list<op::stack, Axis>(list);
}

}  // namespace ctrace
