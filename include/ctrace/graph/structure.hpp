// Structured inputs and outputs of captured graphs (PyTorch's pytrees): a
// leaf, std::tuple, std::pair, std::array, nested freely, and keyed inputs
// (a Boost.Hana map from compile-time strings, like a dict argument). Leaves
// are numbered depth-first, in the order they are written; keyed entries in
// the order of the spec's keys.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/at_key.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/core/is_a.hpp>
#include <boost/hana/core/to.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/accessors.hpp>
#include <boost/hana/concept/struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/keys.hpp>
#include <boost/hana/map.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/string.hpp>
#include <boost/hana/unpack.hpp>

#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/fixed_string.hpp"
#include "ctrace/core/type_list.hpp"
#include "ctrace/expr/values_indices.hpp"

namespace ctrace {

namespace hana = boost::hana;

namespace detail {
template <fixed_string Name, std::size_t... I>
constexpr auto hana_string(std::index_sequence<I...>) {
  return hana::string_c<Name.chars[I]...>;
}
}  // namespace detail

// A compile-time key: key<"lr"> is a hana::string.
template <fixed_string Name>
inline constexpr auto key = detail::hana_string<Name>(std::make_index_sequence<Name.length>{});

// One keyed entry and a set of them: kwargs(arg<"x">(a), arg<"y">(b)).
template <fixed_string Name, class V>
auto arg(V value) {
  return hana::make_pair(key<Name>, std::move(value));
}
template <class... Pairs>
auto kwargs(Pairs... pairs) {
  return hana::make_map(std::move(pairs)...);
}

template <class T>
inline constexpr bool is_std_array_v = false;
template <class T, std::size_t N>
inline constexpr bool is_std_array_v<std::array<T, N>> = true;
template <class T>
inline constexpr bool is_tuple_like_v = false;
template <class... T>
inline constexpr bool is_tuple_like_v<std::tuple<T...>> = true;
template <class A, class B>
inline constexpr bool is_tuple_like_v<std::pair<A, B>> = true;
template <class T>
inline constexpr bool is_keyed_v = hana::is_a<hana::map_tag, T>;
// A user struct reflected with Boost.Hana (BOOST_HANA_DEFINE_STRUCT): passed
// where a keyed input is expected, its members are read by name.
template <class T>
inline constexpr bool is_hana_struct_v = hana::Struct<T>::value;

template <class T>
inline constexpr bool is_values_indices_v = false;
template <class V, class I>
inline constexpr bool is_values_indices_v<values_indices<V, I>> = true;

// The structure walker: IsLeaf<T>::value says what a leaf is on this side
// (a spec, a tensor, a node).
template <template <class> class IsLeaf>
struct tree {
  template <class T>
  static constexpr std::size_t leaf_count() {
    using D = std::remove_cvref_t<T>;
    if constexpr (IsLeaf<D>::value) {
      return 1;
    } else if constexpr (is_values_indices_v<D>) {
      return leaf_count<decltype(D::values)>() + leaf_count<decltype(D::indices)>();
    } else if constexpr (is_std_array_v<D>) {
      return std::tuple_size_v<D> * leaf_count<typename D::value_type>();
    } else if constexpr (is_tuple_like_v<D>) {
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return (std::size_t{0} + ... + leaf_count<std::tuple_element_t<I, D>>());
      }(std::make_index_sequence<std::tuple_size_v<D>>{});
    } else if constexpr (is_keyed_v<D>) {
      return keyed_offset<D, key_count<D>()>();
    } else {
      static_assert(always_false<D>,
                    "ctrace: a graph's inputs and outputs are tensors (or specs), std::tuple, std::pair, "
                    "std::array and kwargs(...) of them");
      return 0;
    }
  }

