#include <doctest/doctest.h>

#include <cmath>
#include <string_view>

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

// exp with its derivative given by hand, reusing the forward value.
struct my_exp {
  static constexpr std::string_view name = "my_exp";
  static auto forward(const auto& x) { return exp(x); }
  static auto backward(const auto&, const auto& y, const auto& g) { return g * y; }
};

// A deliberately "wrong" derivative: proves backward is what runs.
struct twice_grad {
  static auto forward(const auto& x) { return x * flit<1>; }
  static auto backward(const auto&, const auto&, const auto& g) { return g * flit<2>; }
};

// Two inputs, two outputs; the second output is not differentiable.
struct mul_and_sign {
  static constexpr bool differentiable(std::size_t output) { return output == 0; }
  static auto forward(const auto& a, const auto& b) { return std::make_tuple(a * b, sign(a)); }
  static auto backward(const auto& a, const auto& b, const auto&, const auto& grads) {
    const auto& g = std::get<0>(grads);
    return std::make_tuple(g * b, g * a);
  }
};

// Two differentiable outputs: sum and difference.
struct sum_and_difference {
  static auto forward(const auto& a, const auto& b) { return std::make_tuple(a + b, a - b); }
  static auto backward(const auto&, const auto&, const auto&, const auto& grads) {
    const auto& [gs, gd] = grads;
    return std::make_tuple(gs + gd, gs - gd);
  }
};
}  // namespace

TEST_CASE("custom function: forward runs fused, backward is the user's, printed as one op") {
  auto f = [](auto x) { return sum(custom<my_exp>(x) * flit<3>); };
  auto g = trace(f, spec<double, N>{});
  Tensor<double, N> x(5);
  fill(x, 0.4, 0.2);
  const auto xv = to_vector(x);
  double expected = 0;
  for (double v : xv) expected += 3 * std::exp(v);
  check_close(g(x), {expected}, 1e-12);
  check_close(grad(g)(x), expected_from(5, [&](std::size_t i) { return 3 * std::exp(xv[i]); }), 1e-12);
  CHECK(g.to_text().find("my_exp(%in0)") != std::string::npos);
  CHECK(gradcheck(g, x));
}

TEST_CASE("custom function: its backward replaces the derivative of its forward") {
  auto g = trace([](auto x) { return sum(custom<twice_grad>(x)); }, spec<double, 3>{});
  Tensor<double, 3> x;
  fill(x, 1, 0);
  check_close(grad(g)(x), {2, 2, 2}, 0);
}

TEST_CASE("custom function: several outputs, one of them not differentiable") {
  auto f = [](auto a, auto b) {
    auto [p, s] = custom<mul_and_sign>(a, b);
    return sum(p * s);  // the sign output carries no gradient: d/da = b * sign(a)
  };
  auto g = trace(f, spec<double, 4>{}, spec<double, 4>{});
  Tensor<double, 4> a, b;
  fill(a, 1.3, 0.1);
  fill(b, 0.7, 0.9);
  auto [da, db] = grad(g)(a, b);
  const auto av = to_vector(a), bv = to_vector(b);
  auto sgn = [](double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0); };
  check_close(da, expected_from(4, [&](std::size_t i) { return bv[i] * sgn(av[i]); }), 1e-12);
  check_close(db, expected_from(4, [&](std::size_t i) { return av[i] * sgn(av[i]); }), 1e-12);
}

TEST_CASE("custom function: gradients from both outputs add up") {
  auto f = [](auto a, auto b) {
    auto [s, d] = custom<sum_and_difference>(a, b);
    return sum(s * flit<2> + d * d);
  };
  auto g = trace(f, spec<double, N>{}, spec<double, N>{});
  Tensor<double, N> a(3), b(3);
  fill(a, 0.5, 0.3);
  fill(b, 0.9, 1.1);
  auto r = gradcheck(g, a, b);
  INFO(r.message());
  CHECK(r);
}

TEST_CASE("hook: a function applied to the gradient inside the backward graph") {
  auto f = [](auto x) { return sum(hook(x * x, [](const auto& g) { return g * flit<10>; })); };
  auto g = trace(f, spec<double, 3>{});
  Tensor<double, 3> x;
  fill(x, 1, 0.5);
  const auto xv = to_vector(x);
  check_close(g(x), {xv[0] * xv[0] + xv[1] * xv[1] + xv[2] * xv[2]}, 1e-12);  // values unchanged
  check_close(grad(g)(x), expected_from(3, [&](std::size_t i) { return 20 * xv[i]; }), 1e-12);
  CHECK(grad(g).to_text().find("hook") == std::string::npos);  // the hook acts, it is not a node of the backward
}
