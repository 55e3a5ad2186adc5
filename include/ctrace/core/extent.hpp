// Extents as compile-time values: a static integer, a polynomial over named
// symbols (2*N, N + M, N*M) in a canonical form, or an unnamed dynamic size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ctrace/core/fixed_string.hpp"

namespace ctrace {

inline constexpr int max_symbol_length = 15;
inline constexpr int max_extent_terms = 4;
inline constexpr int max_term_symbols = 3;

namespace detail {
// Called only when a constant expression goes wrong: the compiler then names
// the function in its diagnostic, which reads as the reason.
inline void symbol_name_must_be_1_to_15_identifier_characters() {}
inline void extent_has_more_than_4_terms_or_3_symbols_in_a_product() {}
inline void extent_value_requires_a_static_extent() {}
}  // namespace detail

// A symbol's name, zero padded; structural so that extents can be template arguments.
struct symbol_name {
  char chars[max_symbol_length + 1]{};

  constexpr bool operator==(const symbol_name&) const = default;
  constexpr int length() const {
    int n = 0;
    while (n < max_symbol_length && chars[n] != 0) ++n;
    return n;
  }
  constexpr std::string_view view() const { return {chars, static_cast<std::size_t>(length())}; }
};

constexpr int compare(const symbol_name& a, const symbol_name& b) {
  for (int i = 0; i <= max_symbol_length; ++i) {
    if (a.chars[i] != b.chars[i]) return a.chars[i] < b.chars[i] ? -1 : 1;
  }
  return 0;
}

// coef * symbols[0] * ... * symbols[count-1]; symbols sorted, repeats allowed (N*N).
// Members start at zero (nvcc's front end refuses constants with any member
// left uninitialized).
struct extent_term {
  std::int64_t coef = 0;
  symbol_name symbols[max_term_symbols]{};
  int count = 0;

  constexpr bool operator==(const extent_term&) const = default;
};

// Sum of terms in canonical order; `dynamic` marks a size known only at run time
// that has no name (a slice with run-time bounds, the result of masked_select).
// Unused slots are always zero, so the defaulted == is structural equality.
struct extent {
  extent_term terms[max_extent_terms]{};
  int term_count = 0;
  bool dynamic = false;

  constexpr bool operator==(const extent&) const = default;

  constexpr bool is_dynamic() const { return dynamic; }
  constexpr bool is_static() const {
    return !dynamic && (term_count == 0 || (term_count == 1 && terms[0].count == 0));
  }
  constexpr bool is_symbolic() const { return !dynamic && !is_static(); }
  constexpr std::int64_t value() const {
    if (!is_static()) detail::extent_value_requires_a_static_extent();
    return term_count == 0 ? 0 : terms[0].coef;
  }
};

namespace detail {

constexpr int compare_terms_by_symbols(const extent_term& a, const extent_term& b) {
  // Higher degree first, then names: "N*M + 2*N + 3" reads naturally.
  if (a.count != b.count) return a.count > b.count ? -1 : 1;
  for (int i = 0; i < a.count; ++i) {
    int c = compare(a.symbols[i], b.symbols[i]);
    if (c != 0) return c;
  }
  return 0;
}

constexpr void sort_symbols(extent_term& t) {
  for (int i = 1; i < t.count; ++i) {
    for (int j = i; j > 0 && compare(t.symbols[j], t.symbols[j - 1]) < 0; --j) {
      symbol_name tmp = t.symbols[j];
      t.symbols[j] = t.symbols[j - 1];
      t.symbols[j - 1] = tmp;
    }
  }
  for (int i = t.count; i < max_term_symbols; ++i) t.symbols[i] = symbol_name{};
}

// Canonical form: symbols sorted in each term, terms sorted, like terms merged,
// zero terms dropped, unused slots cleared.
constexpr extent normalize(const extent_term* in, int n) {
  extent_term work[max_extent_terms * max_extent_terms]{};
  int count = 0;
  for (int i = 0; i < n; ++i) {
    if (in[i].coef == 0) continue;
    extent_term t = in[i];
    sort_symbols(t);
    int j = 0;
    while (j < count && compare_terms_by_symbols(work[j], t) != 0) ++j;
    if (j < count) {
      work[j].coef += t.coef;
    } else {
      work[count++] = t;
    }
  }
  extent out{};
  for (int i = 0; i < count; ++i) {
    if (work[i].coef == 0) continue;
    if (out.term_count == max_extent_terms) {
      extent_has_more_than_4_terms_or_3_symbols_in_a_product();
      return out;
    }
    out.terms[out.term_count++] = work[i];
  }
  for (int i = 1; i < out.term_count; ++i) {
    for (int j = i; j > 0 && compare_terms_by_symbols(out.terms[j], out.terms[j - 1]) < 0; --j) {
      extent_term tmp = out.terms[j];
      out.terms[j] = out.terms[j - 1];
      out.terms[j - 1] = tmp;
    }
  }
  return out;
}

constexpr extent dynamic_extent() {
  extent e{};
  e.dynamic = true;
  return e;
}

}  // namespace detail

constexpr extent make_extent(std::int64_t value) {
  extent e{};
  if (value != 0) {
    e.term_count = 1;
    e.terms[0].coef = value;
  }
  return e;
}

constexpr extent to_extent(extent e) { return e; }
constexpr extent to_extent(std::int64_t v) { return make_extent(v); }
constexpr extent to_extent(int v) { return make_extent(v); }
constexpr extent to_extent(long long v) { return make_extent(static_cast<std::int64_t>(v)); }
constexpr extent to_extent(unsigned v) { return make_extent(static_cast<std::int64_t>(v)); }
constexpr extent to_extent(unsigned long v) { return make_extent(static_cast<std::int64_t>(v)); }

template <std::size_t N>
constexpr extent make_symbol(const char (&name)[N]) {
  extent e{};
  if (N < 2 || N - 1 > max_symbol_length) detail::symbol_name_must_be_1_to_15_identifier_characters();
  for (std::size_t i = 0; i + 1 < N; ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) detail::symbol_name_must_be_1_to_15_identifier_characters();
    e.terms[0].symbols[0].chars[i] = c;
  }
  e.term_count = 1;
  e.terms[0].coef = 1;
  e.terms[0].count = 1;
  return e;
}

