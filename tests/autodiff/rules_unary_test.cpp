// gradcheck of every elementwise function's derivative rule
// (autodiff/rules/unary.hpp), each on inputs inside its domain and away
// from its kinks; the rounding ops and detach give no gradient at all.
#include <doctest/doctest.h>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::spread_tensor;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("rules: neg, abs, exp, expm1") {
  auto x = spread_tensor<double, 3, 4>(-2, 2);  // no zero: abs has its kink there
  CHECK_GRADCHECK(trace([](auto a) { return -a; }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return abs(a); }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return exp(a); }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return expm1(a); }, spec<double, 3, 4>{}), x);
}

TEST_CASE("rules: log, log1p, sqrt, rsqrt on their domains") {
  auto pos = spread_tensor<double, 3, 4>(0.3, 3);
  auto above_minus_one = spread_tensor<double, 3, 4>(-0.8, 2);
  CHECK_GRADCHECK(trace([](auto a) { return log(a); }, spec<double, 3, 4>{}), pos);
  CHECK_GRADCHECK(trace([](auto a) { return log1p(a); }, spec<double, 3, 4>{}), above_minus_one);
  CHECK_GRADCHECK(trace([](auto a) { return sqrt(a); }, spec<double, 3, 4>{}), pos);
  CHECK_GRADCHECK(trace([](auto a) { return rsqrt(a); }, spec<double, 3, 4>{}), pos);
}

TEST_CASE("rules: sin, cos, tanh, sigmoid (symbolic dim, scalar output)") {
  auto x = spread_tensor<double, N, 4>({3, 4}, -2.5, 2.5);
  CHECK_GRADCHECK(trace([](auto a) { return sum(sin(a) * a); }, spec<double, N, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return sum(cos(a) * a); }, spec<double, N, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return tanh(a); }, spec<double, N, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return sigmoid(a); }, spec<double, N, 4>{}), x);
}

TEST_CASE("rules: relu, erf, gelu, gelu_tanh, silu") {
  auto x = spread_tensor<double, 3, 4>(-3, 3);  // relu's kink at 0 is not among them
  CHECK_GRADCHECK(trace([](auto a) { return relu(a); }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return erf(a); }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return gelu(a); }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return gelu_tanh(a); }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return silu(a); }, spec<double, 3, 4>{}), x);
}

TEST_CASE("rules: softplus on both sides of its threshold (20), traced in f32") {
  // gradcheck traces the function again over f64 specs.
  Tensor<float, 2, 4> x = make_tensor<float, 2, 4>({-3.5f, -0.4f, 0.7f, 2.2f, 19.5f, 20.5f, 23.f, 5.f});
  CHECK_GRADCHECK(trace([](auto a) { return softplus(a); }, spec<float, 2, 4>{}), x);
}

TEST_CASE("rules: clamp passes the gradient inside its bounds only") {
  auto x = spread_tensor<double, 3, 4>(-2, 2);  // none at +-1 or at 0.25
  CHECK_GRADCHECK(trace([](auto a) { return clamp(a, -1.0, 1.0); }, spec<double, 3, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return clamp(a, 0.25, std::nullopt); }, spec<double, 3, 4>{}), x);
  auto dx = grad(trace([](auto a) { return sum(clamp(a, -1.0, 1.0)); }, spec<double, 3, 4>{}))(x);
  check_close(dx, ctrace::testing::expected_from(12, [&](std::size_t i) { return std::fabs(x.data()[i]) < 1 ? 1.0 : 0.0; }));
}

TEST_CASE("rules: sign, floor, ceil and round are flat: no gradient, and gradcheck agrees") {
  auto x = spread_tensor<double, 3, 4>(-2.6, 2.6);  // no integer, no half-integer: every one is flat there
  auto g = trace([](auto a) { return sum(a * a + sign(a) + floor(a) + ceil(a) + round(a)); }, spec<double, 3, 4>{});
  CHECK_GRADCHECK(g, x);
  check_close(grad(g)(x), ctrace::testing::expected_from(12, [&](std::size_t i) { return 2 * x.data()[i]; }));
  auto h = trace([](auto a) { return sum(sign(a) + floor(a) + ceil(a) + round(a)); }, spec<double, 3, 4>{});
  check_close(grad(h)(x), std::vector<double>(12, 0.0));
}

// detach cuts a path the function's values still depend on, so finite
// differences see a derivative the rule (on purpose) does not give: gradcheck
// must fail here, which also shows that it compares something.
TEST_CASE("rules: detach gives no gradient, and gradcheck sees the difference") {
  auto x = spread_tensor<double, 3, 4>(-2, 2);
  auto g = trace([](auto a) { return sum(a + detach(a) * a); }, spec<double, 3, 4>{});
  // d/da (a + c * a) with c = a held constant: 1 + a (the true derivative is 1 + 2a).
  check_close(grad(g)(x), ctrace::testing::expected_from(12, [&](std::size_t i) { return 1 + x.data()[i]; }));
  const auto r = gradcheck(g, x);
  INFO(r.message());
  CHECK_FALSE(r.passed);
  CHECK(r.max_error > 0.1);
}
