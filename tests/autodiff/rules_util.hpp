// Helpers of the derivative-rule tests (rules_*_test.cpp): inputs that stay
// away from kinks, and a gradcheck assertion that prints where it failed.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>

// gradcheck(g, inputs...) must pass; on failure the message names the input,
// the element and both derivatives.
#define CHECK_GRADCHECK(...)                          \
  do {                                                \
    const auto gc_result_ = ::ctrace::gradcheck(__VA_ARGS__); \
    INFO(gc_result_.message());                       \
    CHECK(gc_result_.passed);                         \
  } while (false)

namespace ctrace::testing {

// n values evenly spaced over (lo, hi), none at either end, in a scrambled
// order (k -> p k mod n, p >= 7 coprime to n, so every value once): no
// ties, no two neighbours alike, and with lo = -hi no zero when n is even.
template <class T, class S>
void spread(tensor<T, S, cpu>& t, double lo, double hi) {
  const index_t n = t.numel();
  index_t p = 7;
  while (n > 1 && std::gcd(p, n) != 1) ++p;
  for (index_t k = 0; k < n; ++k) {
    const double step = static_cast<double>((k * p) % n) + 0.5;
    t.data()[k] = static_cast<T>(lo + (hi - lo) * step / static_cast<double>(n));
  }
}

template <class T, auto... Dims>
tensor<T, shape_of<Dims...>, cpu> spread_tensor(double lo, double hi) {
  tensor<T, shape_of<Dims...>, cpu> t;
  spread(t, lo, hi);
  return t;
}

// The same with run-time sizes (symbolic dims).
template <class T, auto... Dims>
tensor<T, shape_of<Dims...>, cpu> spread_tensor(const sizes_t<sizeof...(Dims)>& sizes, double lo, double hi) {
  tensor<T, shape_of<Dims...>, cpu> t(sizes);
  spread(t, lo, hi);
  return t;
}

}  // namespace ctrace::testing
