// gradcheck of the rules of cat, stack and diag_embed: each operand gets the
// part of the cotangent where its values were put. Several variants of one op
// go into one graph as a tuple of outputs (gradcheck weighs each output with
// its own cotangent).
#include <doctest/doctest.h>

#include <tuple>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::spread_tensor;

namespace {
constexpr auto N = sym<"N">;
constexpr auto M = sym<"M">;
}  // namespace

TEST_CASE("rules: cat slices the cotangent back per operand (static and symbolic extents)") {
  auto a = spread_tensor<double, 2, 4>(-1, 1);
  auto b = spread_tensor<double, 3, 4>(-2, 1);
  CHECK_GRADCHECK(trace([](auto p, auto q) { return cat<0>(p * p, q, p); }, spec<double, 2, 4>{}, spec<double, 3, 4>{}), a,
                  b);
  auto n = spread_tensor<double, N, 4>({2, 4}, -1, 1);
  auto m = spread_tensor<double, M, 4>({3, 4}, -1, 2);
  CHECK_GRADCHECK(trace([](auto p, auto q) { return cat<0>(exp(p), q * q, sin(p)); }, spec<double, N, 4>{},
                        spec<double, M, 4>{}),
                  n, m);
  auto c = spread_tensor<double, N, 3>({2, 3}, -1, 1);
  CHECK_GRADCHECK(trace([](auto p, auto q) { return cat<-1>(p, q * q); }, spec<double, N, 4>{}, spec<double, N, 3>{}), n, c);
  // Each operand's part: the second gets the middle rows.
  auto d = grad<1>(trace([](auto p, auto q) { return sum(cat<0>(p, q, p) * cat<0>(p, q, p)); }, spec<double, 2, 4>{},
                         spec<double, 3, 4>{}))(a, b);
  check_close(d, ctrace::testing::expected_from(12, [&](std::size_t i) { return 2 * b.data()[i]; }));
}

TEST_CASE("rules: stack selects each operand's index along the new dim") {
  auto a = spread_tensor<double, N, 4>({3, 4}, -1, 1);
  auto b = spread_tensor<double, N, 4>({3, 4}, -2, 1);
  CHECK_GRADCHECK(trace([](auto p, auto q) { return stack<0>(p * p, q, p * q); }, spec<double, N, 4>{},
                        spec<double, N, 4>{}),
                  a, b);
  CHECK_GRADCHECK(trace([](auto p, auto q) { return stack<-1>(exp(p), q); }, spec<double, N, 4>{}, spec<double, N, 4>{}), a,
                  b);
}

TEST_CASE("rules: diag_embed takes the cotangent's diagonal") {
  auto v = spread_tensor<double, 4>(-1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(diag_embed(a * a), diag_embed<1>(exp(a)), diag_embed<-2>(a)); },
                        spec<double, 4>{}),
                  v);
  auto s = spread_tensor<double, N>({3}, -1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return diag(sin(a)); }, spec<double, N>{}), s);
}