// A named symbolic size: `constexpr auto N = sym<"N">;  Tensor<float, N, 3> x;`
template <fixed_string Name>
inline constexpr extent sym = make_symbol(Name.chars);

// A size known only at run time, with no name.
inline constexpr extent dyn = detail::dynamic_extent();

constexpr extent operator+(const extent& a, const extent& b) {
  if (a.dynamic || b.dynamic) return detail::dynamic_extent();
  extent_term all[2 * max_extent_terms]{};
  int n = 0;
  for (int i = 0; i < a.term_count; ++i) all[n++] = a.terms[i];
  for (int i = 0; i < b.term_count; ++i) all[n++] = b.terms[i];
  return detail::normalize(all, n);
}

constexpr extent operator-(const extent& a) {
  if (a.dynamic) return a;
  extent r = a;
  for (int i = 0; i < r.term_count; ++i) r.terms[i].coef = -r.terms[i].coef;
  return r;
}

constexpr extent operator-(const extent& a, const extent& b) { return a + (-b); }

constexpr extent operator*(const extent& a, const extent& b) {
  if (a.dynamic || b.dynamic) return detail::dynamic_extent();
  extent_term all[max_extent_terms * max_extent_terms]{};
  int n = 0;
  for (int i = 0; i < a.term_count; ++i) {
    for (int j = 0; j < b.term_count; ++j) {
      extent_term t{};
      t.coef = a.terms[i].coef * b.terms[j].coef;
      if (a.terms[i].count + b.terms[j].count > max_term_symbols) {
        detail::extent_has_more_than_4_terms_or_3_symbols_in_a_product();
        return detail::dynamic_extent();
      }
      for (int k = 0; k < a.terms[i].count; ++k) t.symbols[t.count++] = a.terms[i].symbols[k];
      for (int k = 0; k < b.terms[j].count; ++k) t.symbols[t.count++] = b.terms[j].symbols[k];
      all[n++] = t;
    }
  }
  return detail::normalize(all, n);
}

constexpr extent operator+(const extent& a, std::int64_t b) { return a + make_extent(b); }
constexpr extent operator+(std::int64_t a, const extent& b) { return make_extent(a) + b; }
constexpr extent operator-(const extent& a, std::int64_t b) { return a - make_extent(b); }
constexpr extent operator-(std::int64_t a, const extent& b) { return make_extent(a) - b; }
constexpr extent operator*(const extent& a, std::int64_t b) { return a * make_extent(b); }
constexpr extent operator*(std::int64_t a, const extent& b) { return make_extent(a) * b; }

// Equal for every value of the symbols: decided at compile time.
constexpr bool provably_equal(const extent& a, const extent& b) { return !a.dynamic && !b.dynamic && a == b; }
// Different for every value of the symbols; only claimed when both are static.
constexpr bool provably_different(const extent& a, const extent& b) {
  return a.is_static() && b.is_static() && a.value() != b.value();
}

// a / b when b divides a for every value of the symbols, else a dynamic extent
// (checked at run time by whoever asked). Exact for a static or monomial divisor.
constexpr extent divide_exact(const extent& a, const extent& b) {
  if (a.dynamic || b.dynamic || b.term_count != 1) return detail::dynamic_extent();
  const extent_term& d = b.terms[0];
  if (d.coef == 0) return detail::dynamic_extent();
  extent_term out[max_extent_terms]{};
  for (int i = 0; i < a.term_count; ++i) {
    const extent_term& t = a.terms[i];
    if (t.coef % d.coef != 0) return detail::dynamic_extent();
    extent_term q{};
    q.coef = t.coef / d.coef;
    bool used[max_term_symbols]{};
    for (int k = 0; k < d.count; ++k) {
      int found = -1;
      for (int m = 0; m < t.count; ++m) {
        if (!used[m] && t.symbols[m] == d.symbols[k]) {
          found = m;
          break;
        }
      }
      if (found < 0) return detail::dynamic_extent();
      used[found] = true;
    }
    for (int m = 0; m < t.count; ++m) {
      if (!used[m]) q.symbols[q.count++] = t.symbols[m];
    }
    out[i] = q;
  }
  return detail::normalize(out, a.term_count);
}

inline std::string to_string(const extent& e) {
  if (e.dynamic) return "?";
  if (e.term_count == 0) return "0";
  std::string s;
  for (int i = 0; i < e.term_count; ++i) {
    const extent_term& t = e.terms[i];
    std::int64_t c = t.coef;
    if (i > 0) {
      s += c < 0 ? " - " : " + ";
      if (c < 0) c = -c;
    } else if (c < 0 && t.count > 0 && c == -1) {
      s += "-";
      c = 1;
    }
    bool wrote = false;
    if (c != 1 || t.count == 0) {
      s += std::to_string(c);
      wrote = true;
    }
    for (int k = 0; k < t.count; ++k) {
      if (wrote) s += "*";
      s += t.symbols[k].view();
      wrote = true;
    }
  }
  return s;
}

}  // namespace ctrace
