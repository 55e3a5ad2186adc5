// Element types: the dtype enum, its C++ types, names, and categories.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

#include "ctrace/core/half.hpp"

namespace ctrace {

enum class dtype : std::uint8_t { b8, i32, i64, f16, bf16, f32, f64 };

template <class T>
inline constexpr bool is_dtype_v = std::is_same_v<T, bool> || std::is_same_v<T, std::int32_t> ||
                                   std::is_same_v<T, std::int64_t> || std::is_same_v<T, f16> ||
                                   std::is_same_v<T, bf16> || std::is_same_v<T, float> ||
                                   std::is_same_v<T, double>;

// A C++ type that a tensor can hold.
template <class T>
concept element_type = is_dtype_v<T>;

template <element_type T>
inline constexpr dtype dtype_of = std::is_same_v<T, bool>           ? dtype::b8
                                  : std::is_same_v<T, std::int32_t> ? dtype::i32
                                  : std::is_same_v<T, std::int64_t> ? dtype::i64
                                  : std::is_same_v<T, f16>          ? dtype::f16
                                  : std::is_same_v<T, bf16>         ? dtype::bf16
                                  : std::is_same_v<T, float>        ? dtype::f32
                                                                    : dtype::f64;

namespace detail {
template <dtype D>
struct type_of_dtype;
template <> struct type_of_dtype<dtype::b8> { using type = bool; };
template <> struct type_of_dtype<dtype::i32> { using type = std::int32_t; };
template <> struct type_of_dtype<dtype::i64> { using type = std::int64_t; };
template <> struct type_of_dtype<dtype::f16> { using type = f16; };
template <> struct type_of_dtype<dtype::bf16> { using type = bf16; };
template <> struct type_of_dtype<dtype::f32> { using type = float; };
template <> struct type_of_dtype<dtype::f64> { using type = double; };
}  // namespace detail

template <dtype D>
using type_of = typename detail::type_of_dtype<D>::type;

// Short names as in the IR: f32[2, 3].
constexpr std::string_view dtype_name(dtype d) {
  switch (d) {
    case dtype::b8: return "bool";
    case dtype::i32: return "i32";
    case dtype::i64: return "i64";
    case dtype::f16: return "f16";
    case dtype::bf16: return "bf16";
    case dtype::f32: return "f32";
    case dtype::f64: return "f64";
  }
  return "?";
}

enum class dtype_category : std::uint8_t { boolean = 0, integral = 1, floating = 2 };

constexpr dtype_category category_of(dtype d) {
  switch (d) {
    case dtype::b8: return dtype_category::boolean;
    case dtype::i32:
    case dtype::i64: return dtype_category::integral;
    default: return dtype_category::floating;
  }
}

template <class T>
inline constexpr bool is_floating_dtype_v = element_type<T> && category_of(dtype_of<T>) == dtype_category::floating;
template <class T>
inline constexpr bool is_integral_dtype_v = element_type<T> && category_of(dtype_of<T>) == dtype_category::integral;
template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, f16> || std::is_same_v<T, bf16>;

// The type scalar arithmetic is done in: half types compute in float.
template <class T>
using compute_type_t = std::conditional_t<is_half_v<T>, float, T>;

// Converts between element types (bool from a value is "non-zero").
template <class To, class From>
CTRACE_HOST_DEVICE constexpr To convert(const From& v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return static_cast<compute_type_t<From>>(v) != compute_type_t<From>(0);
  } else if constexpr (is_half_v<To>) {
    return To(static_cast<float>(static_cast<compute_type_t<From>>(v)));
  } else if constexpr (std::is_integral_v<To> && !std::is_integral_v<compute_type_t<From>>) {
    // Saturating float-to-integer: NaN gives 0, out of range gives the limit
    // (a plain cast is undefined behaviour there).
    const compute_type_t<From> x = static_cast<compute_type_t<From>>(v);
    if (!(x == x)) return To(0);
    if (x <= static_cast<compute_type_t<From>>(std::numeric_limits<To>::lowest())) return std::numeric_limits<To>::lowest();
    if (x >= static_cast<compute_type_t<From>>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(static_cast<compute_type_t<From>>(v));
  }
}

}  // namespace ctrace
