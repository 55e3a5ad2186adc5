#include <doctest/doctest.h>

#include <cmath>

#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;
using ctrace::testing::to_vector;

namespace {
constexpr auto N = sym<"N">;

template <class T, class S>
void fill(tensor<T, S, cpu>& t, double scale, double shift) {
  for (index_t k = 0; k < t.numel(); ++k) t.data()[k] = static_cast<T>(std::sin(scale * static_cast<double>(k) + shift));
}
}  // namespace

TEST_CASE("grad: elementwise chain matches the derivative written by hand") {
  auto f = [](auto x, auto y) { return sum(sigmoid(tanh(x * (x + y)))); };
  auto g = trace(f, spec<float, N, 3>{}, spec<float, N, 3>{});
  auto dg = grad(g);
  Tensor<float, N, 3> x(2, 3), y(2, 3);
  fill(x, 0.9, 0.1);
  fill(y, 0.4, 1.3);
  auto [dx, dy] = dg(x, y);
  const auto xv = to_vector(x), yv = to_vector(y);
  auto d = [&](std::size_t i) {
    const double u = xv[i] * (xv[i] + yv[i]);
    const double t = std::tanh(u);
    const double s = 1 / (1 + std::exp(-t));
    return s * (1 - s) * (1 - t * t);
  };
  check_close(dx, expected_from(6, [&](std::size_t i) { return d(i) * (2 * xv[i] + yv[i]); }), 1e-5);
  check_close(dy, expected_from(6, [&](std::size_t i) { return d(i) * xv[i]; }), 1e-5);
}

TEST_CASE("grad: broadcast operands get their gradient summed back to their shape") {
  auto f = [](auto x, auto b) { return sum(x * b); };
  auto g = trace(f, spec<double, N, 3>{}, spec<double, 3>{});
  Tensor<double, N, 3> x(4, 3);
  Tensor<double, 3> b;
  fill(x, 0.3, 0.2);
  fill(b, 1.1, 0.5);
  auto [dx, db] = grad(g)(x, b);
  const auto xv = to_vector(x), bv = to_vector(b);
  check_close(dx, expected_from(12, [&](std::size_t i) { return bv[i % 3]; }), 1e-12);
  check_close(db, expected_from(3, [&](std::size_t j) { return xv[j] + xv[3 + j] + xv[6 + j] + xv[9 + j]; }), 1e-12);
  CHECK(gradcheck(g, x, b));
}

TEST_CASE("grad: matmul MLP layer passes gradcheck") {
  auto f = [](auto x, auto w, auto b) { return mean(relu(matmul(x, w) + b)); };
  auto g = trace(f, spec<float, N, 4>{}, spec<float, 4, 3>{}, spec<float, 3>{});
  Tensor<float, N, 4> x(5, 4);
  Tensor<float, 4, 3> w;
  Tensor<float, 3> b;
  fill(x, 0.7, 0.1);
  fill(w, 0.37, 0.9);
  fill(b, 2.1, 0.4);
  auto r = gradcheck(g, x, w, b);
  INFO(r.message());
  CHECK(r);
}

TEST_CASE("grad: with respect to chosen inputs; the output and the gradient from one graph") {
  auto f = [](auto x, auto y) { return sum(x * y * y); };
  auto g = trace(f, spec<double, 3>{}, spec<double, 3>{});
  Tensor<double, 3> x, y;
  fill(x, 1.0, 0.0);
  fill(y, 0.5, 0.7);
  auto dy = grad<1>(g)(x, y);
  const auto xv = to_vector(x), yv = to_vector(y);
  check_close(dy, expected_from(3, [&](std::size_t i) { return 2 * xv[i] * yv[i]; }), 1e-12);
  auto [value, grads] = value_and_grad<0>(g)(x, y);
  double expected = 0;
  for (std::size_t i = 0; i < 3; ++i) expected += xv[i] * yv[i] * yv[i];
  check_close(value, {expected}, 1e-12);
  check_close(grads, expected_from(3, [&](std::size_t i) { return yv[i] * yv[i]; }), 1e-12);
}

TEST_CASE("vjp: the cotangent of a non-scalar output") {
  auto f = [](auto x) { return exp(x) * flit<3>; };
  auto g = trace(f, spec<double, N>{});
  auto v = vjp(g);
  Tensor<double, N> x(4), c(4);
  fill(x, 0.3, 0.0);
  fill(c, 0.9, 0.2);
  auto dx = v(x, c);
  const auto xv = to_vector(x), cv = to_vector(c);
  check_close(dx, expected_from(4, [&](std::size_t i) { return 3 * std::exp(xv[i]) * cv[i]; }), 1e-12);
  CHECK(gradcheck(g, x));
}

// The forward value itself is not needed (dead code), tanh(x) is one node used
// by both gradients, and the seed 1 broadcast over x's shape is one node too.
TEST_CASE("grad: the gradient graph prints as IR; tanh(x) is shared, the unused forward value dropped") {
  auto f = [](auto x, auto y) { return sum(tanh(x) * y); };
  auto g = trace(f, spec<float, N>{}, spec<float, N>{});
  auto dg = grad(g);
  CHECK(dg.to_text() ==
        "graph(%in0 : f32[N], %in1 : f32[N]):\n"
        "  %0 : f32[N] = expand(1.0, size=[8])\n"
        "  %1 : f32[N] = mul(%0, %in1)\n"
        "  %2 : f32[N] = tanh(%in0)\n"
        "  %3 : f32[N] = mul(%2, %2)\n"
        "  %4 : f32[N] = sub(1.0, %3)\n"
        "  %5 : f32[N] = mul(%1, %4)\n"
        "  %6 : f32[N] = mul(%0, %2)\n"
        "  return (%5, %6)\n"
        "guards:\n"
        "  N = %in0.size(0)\n"
        "  %in1.size(0) == N\n");
}
