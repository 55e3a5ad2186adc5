// A compile-time list of types and the few operations the library needs on it.
#pragma once

#include <cstddef>
#include <tuple>
#include <utility>

namespace ctrace {

template <class... T>
struct type_list {
  static constexpr std::size_t size = sizeof...(T);
};

namespace detail {
template <class... Lists>
struct concat_lists;
template <>
struct concat_lists<> {
  using type = type_list<>;
};
template <class... A>
struct concat_lists<type_list<A...>> {
  using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat_lists<type_list<A...>, type_list<B...>, Rest...> {
  using type = typename concat_lists<type_list<A..., B...>, Rest...>::type;
};
template <std::size_t I, class List>
struct list_element;
template <std::size_t I, class... T>
struct list_element<I, type_list<T...>> {
  using type = std::tuple_element_t<I, std::tuple<T...>>;
};
}  // namespace detail

template <class... Lists>
using concat_t = typename detail::concat_lists<Lists...>::type;

// The I-th type of a list.
template <std::size_t I, class List>
using list_element_t = typename detail::list_element<I, List>::type;

}  // namespace ctrace

namespace ctrace {

// A tuple without recursion: one base per element, found by its index. Cheaper
// to compile than std::tuple for the long, short-lived tuples that fused
// programs use.
template <std::size_t I, class T>
struct indexed_member {
  T value;
};

template <class Seq, class... T>
struct flat_tuple_impl;
template <std::size_t... I, class... T>
struct flat_tuple_impl<std::index_sequence<I...>, T...> : indexed_member<I, T>... {};

template <class... T>
using flat_tuple = flat_tuple_impl<std::index_sequence_for<T...>, T...>;

template <std::size_t I, class T>
inline T& get(indexed_member<I, T>& m) {
  return m.value;
}
template <std::size_t I, class T>
inline const T& get(const indexed_member<I, T>& m) {
  return m.value;
}

}  // namespace ctrace
