// Graph hygiene: one node per structurally identical value-free
// subexpression, constants kept apart, dead code absent, topological order.
#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;

namespace {
constexpr auto N = sym<"N">;

Tensor<float, 2, 2> values(std::initializer_list<float> v) { return make_tensor<float, 2, 2>(v); }
}  // namespace

TEST_CASE("a value returned twice is one node, computed once, given back as the same tensor") {
  auto g = trace([](auto a, auto b) {
    auto z = a + b;
    return std::make_tuple(z, z);
  }, spec<float, 2, 2>{}, spec<float, 2, 2>{});
  using G = decltype(g);
  static_assert(G::node_count == 3);
  static_assert(G::outputs[0] == G::outputs[1]);
  CHECK(g.to_text() ==
        "graph(%in0 : f32[2, 2], %in1 : f32[2, 2]):\n"
        "  %0 : f32[2, 2] = add(%in0, %in1)\n"
        "  return (%0, %0)\n");
  auto [p, q] = g(values({1, 2, 3, 4}), values({10, 20, 30, 40}));
  check_close(p, {11, 22, 33, 44});
  CHECK(p.data() == q.data());
}

TEST_CASE("structurally identical subexpressions on the same inputs merge") {
  auto g = trace([](auto a, auto b) { return (a + b) * (a + b) + sum<1>(a) * sum<1>(a); },
                 spec<float, 2, 2>{}, spec<float, 2, 2>{});
  CHECK(g.to_text() ==
        "graph(%in0 : f32[2, 2], %in1 : f32[2, 2]):\n"
        "  %0 : f32[2, 2] = add(%in0, %in1)\n"
        "  %1 : f32[2, 2] = mul(%0, %0)\n"
        "  %2 : f32[2] = sum(%in0, dims=[1], keepdim=false)\n"
        "  %3 : f32[2] = mul(%2, %2)\n"
        "  %4 : f32[2, 2] = add(%1, %3)\n"
        "  return (%4)\n");
  Tensor<float, 2, 2> r = g(values({1, 2, 3, 4}), values({1, 1, 1, 1}));
  // (a+b)^2 + (row sums of a)^2 broadcast along the last dim: sums are 3 and 7.
  check_close(r, {4 + 9, 9 + 49, 16 + 9, 25 + 49});
}

TEST_CASE("same type, different constants: x + 2 and x + 3 stay two nodes") {
  auto g = trace([](auto x) { return std::make_tuple(x + 2.0, x + 3.0); }, spec<float, 2, 2>{});
  using G = decltype(g);
  static_assert(G::outputs[0] != G::outputs[1]);
  CHECK(g.to_text() ==
        "graph(%in0 : f32[2, 2]):\n"
        "  %0 : f32[2, 2] = add(%in0, 2.0)\n"
        "  %1 : f32[2, 2] = add(%in0, 3.0)\n"
        "  return (%0, %1)\n");
  auto [p, q] = g(values({1, 2, 3, 4}));
  check_close(p, {3, 4, 5, 6});
  check_close(q, {4, 5, 6, 7});
}

TEST_CASE("work that reaches no output is not in the graph") {
  auto g = trace([](auto x, auto y) {
    [[maybe_unused]] auto unused = exp(y) * 4.0;
    return x * 2.0;
  }, spec<float, 2, 2>{}, spec<float, 2, 2>{});
  static_assert(decltype(g)::node_count == 3);  // x, the constant, mul
  CHECK(g.to_text() ==
        "graph(%in0 : f32[2, 2], %in1 : f32[2, 2]):\n"
        "  %0 : f32[2, 2] = mul(%in0, 2.0)\n"
        "  return (%0)\n");
}

TEST_CASE("nodes are listed children first, outputs in their order") {
  auto g = trace([](auto x) {
    auto a = exp(x);
    auto b = neg(a);
    return std::make_pair(b, a);
  }, spec<double, N>{});
  CHECK(g.to_text() ==
        "graph(%in0 : f64[N]):\n"
        "  %0 : f64[N] = exp(%in0)\n"
        "  %1 : f64[N] = neg(%0)\n"
        "  return (%1, %0)\n"
        "guards:\n"
        "  N = %in0.size(0)\n");
}

TEST_CASE("the same tensor passed as two inputs gives correct results") {
  auto g = trace([](auto a, auto b) { return a * b - b; }, spec<float, N>{}, spec<float, N>{});
  auto x = make_tensor<float, N>({3}, {1, 2, 3});
  Tensor<float, N> r = g(x, x);
  check_close(r, {0, 2, 6});
}

TEST_CASE("a reduction used in several places is computed once per call") {
  auto g = trace([](auto x) {
    auto s = sum<1>(x, keepdim);
    return std::make_tuple(x / s, s, exp(x) * s);
  }, spec<float, N, 2>{});
  auto x = make_tensor<float, N, 2>({2, 2}, {1, 3, 2, 2});
  auto [normalized, total, scaled] = g(x);
  CHECK(exec::last_call_stats().computed >= 1);
  CHECK(exec::last_call_stats().reused == 2);
  check_close(normalized, {0.25, 0.75, 0.5, 0.5});
  check_close(total, {4, 4});
  check_close(scaled, {4 * std::exp(1.0), 4 * std::exp(3.0), 4 * std::exp(2.0), 4 * std::exp(2.0)});
}

TEST_CASE("reductions of different tensors are never confused outside graphs") {
  auto a = make_tensor<float, 2>({1, 2});
  auto b = make_tensor<float, 2>({10, 20});
  Tensor<float, 2> r = a / sum(a) + b / sum(b);  // same node types, different values
  check_close(r, {1.0 / 3 + 1.0 / 3, 2.0 / 3 + 2.0 / 3});
}

TEST_CASE("compile-time literals: one node for every use, literal-only arithmetic folds") {
  auto g = trace([](auto x) {
    auto a = x * flit<2>;
    return a * a + flit<2> * flit<3>;
  }, spec<float, 2, 2>{});
  static_assert(decltype(g)::node_count == 6);  // x, 2.0, mul, mul, 6.0, add
  CHECK(g.to_text() ==
        "graph(%in0 : f32[2, 2]):\n"
        "  %0 : f32[2, 2] = mul(%in0, 2.0)\n"
        "  %1 : f32[2, 2] = mul(%0, %0)\n"
        "  %2 : f32[2, 2] = add(%1, 6.0)\n"
        "  return (%2)\n");
  check_close(g(values({1, 2, 3, 4})), {4 + 6, 16 + 6, 36 + 6, 64 + 6});
  // Different literals are different types, so they never merge.
  auto h = trace([](auto x) { return std::make_tuple(x + lit<2>, x + lit<3>, x * flit<1, 2>); }, spec<float, 2, 2>{});
  static_assert(decltype(h)::outputs[0] != decltype(h)::outputs[1]);
  auto [p, q, r] = h(values({1, 2, 3, 4}));
  check_close(r, {0.5, 1, 1.5, 2});
  static_assert(std::is_same_v<decltype(lit<7> / lit<2>)::value_type, float>);  // true division, as PyTorch
  CHECK(decltype(lit<7> / lit<2>)::value_of() == 3.5f);
  CHECK(decltype(lit<7> * lit<2> - lit<20>)::value_of() == -6);
}
