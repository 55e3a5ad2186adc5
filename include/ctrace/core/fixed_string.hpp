// A string literal usable as a template argument: sym<"N">, keys of structured inputs.
#pragma once

#include <cstddef>
#include <string_view>

namespace ctrace {

template <std::size_t N>
struct fixed_string {
  char chars[N]{};

  constexpr fixed_string(const char (&text)[N]) {
    for (std::size_t i = 0; i < N; ++i) chars[i] = text[i];
  }
  static constexpr std::size_t length = N - 1;
  constexpr std::string_view view() const { return {chars, N - 1}; }
  template <std::size_t M>
  constexpr bool operator==(const fixed_string<M>& other) const {
    return view() == other.view();
  }
};

}  // namespace ctrace
