// gradcheck of the rules of add, sub, mul, div and pow, each with both
// operands broadcast ([2, 1, 4] with [3, 1]: a new leading dim and a size-1
// dim on each side) in both orders, and with wrapped numbers and 0-d tensors.
#include <doctest/doctest.h>

#include <tuple>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::spread_tensor;

namespace {
// a is [2, 1, 4], b is [3, 1]: a op b and b op a are both [2, 3, 4].
template <class F>
auto both_ways(F f) {
  return trace([f](auto a, auto b) { return std::make_tuple(f(a, b), f(b, a)); }, spec<double, 2, 1, 4>{},
               spec<double, 3, 1>{});
}
}  // namespace

TEST_CASE("rules: add, sub, mul with both operands broadcast, both ways") {
  auto a = spread_tensor<double, 2, 1, 4>(-1, 1);
  auto b = spread_tensor<double, 3, 1>(-2, 1);
  CHECK_GRADCHECK(both_ways([](auto p, auto q) { return p + q; }), a, b);
  CHECK_GRADCHECK(both_ways([](auto p, auto q) { return p - q; }), a, b);
  CHECK_GRADCHECK(both_ways([](auto p, auto q) { return p * q; }), a, b);
  // The broadcast operand's gradient is summed back: d/db sum(a * b) = sum of a over what b met.
  auto db = grad<1>(trace([](auto p, auto q) { return sum(p * q); }, spec<double, 2, 1, 4>{}, spec<double, 3, 1>{}))(a, b);
  double total = 0;
  for (index_t k = 0; k < a.numel(); ++k) total += a.data()[k];
  check_close(db, {total, total, total});
}

TEST_CASE("rules: div and pow (both operands, the base positive)") {
  auto a = spread_tensor<double, 2, 1, 4>(0.4, 2);
  auto b = spread_tensor<double, 3, 1>(0.5, 1.8);
  CHECK_GRADCHECK(both_ways([](auto p, auto q) { return p / q; }), a, b);
  CHECK_GRADCHECK(both_ways([](auto p, auto q) { return pow(p, q); }), a, b);
  // Negative operands where only the exponent is a number.
  auto c = spread_tensor<double, 3, 4>(-2, 2);
  CHECK_GRADCHECK(trace([](auto p) { return std::make_tuple(pow(p, 3.0), pow(2.0, p), 1.5 / (p * p + 1.0)); },
                        spec<double, 3, 4>{}),
                  c);
}

TEST_CASE("rules: wrapped numbers and 0-d tensors as operands") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto s = make_tensor<double>({0.7});
  CHECK_GRADCHECK(trace([](auto p, auto r) { return std::make_tuple(p * r, r - p * 2.0, 3.0 / (r + p * p), (p + 1.5) / r); },
                        spec<double, 3, 4>{}, spec<double>{}),
                  x, s);
}

