// custom_node<Fn, K, Forward, Ins...>: output K of a user function with its
// own derivative (the counterpart of torch.autograd.Function). Fn is a type
// with
//   static auto forward(const auto&... in)            a node, or a std::tuple of nodes
//   static auto backward(const auto&... in, const auto& out, const auto& grad)
//       the gradient of each input: a node (one input) or a std::tuple; `out`
//       and `grad` are the output node and its cotangent, or std::tuples of
//       them for several outputs (a zero cotangent for outputs not in use)
// and optionally
//   static constexpr std::string_view name               shown in the IR
//   static constexpr bool differentiable(std::size_t k)   false for outputs
//       that carry no gradient (indices, masks)
// The node's children are the inputs, so the graph sees Fn as one op; its
// value is the forward expression, which the backend evaluates. The rule that
// calls backward lives in autodiff/rules/custom.hpp.
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctrace/expr/node.hpp"
#include "ctrace/expr/update.hpp"
#include "ctrace/expr/value_free.hpp"

namespace ctrace {

namespace detail {
template <class Forward>
inline constexpr bool is_tuple_v = false;
template <class... T>
inline constexpr bool is_tuple_v<std::tuple<T...>> = true;

template <std::size_t K, class Forward>
const auto& forward_output(const Forward& f) {
  if constexpr (is_tuple_v<Forward>) return std::get<K>(f);
  else return f;
}
template <std::size_t K, class Forward>
using forward_output_t = std::remove_cvref_t<decltype(forward_output<K>(std::declval<const Forward&>()))>;

template <class Fn>
constexpr std::string_view custom_name() {
  if constexpr (requires { Fn::name; }) return Fn::name;
  else return "custom";
}
}  // namespace detail

template <class Fn, std::size_t K, class Forward, class... Ins>
struct custom_node : node_base<custom_node<Fn, K, Forward, Ins...>> {
  using output_type = detail::forward_output_t<K, Forward>;
  using value_type = typename output_type::value_type;
  using shape_type = typename output_type::shape_type;
  using device_type = typename output_type::device_type;
  using children_type = std::tuple<Ins...>;
  using function_type = Fn;
  using forward_type = Forward;
  static constexpr std::size_t output = K;
  static constexpr std::size_t output_count = [] {
    if constexpr (detail::is_tuple_v<Forward>) return std::tuple_size_v<Forward>;
    else return std::size_t{1};
  }();
  static constexpr std::string_view name = detail::custom_name<Fn>();
  static constexpr promotion_priority priority = priority_of<custom_node>;

  children_type children;
  Forward forward;  // every output's expression over the inputs

  const output_type& value() const { return detail::forward_output<K>(forward); }
  auto sizes() const { return value().sizes(); }
  std::string attributes() const {
    return output_count == 1 ? std::string{} : "output=" + std::to_string(K);
  }
};

// One value per call when every output's expression is (it is rebuilt from
// the same inputs by the same Fn).
template <class Fn, std::size_t K, class Forward, class... Ins>
inline constexpr bool is_value_free_v<custom_node<Fn, K, Forward, Ins...>> = [] {
  if constexpr (detail::is_tuple_v<Forward>) {
    return []<class... O>(std::tuple<O...>*) { return (is_value_free_tree_v<O> && ...); }(static_cast<Forward*>(nullptr));
  } else {
    return is_value_free_tree_v<Forward>;
  }
}();

// An output that is a new version of a graph input (forward used an in-place
// op on it, PyTorch's mark_dirty): the custom node is that version, so the
// graph writes it back to the caller's tensor.
template <class Fn, std::size_t K, class Forward, class... Ins>
struct version_of<custom_node<Fn, K, Forward, Ins...>>
    : version_of<typename custom_node<Fn, K, Forward, Ins...>::output_type> {};
template <class Fn, std::size_t K, class Forward, class... Ins>
inline constexpr bool is_update_node_v<custom_node<Fn, K, Forward, Ins...>> =
    is_update_node_v<typename custom_node<Fn, K, Forward, Ins...>::output_type>;

template <class T>
inline constexpr bool is_custom_node_v = false;
template <class Fn, std::size_t K, class F, class... I>
inline constexpr bool is_custom_node_v<custom_node<Fn, K, F, I...>> = true;

}  // namespace ctrace
