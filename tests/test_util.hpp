// Helpers for tests: element-wise comparison of tensors with expected values
// that the test computed on its own (never with the code under test).
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include <ctrace/ctrace.hpp>

namespace ctrace::testing {

// All elements of t in row-major order, as double.
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

// Checks t against expected values (row-major) with a relative+absolute tolerance;
// NaN must match NaN.
template <class T, class S>
void check_close(const tensor<T, S, cpu>& t, const std::vector<double>& expected, double tol = 1e-5) {
  const auto got = to_vector(t);
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i << ": got " << got[i] << ", expected " << expected[i]);
    if (std::isnan(expected[i])) {
      CHECK(std::isnan(got[i]));
    } else if (std::isinf(expected[i])) {
      CHECK(got[i] == expected[i]);
    } else {
      CHECK(std::fabs(got[i] - expected[i]) <= tol * (1.0 + std::fabs(expected[i])));
    }
  }
}

// Expected values from a function of the row-major index.
inline std::vector<double> expected_from(std::size_t n, const std::function<double(std::size_t)>& f) {
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = f(i);
  return out;
}

// A 1-D f32[N] tensor with the given values (N = their count).
inline auto vector_n(std::initializer_list<float> v) {
  constexpr auto N = sym<"N">;
  return make_tensor<float, N>({static_cast<index_t>(v.size())}, v);
}

}  // namespace ctrace::testing
