// Helpers for the CUDA tests: host tensors of random values, their elements as
// doubles, and comparison with expected values that each test computes on its
// own (plain loops in double, never with the code under test).
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <ctrace/cuda.hpp>

namespace ctrace::testing {

// Fresh random values for every call (a new seed each time), so that a test
// cannot pass by luck of one input.
inline std::mt19937_64& test_rng() {
  static std::mt19937_64 rng(std::random_device{}());
  return rng;
}

// A host tensor of the given sizes with uniform values in [lo, hi) (integers:
// [lo, hi] rounded; bool: half true).
template <class T, class S>
tensor<T, S, cpu> random_host(const sizes_t<S::rank>& sizes, double lo = -2.0, double hi = 2.0) {
  auto t = tensor<T, S, cpu>::uninitialized(sizes);
  std::uniform_real_distribution<double> u(lo, hi);
  T* p = t.data();
  for (index_t i = 0; i < t.numel(); ++i) {
    const double v = u(test_rng());
    if constexpr (std::is_same_v<T, bool>) p[i] = v > (lo + hi) / 2;
    else if constexpr (std::is_integral_v<T>) p[i] = static_cast<T>(std::llround(v));
    else p[i] = T(v);
  }
  return t;
}

// All elements in row-major order, as double (through views' strides).
template <class T, class S>
std::vector<double> to_vector(const tensor<T, S, cpu>& t) {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(t.numel()));
  constexpr int R = S::rank;
  sizes_t<R> idx{};
  const auto v = t.strided();
  for (index_t n = 0; n < t.numel(); ++n) {
    out.push_back(static_cast<double>(static_cast<compute_type_t<T>>(*v.element(idx))));
    for (int d = R - 1; d >= 0; --d) {
      if (++idx[d] < t.sizes()[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

template <class T, class S>
std::vector<double> to_vector(const tensor<T, S, cuda>& t) {
  return to_vector(to_host(t));
}

// Values compared with a relative+absolute tolerance; NaN must match NaN.
// Reports the first mismatches only (large tensors).
inline void check_close(const std::vector<double>& got, const std::vector<double>& expected, double tol = 1e-6) {
  REQUIRE(got.size() == expected.size());
  int reported = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double e = expected[i], g = got[i];
    const bool ok = std::isnan(e) ? std::isnan(g) : std::isinf(e) ? g == e : std::fabs(g - e) <= tol * (1.0 + std::fabs(e));
    if (!ok) {
      ++bad;
      if (reported++ < 5) {
        INFO("element " << i << ": got " << g << ", expected " << e);
        CHECK(ok);
      }
    }
  }
  INFO(bad << " of " << got.size() << " elements differ");
  CHECK(bad == 0);
}

template <class T, class S, class D>
void check_close(const tensor<T, S, D>& t, const std::vector<double>& expected, double tol = 1e-6) {
  check_close(to_vector(t), expected, tol);
}

// Expected values from a function of the row-major index.
template <class F>
std::vector<double> expected_from(std::size_t n, F f) {
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = f(i);
  return out;
}

// The element at a row-major index of a host tensor, as double (views included).
template <class T, class S>
double at_index(const tensor<T, S, cpu>& t, std::size_t k) {
  constexpr int R = S::rank;
  sizes_t<R> idx{};
  for (int d = R - 1; d >= 0; --d) {
    const auto size = static_cast<std::size_t>(t.sizes()[d]);
    idx[d] = static_cast<index_t>(k % size);
    k /= size;
  }
  return static_cast<double>(static_cast<compute_type_t<T>>(*t.strided().element(idx)));
}

}  // namespace ctrace::testing
