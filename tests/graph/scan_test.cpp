// scan (jax.lax.scan): a body run once per row of xs, its trip count known
// only at run time, carrying state from step to step and stacking each
// step's output. Expected values come from plain loops in the tests.
#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;

namespace {
constexpr auto T = sym<"T">;

// A T x 3 tensor with x[t, j] = f(t, j).
template <class F>
Tensor<float, T, 3> rows_of(index_t steps, F f) {
  Tensor<float, T, 3> x(steps, 3);
  for (index_t t = 0; t < steps; ++t) {
    for (index_t j = 0; j < 3; ++j) x(t, j) = f(t, j);
  }
  return x;
}

float value_at(index_t t, index_t j) { return static_cast<float>(t + 1) * 0.5f - static_cast<float>(j); }

// The cumulative sums of rows_of(steps, value_at), computed by hand: the
// stacked running sums, row-major, and the last one.
std::pair<std::vector<double>, std::vector<double>> cumulative_sums(index_t steps, std::vector<double> start) {
  std::vector<double> stacked;
  for (index_t t = 0; t < steps; ++t) {
    for (index_t j = 0; j < 3; ++j) {
      start[static_cast<std::size_t>(j)] += value_at(t, j);
      stacked.push_back(start[static_cast<std::size_t>(j)]);
    }
  }
  return {stacked, start};
}

auto cumsum_body = [](auto total, auto x) {
  auto next = total + x;
  return std::make_pair(next, next);
};
}  // namespace

TEST_CASE("scan computes a cumulative sum, called eagerly") {
  auto xs = rows_of(4, value_at);
  auto init = make_tensor<float, 3>({1, 2, 3});
  auto [total, sums] = scan(cumsum_body, init, xs);
  static_assert(std::is_same_v<decltype(total.eval()), Tensor<float, 3>>);
  static_assert(std::is_same_v<decltype(sums.eval()), Tensor<float, T, 3>>);
  const auto [stacked, last] = cumulative_sums(4, {1, 2, 3});
  Tensor<float, T, 3> s = sums;
  CHECK(s.sizes() == sizes_t<2>{4, 3});
  check_close(s, stacked);
  check_close(total.eval(), last);
  check_close(init, {1, 2, 3});  // the init carry is never written
}

TEST_CASE("scan through trace: the trip count is each call's, the IR shows the body") {
  auto g = trace([](auto init, auto xs) { return scan(cumsum_body, init, xs); }, spec<float, 3>{},
                 spec<float, T, 3>{});
  for (index_t steps : {5, 2}) {
    auto [total, sums] = g(make_tensor<float, 3>({0, 1, 0}), rows_of(steps, value_at));
    const auto [stacked, last] = cumulative_sums(steps, {0, 1, 0});
    CHECK(sums.size(0) == steps);
    check_close(sums, stacked);
    check_close(total, last);
  }
  CHECK(g.to_text() ==
        "graph(%in0 : f32[3], %in1 : f32[T, 3]):\n"
        "  %0 : f32[3] = scan(%in1, %in0, carry=0)\n"
        "      graph(%in0 : f32[3], %in1 : f32[3]):\n"
        "        %0 : f32[3] = add(%in0, %in1)\n"
        "        return (%0, %0)\n"
        "  %1 : f32[T, 3] = scan(%in1, %in0, ys=0)\n"
        "      (body as for %0)\n"
        "  return (%0, %1)\n"
        "guards:\n"
        "  T = %in1.size(0)\n");
}

