// Dimensions as types (fix<3>, poly<mono<2, symbol<'N'>>>, dyn_dim): the form
// that appears in tensor and node types. Only integers and chars are template
// arguments here, so every such type can also name a CUDA kernel (nvcc's
// registration stubs cannot spell class-type template arguments holding arrays).
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include "ctrace/core/extent.hpp"

namespace ctrace {

template <std::int64_t V>
struct fix {
  static constexpr std::int64_t value = V;
};
template <char... Chars>
struct symbol {};
template <std::int64_t Coef, class... Symbols>
struct mono {};
template <class... Monos>
struct poly {};
struct dyn_dim {};

namespace detail {

template <class Symbol>
struct symbol_value;
template <char... Chars>
struct symbol_value<symbol<Chars...>> {
  static constexpr symbol_name value{{Chars...}};
};

template <class Mono>
struct mono_value;
template <std::int64_t Coef, class... Symbols>
struct mono_value<mono<Coef, Symbols...>> {
  static constexpr extent_term value{Coef, {symbol_value<Symbols>::value...}, static_cast<int>(sizeof...(Symbols))};
};

template <class Dim>
struct dim_value;
template <std::int64_t V>
struct dim_value<fix<V>> {
  static constexpr extent value = make_extent(V);
};
template <class... Monos>
struct dim_value<poly<Monos...>> {
  static constexpr extent value{{mono_value<Monos>::value...}, static_cast<int>(sizeof...(Monos)), false};
};
template <>
struct dim_value<dyn_dim> {
  static constexpr extent value = dyn;
};

template <extent E, int T, int S, std::size_t... I>
auto make_symbol_type(std::index_sequence<I...>) -> symbol<E.terms[T].symbols[S].chars[I]...>;

template <extent E, int T, std::size_t... S>
auto make_mono_type(std::index_sequence<S...>)
    -> mono<E.terms[T].coef,
            decltype(make_symbol_type<E, T, static_cast<int>(S)>(
                std::make_index_sequence<static_cast<std::size_t>(E.terms[T].symbols[S].length())>{}))...>;

template <extent E, std::size_t... T>
auto make_poly_type(std::index_sequence<T...>)
    -> poly<decltype(make_mono_type<E, static_cast<int>(T)>(
        std::make_index_sequence<static_cast<std::size_t>(E.terms[T].count)>{}))...>;

template <extent E>
auto make_dim_type() {
  if constexpr (E.is_dynamic()) {
    return dyn_dim{};
  } else if constexpr (E.is_static()) {
    return fix<E.value()>{};
  } else {
    return decltype(make_poly_type<E>(std::make_index_sequence<static_cast<std::size_t>(E.term_count)>{})){};
  }
}

}  // namespace detail

// The extent value of a dim type, and the canonical dim type of an extent value.
template <class Dim>
inline constexpr extent extent_of = detail::dim_value<Dim>::value;

namespace detail {
// Static and dynamic dims are named directly, not through make_dim_type's
// decltype: nvcc's host-code generator re-spells a decltype of a call that
// takes a class-type template argument (the extent) in a form the host
// compiler cannot read, so `tensor<float, shape_of<2, 3>>` in a .cu source
// would not compile.
template <int Kind, std::int64_t Value>
struct plain_dim_type {
  using type = fix<Value>;
};
template <std::int64_t Value>
struct plain_dim_type<0, Value> {
  using type = dyn_dim;
};
template <bool Symbolic, extent E>
struct dim_type_of {
  using type = typename plain_dim_type<E.is_dynamic() ? 0 : 1, E.is_dynamic() ? 0 : E.value()>::type;
};
template <extent E>
struct dim_type_of<true, E> {
  using type = decltype(make_dim_type<E>());
};
template <extent E>
struct dim_type {
  using type = typename dim_type_of<!E.is_dynamic() && !E.is_static(), E>::type;
};
}  // namespace detail

template <extent E>
using dim_t = typename detail::dim_type<E>::type;

template <class Dim>
inline constexpr bool is_static_dim = extent_of<Dim>.is_static();

}  // namespace ctrace
