// Behaviour from PyTorch's tracer tests (test/jit/test_tracer.py), rewritten
// for ctrace's compile-time capture. Each case is named after the behaviour.
#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::vector_n;
using ctrace::testing::to_vector;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("simple chain: one node per op, values as eager") {
  auto f = [](auto x, auto y) { return sigmoid(tanh(x * (x + y))); };
  auto g = trace(f, spec<float, N>{}, spec<float, N>{});
  auto x = vector_n({0.5f, -1}), y = vector_n({1, 2});
  Tensor<float, N> eager = f(x, y);
  CHECK(to_vector(Tensor<float, N>(g(x, y))) == to_vector(eager));
  static_assert(decltype(g)::node_count == 6);
}

TEST_CASE("captured tensors are read at call time, not frozen (constants and shared parameters)") {
  auto w = make_tensor<float, 2>({1, 2});
  auto g = trace([w](auto x) { return x * w + w; }, spec<float, N, 2>{});  // w used twice
  CHECK(g.to_text().find("= tensor()") != std::string::npos);
  Tensor<float, N, 2> x = full<float, N, 2>({1, 2}, 10.0f);
  check_close(g(x), {11, 22});
  w.fill_(3);  // the same handle: the parameter changed
  check_close(g(x), {33, 33});
}

TEST_CASE("wrapped numbers keep the tensor's dtype; an int tensor times a double becomes float") {
  auto g = trace([](auto i, auto x) { return std::make_pair(x * 2.5, i * 2.5); }, spec<std::int32_t, 2>{},
                 spec<float, 2>{});
  auto [fx, fi] = g(make_tensor<std::int32_t, 2>({1, 2}), make_tensor<float, 2>({1, 2}));
  static_assert(std::is_same_v<decltype(fx), Tensor<float, 2>>);
  static_assert(std::is_same_v<decltype(fi), Tensor<float, 2>>);
  check_close(fi, {2.5, 5});
}

TEST_CASE("repeated inputs and repeated outputs") {
  auto g = trace([](auto a, auto b) {
    auto z = a * b;
    return std::make_tuple(z, z, a);
  }, spec<float, N>{}, spec<float, N>{});
  auto x = vector_n({2, 3});
  auto [p, q, r] = g(x, x);
  check_close(p, {4, 9});
  CHECK(p.data() == q.data());
  CHECK(r.data() == x.data());
}

TEST_CASE("index and index_put with masks") {
  auto g = trace([](auto x, auto idx) {
    auto picked = index_select<0>(x, idx);
    auto x1 = masked_fill_(x, x < 0.0f, 0);  // x[x < 0] = 0
    auto x2 = index_put_(x1, idx, 9.0f);     // x[idx] = 9
    return with_updates(picked, x2);
  }, spec<float, N>{}, spec<std::int64_t, 2>{});
  auto x = vector_n({-1, 5, -2, 7});
  Tensor<float, 2> picked = g(x, make_tensor<std::int64_t, 2>({3, 0}));
  check_close(picked, {7, -1});
  check_close(x, {9, 5, 0, 9});
}

TEST_CASE("slicing with dynamic bounds follows each call's sizes") {
  auto g = trace([](auto x) { return slice<0>(x, 1, x.sizes()[0] - 1); }, spec<float, N>{});
  check_close(g(vector_n({1, 2, 3, 4})), {2, 3});
  check_close(g(vector_n({1, 2, 3, 4, 5, 6})), {2, 3, 4, 5});
}

TEST_CASE("arange and full with dynamic sizes") {
  auto g = trace([](auto x) { return arange<float>(size<0>(x)) + full(x.shape(), 1.0f); }, spec<float, N>{});
  check_close(g(vector_n({0, 0, 0})), {1, 2, 3});
  check_close(g(vector_n({0})), {1});
}

TEST_CASE("casts are nodes") {
  auto g = trace([](auto x) { return x.template to<std::int64_t>() * 2; }, spec<float, 3>{});
  CHECK(g.to_text() ==
        "graph(%in0 : f32[3]):\n"
        "  %0 : i64[3] = cast(%in0)\n"
        "  %1 : i64[3] = mul(%0, 2)\n"
        "  return (%1)\n");
  auto r = g(make_tensor<float, 3>({1.5f, -2.5f, 3}));
  check_close(r, {2, -4, 6});
}

TEST_CASE("topk with a dynamic k") {
  auto g = trace([](auto x, auto k) { return topk(x, k.sizes()[0]); }, spec<float, N>{}, spec<float, dyn>{});
  auto [values, indices] = g(vector_n({3, 9, 1, 7}), Tensor<float, dyn>(2));
  check_close(values, {9, 7});
  check_close(indices, {1, 3});
  auto [v3, i3] = g(vector_n({3, 9, 1, 7}), Tensor<float, dyn>(3));
  check_close(v3, {9, 7, 3});
}

TEST_CASE("cummax returns its two outputs in their structure") {
  auto g = trace([](auto x) { return cummax<0>(x); }, spec<float, N>{});
  CHECK(g.to_text().find("return (values: %0, indices: %1)") != std::string::npos);
  auto r = g(vector_n({1, 3, 2, 5}));
  check_close(r.values, {1, 3, 3, 5});
  check_close(r.indices, {0, 1, 1, 3});
}

TEST_CASE("tuple and keyed inputs") {
  auto g = trace([](auto pair, auto kw) { return pair.first * kw[key<"scale">] + pair.second; },
                 std::make_pair(spec<float, N>{}, spec<float, N>{}), kwargs(arg<"scale">(spec<float>{})));
  Tensor<float, N> r = g(std::make_pair(vector_n({1, 2}), vector_n({10, 20})), kwargs(arg<"scale">(make_tensor<float>({3}))));
  check_close(r, {13, 26});
}

TEST_CASE("detach is a node that passes the value through") {
  auto g = trace([](auto x) { return detach(x * 2.0f) + x; }, spec<float, N>{});
  CHECK(g.to_text().find("= detach(%0)") != std::string::npos);
  check_close(g(vector_n({1, 2})), {3, 6});
}
