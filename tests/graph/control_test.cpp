// Control flow as nodes: cond picks a branch at run time, fori_loop runs a
// captured body a run-time number of times.
#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::vector_n;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("cond computes the branch the predicate picks, at run time") {
  auto g = trace([](auto x) {
    return cond(sum(x) > 0.0, [](auto v) { return v * 2.0; }, [](auto v) { return -v; }, x);
  }, spec<float, N>{});
  check_close(g(vector_n({1, 2})), {2, 4});
  check_close(g(vector_n({-1, -2})), {1, 2});
  CHECK(g.to_text().find("= cond(%") != std::string::npos);
}

TEST_CASE("cond over structured results") {
  auto g = trace([](auto x, auto flag) {
    return cond(flag, [](auto v) { return std::make_pair(v + 1.0, sum(v)); },
                [](auto v) { return std::make_pair(v - 1.0, prod(v)); }, x);
  }, spec<float, N>{}, spec<bool>{});
  auto yes = make_tensor<bool>({true});
  auto no = make_tensor<bool>({false});
  auto [a, s] = g(vector_n({2, 3}), yes);
  check_close(a, {3, 4});
  CHECK(s.item() == doctest::Approx(5));
  auto [b, p] = g(vector_n({2, 3}), no);
  check_close(b, {1, 2});
  CHECK(p.item() == doctest::Approx(6));
}

TEST_CASE("fori_loop runs its body a run-time number of times") {
  auto g = trace([](auto x, auto n) {
    return fori_loop(0, n.sizes()[0], [](auto i, auto acc) { return acc * 2.0 + i; }, x);
  }, spec<float, N>{}, spec<float, dyn>{});
  auto x = vector_n({1, 0});
  // three steps: a -> 2a + i for i = 0, 1, 2
  check_close(g(x, Tensor<float, dyn>(3)), {8 + 0 + 2 + 2, 0 + 0 + 2 + 2});
  check_close(g(x, Tensor<float, dyn>(0)), {1, 0});
  const std::string ir = g.to_text();
  CHECK(ir.find("= fori_loop(%in0, carry=0)") != std::string::npos);
  CHECK(ir.find("      graph(%in0 : i64[], %in1 : f32[N]):") != std::string::npos);
}

TEST_CASE("fori_loop with two carries") {
  auto g = trace([](auto a, auto b) {
    return fori_loop(0, 4, [](auto, auto x, auto y) { return std::make_tuple(x + y, y * 2.0); }, a, b);
  }, spec<double, 2>{}, spec<double, 2>{});
  auto [x, y] = g(make_tensor<double, 2>({0, 1}), make_tensor<double, 2>({1, 1}));
  check_close(x, {15, 16});
  check_close(y, {16, 16});
  // Both carries come from one loop: its body is printed once, under the first.
  const std::string ir = g.to_text();
  CHECK(ir.find("  %1 : f64[2] = fori_loop(%in0, %in1, carry=1)\n      (body as for %0)\n") != std::string::npos);
}
