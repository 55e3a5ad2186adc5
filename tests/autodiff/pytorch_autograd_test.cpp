// Behaviours from PyTorch's autograd tests (test/test_autograd.py), rewritten
// for captured graphs; each test is named after the behaviour.
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

// Adds one to its input in place and returns it (mark_dirty in PyTorch).
struct add_one_in_place {
  static auto forward(const auto& x) { return add_(x, 1.0); }
  static auto backward(const auto&, const auto&, const auto& g) { return g; }
};
}  // namespace

TEST_CASE("accumulation into leaves: an input used several times gets the sum of its gradients") {
  auto g = trace([](auto x) { return sum(x * x + x * flit<3> + exp(x)); }, spec<double, N>{});
  Tensor<double, N> x(4);
  fill(x, 0.8, 0.0);
  const auto xv = to_vector(x);
  check_close(grad(g)(x), expected_from(4, [&](std::size_t i) { return 2 * xv[i] + 3 + std::exp(xv[i]); }), 1e-12);
}

TEST_CASE("the same tensor passed as two inputs: each input gets its own gradient") {
  auto g = trace([](auto a, auto b) { return sum(a * b * b); }, spec<double, 3>{}, spec<double, 3>{});
  Tensor<double, 3> x;
  fill(x, 1.0, 0.3);
  const auto xv = to_vector(x);
  auto [da, db] = grad(g)(x, x);
  check_close(da, expected_from(3, [&](std::size_t i) { return xv[i] * xv[i]; }), 1e-12);
  check_close(db, expected_from(3, [&](std::size_t i) { return 2 * xv[i] * xv[i]; }), 1e-12);
}

TEST_CASE("backward with non-leaf inputs: the gradient at an intermediate value") {
  // torch.autograd.grad(loss, [h]) for h = tanh(x): trace the part after h
  // with h as its input; the chain rule through the whole equals it times dh/dx.
  auto after = trace([](auto h) { return sum(h * h * h); }, spec<double, N>{});
  auto whole = trace([](auto x) { auto h = tanh(x); return sum(h * h * h); }, spec<double, N>{});
  Tensor<double, N> x(3);
  fill(x, 0.6, 0.2);
  Tensor<double, N> h = tanh(x);
  const auto hv = to_vector(h);
  const auto d_h = to_vector(grad(after)(h));
  check_close(grad(after)(h), expected_from(3, [&](std::size_t i) { return 3 * hv[i] * hv[i]; }), 1e-12);
  check_close(grad(whole)(x), expected_from(3, [&](std::size_t i) { return d_h[i] * (1 - hv[i] * hv[i]); }), 1e-12);
}

TEST_CASE("multiple outputs with one unused: its cotangent contributes nothing") {
  auto g = trace([](auto x) { return std::make_tuple(x * x, exp(x)); }, spec<double, 3>{});
  Tensor<double, 3> x, c, zero;
  fill(x, 0.7, 0.1);
  fill(c, 1.3, 0.4);
  const auto xv = to_vector(x), cv = to_vector(c);
  check_close(vjp(g)(x, std::make_tuple(c, zero)), expected_from(3, [&](std::size_t i) { return 2 * xv[i] * cv[i]; }), 1e-12);
  // Both outputs used: their contributions add up.
  check_close(vjp(g)(x, std::make_tuple(c, c)),
              expected_from(3, [&](std::size_t i) { return (2 * xv[i] + std::exp(xv[i])) * cv[i]; }), 1e-12);
  // An output that does not depend on the input gives zeros.
  auto h = trace([](auto x, auto y) { return sum(y * y) + sum(x) * flit<0>; }, spec<double, 3>{}, spec<double, 3>{});
  check_close(grad<0>(h)(x, c), {0, 0, 0}, 0);
}

TEST_CASE("detach and stop_gradient cut the gradient; the value flows on") {
  auto g = trace([](auto x) { return sum(x * detach(x) + stop_gradient(exp(x))); }, spec<double, 3>{});
  Tensor<double, 3> x;
  fill(x, 0.9, 0.0);
  const auto xv = to_vector(x);
  check_close(grad(g)(x), expected_from(3, [&](std::size_t i) { return xv[i]; }), 1e-12);  // d/dx (x * c) = c = x
}