  // Calls f(leaf, index_constant) for every leaf, in order.
  template <std::size_t Offset = 0, class T, class F>
  static void for_each_leaf(T&& t, F&& f) {
    using D = std::remove_cvref_t<T>;
    if constexpr (IsLeaf<D>::value) {
      f(std::forward<T>(t), std::integral_constant<std::size_t, Offset>{});
    } else if constexpr (is_values_indices_v<D>) {
      for_each_leaf<Offset>(t.values, f);
      for_each_leaf<Offset + leaf_count<decltype(D::values)>()>(t.indices, f);
    } else if constexpr (is_std_array_v<D> || is_tuple_like_v<D>) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (for_each_leaf<Offset + offset_of<D, I>()>(std::get<I>(t), f), ...);
      }(std::make_index_sequence<std::tuple_size_v<D>>{});
    } else {
      static_assert(is_keyed_v<D>);
      for_each_keyed<Offset, D>(t, f, std::make_index_sequence<key_count<D>()>{});
    }
  }

  // The same structure with each leaf replaced by g(leaf, index_constant).
  template <std::size_t Offset = 0, class T, class G>
  static auto map(T&& t, G&& g) {
    using D = std::remove_cvref_t<T>;
    if constexpr (IsLeaf<D>::value) {
      return g(std::forward<T>(t), std::integral_constant<std::size_t, Offset>{});
    } else if constexpr (is_values_indices_v<D>) {
      auto v = map<Offset>(t.values, g);
      auto i = map<Offset + leaf_count<decltype(D::values)>()>(t.indices, g);
      return values_indices<decltype(v), decltype(i)>{std::move(v), std::move(i)};
    } else if constexpr (is_std_array_v<D>) {
      // Elements that map to one type stay an array; inputs (whose index is
      // part of their type) become a tuple.
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        using E = decltype(map<Offset>(std::get<0>(t), g));
        if constexpr ((std::is_same_v<E, decltype(map<Offset + offset_of<D, I>()>(std::get<I>(t), g))> && ...)) {
          return std::array<E, sizeof...(I)>{{map<Offset + offset_of<D, I>()>(std::get<I>(t), g)...}};
        } else {
          return std::make_tuple(map<Offset + offset_of<D, I>()>(std::get<I>(t), g)...);
        }
      }(std::make_index_sequence<std::tuple_size_v<D>>{});
    } else if constexpr (is_tuple_like_v<D>) {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        if constexpr (requires { typename D::first_type; }) {
          return std::make_pair(map<Offset + offset_of<D, I>()>(std::get<I>(t), g)...);
        } else {
          return std::make_tuple(map<Offset + offset_of<D, I>()>(std::get<I>(t), g)...);
        }
      }(std::make_index_sequence<std::tuple_size_v<D>>{});
    } else {
      static_assert(is_keyed_v<D>);
      return map_keyed<Offset, D>(t, g, std::make_index_sequence<key_count<D>()>{});
    }
  }

  // The leaves, in order, as a std::tuple of copies.
  template <class T>
  static auto leaves(const T& t) {
    using D = std::remove_cvref_t<T>;
    if constexpr (IsLeaf<D>::value) {
      return std::make_tuple(t);
    } else if constexpr (is_values_indices_v<D>) {
      return std::tuple_cat(leaves(t.values), leaves(t.indices));
    } else if constexpr (is_std_array_v<D> || is_tuple_like_v<D>) {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple_cat(leaves(std::get<I>(t))...);
      }(std::make_index_sequence<std::tuple_size_v<D>>{});
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return std::tuple_cat(leaves(hana::at_key(t, key_t<D, I>{}))...);
      }(std::make_index_sequence<key_count<D>()>{});
    }
  }

  // The leaf types, in order, as a type_list.
  template <class T>
  static auto leaf_types() {
    using D = std::remove_cvref_t<T>;
    if constexpr (IsLeaf<D>::value) {
      return type_list<D>{};
    } else if constexpr (is_values_indices_v<D>) {
      return concat_t<decltype(leaf_types<decltype(D::values)>()), decltype(leaf_types<decltype(D::indices)>())>{};
    } else if constexpr (is_std_array_v<D>) {
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return concat_t<decltype(leaf_types<std::tuple_element_t<I, D>>())...>{};
      }(std::make_index_sequence<std::tuple_size_v<D>>{});
    } else if constexpr (is_tuple_like_v<D>) {
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return concat_t<decltype(leaf_types<std::tuple_element_t<I, D>>())...>{};
      }(std::make_index_sequence<std::tuple_size_v<D>>{});
    } else {
      return []<std::size_t... I>(std::index_sequence<I...>) {
        return concat_t<decltype(leaf_types<keyed_value_t<D, I>>())...>{};
      }(std::make_index_sequence<key_count<D>()>{});
    }
  }
  template <class T>
  using leaf_types_t = decltype(leaf_types<T>());

  template <class D, std::size_t I>
  static constexpr std::size_t offset_of() {
    if constexpr (is_std_array_v<D>) {
      return I * leaf_count<typename D::value_type>();
    } else {
      return []<std::size_t... J>(std::index_sequence<J...>) {
        return (std::size_t{0} + ... + leaf_count<std::tuple_element_t<J, D>>());
      }(std::make_index_sequence<I>{});
    }
  }

  // Keys of a keyed structure (hana strings: empty, usable as constants).
  template <class D>
  using keys_t = decltype(hana::keys(std::declval<const D&>()));
  template <class D>
  static constexpr std::size_t key_count() {
    return decltype(hana::length(keys_t<D>{}))::value;
  }
  template <class D, std::size_t I>
  using key_t = std::remove_cvref_t<decltype(hana::at_c<I>(keys_t<D>{}))>;
  template <class D, std::size_t I>
  using keyed_value_t = std::remove_cvref_t<decltype(hana::at_key(std::declval<const D&>(), key_t<D, I>{}))>;

  template <class D, std::size_t I>
  static constexpr std::size_t keyed_offset() {
    return []<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + leaf_count<keyed_value_t<D, J>>());
    }(std::make_index_sequence<I>{});
  }

 private:
  template <std::size_t Offset, class D, class T, class F, std::size_t... I>
  static void for_each_keyed(T&& t, F& f, std::index_sequence<I...>) {
    (for_each_leaf<Offset + keyed_offset<D, I>()>(hana::at_key(t, key_t<D, I>{}), f), ...);
  }
  template <std::size_t Offset, class D, class T, class G, std::size_t... I>
  static auto map_keyed(T&& t, G& g, std::index_sequence<I...>) {
    return hana::make_map(hana::make_pair(key_t<D, I>{}, map<Offset + keyed_offset<D, I>()>(hana::at_key(t, key_t<D, I>{}), g))...);
  }
};

}  // namespace ctrace
