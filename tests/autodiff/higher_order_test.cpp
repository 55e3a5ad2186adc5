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

TEST_CASE("higher order: grad(grad(g)) of a scalar function") {
  auto f = [](auto x) { return x * x * x + sin(x); };  // f'' = 6x - sin x
  auto g = trace(f, spec<double>{});
  auto d2 = grad(grad(g));
  Tensor<double> x;
  x.data()[0] = 0.7;
  check_close(d2(x), {6 * 0.7 - std::sin(0.7)}, 1e-12);
  auto d3 = grad(d2);
  check_close(d3(x), {6 - std::cos(0.7)}, 1e-12);
}

TEST_CASE("higher order: Hessian-vector product as vjp of the gradient") {
  // f(x) = sum(x^2 * exp(x)): H is diagonal, h_i = (2 + 4 x + x^2) e^x.
  auto f = [](auto x) { return sum(x * x * exp(x)); };
  auto g = trace(f, spec<double, N>{});
  auto hvp = vjp(grad(g));
  Tensor<double, N> x(5), v(5);
  fill(x, 0.8, 0.1);
  fill(v, 1.7, 0.4);
  const auto xv = to_vector(x), vv = to_vector(v);
  check_close(hvp(x, v), expected_from(5, [&](std::size_t i) {
                return (2 + 4 * xv[i] + xv[i] * xv[i]) * std::exp(xv[i]) * vv[i];
              }), 1e-12);
}

// PyTorch test_jit.py (graph executor): a * b / (a - b) + b, backward, then
// the gradients of the gradients; every order checked by finite differences.
TEST_CASE("higher order: double backward of a * b / (a - b) + b matches finite differences") {
  auto f = [](auto a, auto b) { return a * b / (a - b) + b; };
  auto g = trace(f, spec<double, 2, 3>{}, spec<double, 2, 3>{});
  Tensor<double, 2, 3> a, b;
  fill(a, 0.9, 0.2);
  fill(b, 0.5, 2.0);
  for (index_t k = 0; k < 6; ++k) a.data()[k] += 3;  // a - b away from 0
  auto first = gradcheck(g, a, b);
  INFO(first.message());
  CHECK(first);
  // Gradients of sum(f) with respect to a and b, differentiated again.
  auto s = trace([](auto x, auto y) { return sum(x * y / (x - y) + y); }, spec<double, 2, 3>{}, spec<double, 2, 3>{});
  auto ds = grad(s);
  auto second = gradcheck(ds, a, b);
  INFO(second.message());
  CHECK(second);
  // Known values: d/da = -b^2 / (a - b)^2, d/db = a^2 / (a - b)^2 + 1.
  auto [da, db] = ds(a, b);
  const auto av = to_vector(a), bv = to_vector(b);
  check_close(da, expected_from(6, [&](std::size_t i) { return -bv[i] * bv[i] / ((av[i] - bv[i]) * (av[i] - bv[i])); }), 1e-12);
  check_close(db, expected_from(6, [&](std::size_t i) { return av[i] * av[i] / ((av[i] - bv[i]) * (av[i] - bv[i])) + 1; }), 1e-12);
}