TEST_CASE("a running product and a running count: tuple carry, tuple xs, tuple y") {
  auto g = trace([](auto init, auto xs) {
    return scan([](auto carry, auto x) {
      auto [product, count] = carry;
      auto [factor, weight] = x;
      auto p = product * factor;  // f32[3]
      auto n = count + weight;    // f64[] (a zero-dim f32 does not promote it)
      return std::make_pair(std::make_tuple(p, n), std::make_tuple(p * n, n));
    }, init, xs);
  }, std::make_tuple(spec<float, 3>{}, spec<double>{}), std::make_tuple(spec<float, T, 3>{}, spec<float, T>{}));
  const index_t steps = 4;
  auto factors = rows_of(steps, [](index_t t, index_t j) { return 1.0f + 0.25f * static_cast<float>(t) - 0.5f * static_cast<float>(j); });
  Tensor<float, T> weights(steps);
  for (index_t t = 0; t < steps; ++t) weights(t) = static_cast<float>(t) + 0.5f;
  auto count0 = Tensor<double>();
  count0.fill_(10.0);
  auto [carry, ys] = g(std::make_tuple(make_tensor<float, 3>({1, 2, -1}), count0), std::make_tuple(factors, weights));
  auto [product, count] = carry;
  auto [scaled, counts] = ys;
  static_assert(std::is_same_v<decltype(count), Tensor<double>>);
  static_assert(std::is_same_v<decltype(counts), Tensor<double, T>>);

  std::vector<double> p{1, 2, -1};
  double n = 10;
  std::vector<double> scaled_expected, counts_expected;
  for (index_t t = 0; t < steps; ++t) {
    for (index_t j = 0; j < 3; ++j) p[static_cast<std::size_t>(j)] *= static_cast<double>(factors(t, j));
    n += static_cast<double>(weights(t));
    for (double v : p) scaled_expected.push_back(v * n);
    counts_expected.push_back(n);
  }
  check_close(product, p);
  CHECK(count.item() == doctest::Approx(n));
  check_close(scaled, scaled_expected);
  check_close(counts, counts_expected);
  const std::string ir = g.to_text();
  CHECK(ir.find("  %3 : f64[T] = scan(%in2, %in3, %in0, %in1, ys=1)\n      (body as for %0)\n") != std::string::npos);
}

TEST_CASE("symbolic carry dims; a reduction in the body is computed afresh at every step") {
  constexpr auto N = sym<"N">;
  // The body's sum(c) has the type of the outer sum(init) (both over input 0,
  // f32[N]): a value reused across graphs or steps would show here.
  auto g = trace([](auto init, auto xs) {
    auto [total, sums] = scan([](auto c, auto x) { return std::make_pair(c + x * sum(x), sum(c)); }, init, xs);
    return std::make_tuple(total, sums, sum(init));
  }, spec<float, N>{}, spec<float, T, N>{});
  for (index_t n : {2, 5}) {
    for (index_t steps : {3, 1}) {
      Tensor<float, N> init(n);
      Tensor<float, T, N> xs(steps, n);
      std::vector<double> c(static_cast<std::size_t>(n));
      for (index_t j = 0; j < n; ++j) c[static_cast<std::size_t>(j)] = init(j) = static_cast<float>(j) - 1.0f;
      for (index_t t = 0; t < steps; ++t) {
        for (index_t j = 0; j < n; ++j) xs(t, j) = 0.5f * static_cast<float>(t) + 0.25f * static_cast<float>(j);
      }
      const double init_sum = [&] { double s = 0; for (double v : c) s += v; return s; }();
      std::vector<double> sums_expected;
      for (index_t t = 0; t < steps; ++t) {
        double row_sum = 0, carry_sum = 0;
        for (index_t j = 0; j < n; ++j) row_sum += static_cast<double>(xs(t, j));
        for (double v : c) carry_sum += v;
        sums_expected.push_back(carry_sum);
        for (index_t j = 0; j < n; ++j) c[static_cast<std::size_t>(j)] += static_cast<double>(xs(t, j)) * row_sum;
      }
      auto [total, sums, s] = g(init, xs);
      check_close(total, c);
      check_close(sums, sums_expected);
      CHECK(s.item() == doctest::Approx(init_sum));
    }
  }
}

TEST_CASE("zero-length xs give the init carry and an empty ys") {
  auto init = make_tensor<float, 3>({4, 5, 6});
  auto [total, sums] = scan(cumsum_body, init, rows_of(0, value_at));
  Tensor<float, T, 3> s = sums;
  CHECK(s.sizes() == sizes_t<2>{0, 3});
  check_close(total.eval(), {4, 5, 6});

  auto g = trace([](auto i, auto xs) { return scan(cumsum_body, i, xs); }, spec<float, 3>{}, spec<float, T, 3>{});
  auto [t2, s2] = g(init, rows_of(0, value_at));
  check_close(t2, {4, 5, 6});
  CHECK(s2.sizes() == sizes_t<2>{0, 3});
  CHECK(t2.data() != init.data());
}