TEST_CASE("in-place ops inside the function: gradients flow through the rewritten values") {
  auto f = [](auto x, auto y) {
    auto x1 = mul_(x, y);                     // x * y
    auto x2 = add_(x1, flit<1>);              // x * y + 1
    return sum(x2 * x2);
  };
  auto g = trace(f, spec<double, 3>{}, spec<double, 3>{});
  Tensor<double, 3> x, y;
  fill(x, 0.5, 0.2);
  fill(y, 0.8, 1.0);
  const auto xv = to_vector(x), yv = to_vector(y);
  auto [dx, dy] = grad(g)(x, y);
  check_close(dx, expected_from(3, [&](std::size_t i) { return 2 * (xv[i] * yv[i] + 1) * yv[i]; }), 1e-12);
  check_close(dy, expected_from(3, [&](std::size_t i) { return 2 * (xv[i] * yv[i] + 1) * xv[i]; }), 1e-12);
  check_close(x, xv, 0);  // the gradient graph does not repeat the in-place writes
  auto r = gradcheck(g, x, y);
  INFO(r.message());
  CHECK(r);
}

TEST_CASE("slice assignment inside the function: the overwritten part gets no gradient from before") {
  auto f = [](auto x, auto v) {
    auto x1 = assign_(slice<0>(x, 1, 3), v * flit<2>);
    return sum(x1 * x1);
  };
  auto g = trace(f, spec<double, 4>{}, spec<double, 2>{});
  Tensor<double, 4> x;
  Tensor<double, 2> v;
  fill(x, 0.5, 0.2);
  fill(v, 0.8, 1.0);
  const auto xv = to_vector(x), vv = to_vector(v);
  auto [dx, dv] = grad(g)(x, v);
  check_close(dx, {2 * xv[0], 0, 0, 2 * xv[3]}, 1e-12);
  check_close(dv, {8 * vv[0], 8 * vv[1]}, 1e-12);
}

TEST_CASE("custom function with mark-dirty-style in-place: the input is written back, gradients pass") {
  auto f = [](auto x) {
    auto y = custom<add_one_in_place>(x);  // x += 1, in place
    return with_updates(sum(y * y), y);
  };
  auto g = trace(f, spec<double, 3>{});
  Tensor<double, 3> x;
  fill(x, 0.5, 0.5);
  const auto xv = to_vector(x);
  auto value = g(x);
  check_close(value, {(xv[0] + 1) * (xv[0] + 1) + (xv[1] + 1) * (xv[1] + 1) + (xv[2] + 1) * (xv[2] + 1)}, 1e-12);
  check_close(x, expected_from(3, [&](std::size_t i) { return xv[i] + 1; }), 1e-12);  // written back
  check_close(grad(g)(x), expected_from(3, [&](std::size_t i) { return 2 * (xv[i] + 2); }), 1e-12);
}

TEST_CASE("checkpointing gives the same gradients as no checkpointing") {
  auto block = [](auto x, auto w) { return tanh(matmul(x, w)); };
  auto plain = trace([=](auto x, auto w1, auto w2) { return sum(block(block(x, w1), w2)); }, spec<double, 4, 3>{},
                     spec<double, 3, 5>{}, spec<double, 5, 2>{});
  auto checkpointed = trace(
      [=](auto x, auto w1, auto w2) { return sum(checkpoint(block)(checkpoint(block)(x, w1), w2)); },
      spec<double, 4, 3>{}, spec<double, 3, 5>{}, spec<double, 5, 2>{});
  Tensor<double, 4, 3> x;
  Tensor<double, 3, 5> w1;
  Tensor<double, 5, 2> w2;
  fill(x, 0.7, 0.1);
  fill(w1, 0.3, 0.5);
  fill(w2, 1.1, 0.2);
  auto [px, pw1, pw2] = grad(plain)(x, w1, w2);
  auto [cx, cw1, cw2] = grad(checkpointed)(x, w1, w2);
  check_close(cx, to_vector(px), 1e-12);
  check_close(cw1, to_vector(pw1), 1e-12);
  check_close(cw2, to_vector(pw2), 1e-12);
  CHECK(grad(checkpointed).to_text().find("checkpoint_input") != std::string::npos);  // the region is run again
  auto r = gradcheck(checkpointed, x, w1, w2);
  INFO(r.message());
  CHECK(r);
}