TEST_CASE("a y whose size only the body knows (a run-time slice); ys read in place by later ops") {
  auto g = trace([](auto init, auto xs) {
    auto [total, tails] = scan([](auto c, auto x) {
      return std::make_pair(c + x, slice<0>(x, 1, x.sizes()[0]));
    }, init, xs);
    return std::make_pair(total, tails * 2.0f + 1.0f);
  }, spec<float, 3>{}, spec<float, T, 3>{});
  auto xs = rows_of(3, value_at);
  auto [total, tails] = g(make_tensor<float, 3>({0, 0, 0}), xs);
  CHECK(tails.sizes() == sizes_t<2>{3, 2});
  std::vector<double> expected;
  for (index_t t = 0; t < 3; ++t) {
    for (index_t j = 1; j < 3; ++j) expected.push_back(2.0 * value_at(t, j) + 1.0);
  }
  check_close(tails, expected);
  check_close(total, cumulative_sums(3, {0, 0, 0}).second);
}

TEST_CASE("xs of different lengths are a run-time error naming both") {
  auto two_xs = [](auto c, auto x) {
    auto [a, b] = x;
    return std::make_pair(c + a * b, b);
  };
  Tensor<float, dyn> short_weights(2);
  CHECK_THROWS_WITH_AS(scan(two_xs, make_tensor<float, 3>({0, 0, 0}), std::make_tuple(rows_of(3, value_at), short_weights)),
                       doctest::Contains("scan: xs 1 has 2 rows and xs 0 has 3"), ctrace::error);
}

TEST_CASE("a scan inside a scan's body: the inner body prints nested in the outer one") {
  // x_t is 2 x 3; the inner scan runs over its two rows.
  auto g = trace([](auto init, auto xs) {
    return scan([](auto c, auto x) {
      auto [inner_total, inner_ys] = scan([](auto ic, auto r) { return std::make_pair(ic + r, ic * r); }, c, x);
      return std::make_pair(inner_total, sum(inner_ys));
    }, init, xs);
  }, spec<float, 3>{}, spec<float, T, 2, 3>{});
  Tensor<float, T, 2, 3> xs(3, 2, 3);
  for (index_t t = 0; t < 3; ++t) {
    for (index_t i = 0; i < 2; ++i) {
      for (index_t j = 0; j < 3; ++j) xs(t, i, j) = 0.1f * static_cast<float>(t * 6 + i * 3 + j) - 0.5f;
    }
  }
  std::vector<double> c{1, -1, 2}, ys_expected;
  for (index_t t = 0; t < 3; ++t) {
    double s = 0;
    for (index_t i = 0; i < 2; ++i) {
      for (std::size_t j = 0; j < 3; ++j) {
        const double x = xs(t, i, static_cast<index_t>(j));
        s += c[j] * x;
        c[j] += x;
      }
    }
    ys_expected.push_back(s);
  }
  auto [total, ys] = g(make_tensor<float, 3>({1, -1, 2}), xs);
  check_close(total, c);
  check_close(ys, ys_expected);
  CHECK(g.to_text() ==
        "graph(%in0 : f32[3], %in1 : f32[T, 2, 3]):\n"
        "  %0 : f32[3] = scan(%in1, %in0, carry=0)\n"
        "      graph(%in0 : f32[3], %in1 : f32[2, 3]):\n"
        "        %0 : f32[3] = scan(%in1, %in0, carry=0)\n"
        "            graph(%in0 : f32[3], %in1 : f32[3]):\n"
        "              %0 : f32[3] = add(%in0, %in1)\n"
        "              %1 : f32[3] = mul(%in0, %in1)\n"
        "              return (%0, %1)\n"
        "        %1 : f32[2, 3] = scan(%in1, %in0, ys=0)\n"
        "            (body as for %0)\n"
        "        %2 : f32[] = sum(%1, dims=[0, 1], keepdim=false)\n"
        "        return (%0, %2)\n"
        "  %1 : f32[T] = scan(%in1, %in0, ys=0)\n"
        "      (body as for %0)\n"
        "  return (%0, %1)\n"
        "guards:\n"
        "  T = %in1.size(0)\n");
}
