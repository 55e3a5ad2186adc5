// gradcheck of the rules of minimum and maximum (broadcast both ways, and at
// ties, where the cotangent is split evenly: what central differences see
// too), of where and of casts.
#include <doctest/doctest.h>

#include <cstdint>
#include <tuple>
#include <vector>

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

TEST_CASE("rules: minimum and maximum, broadcast both ways, no ties") {
  auto a = spread_tensor<double, 2, 1, 4>(-1, 1);
  auto b = spread_tensor<double, 3, 1>(-2, 1);  // -1.5, -0.5, 0.5: never equal to an element of a
  CHECK_GRADCHECK(both_ways([](auto p, auto q) { return minimum(p, q); }), a, b);
  CHECK_GRADCHECK(both_ways([](auto p, auto q) { return maximum(p * p, q); }), a, b);
}

TEST_CASE("rules: minimum and maximum at ties split the cotangent evenly") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto y = x.clone();  // every element tied
  auto g = trace([](auto p, auto q) { return std::make_tuple(maximum(p, q), minimum(p, q * flit<1>)); },
                 spec<double, 3, 4>{}, spec<double, 3, 4>{});
  CHECK_GRADCHECK(g, x, y);
  auto [dx, dy] = grad(trace([](auto p, auto q) { return sum(maximum(p, q)); }, spec<double, 3, 4>{}, spec<double, 3, 4>{}))(x, y);
  check_close(dx, std::vector<double>(12, 0.5));
  check_close(dy, std::vector<double>(12, 0.5));
}

TEST_CASE("rules: where sends each element's cotangent to the operand it came from") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto y = spread_tensor<double, 4>(-2, 2);
  CHECK_GRADCHECK(trace([](auto p, auto q) { return where(p > 0.0, p * p, q); }, spec<double, 3, 4>{}, spec<double, 4>{}), x,
                  y);
  // A condition that broadcasts, and a number for one branch.
  auto c = make_tensor<bool, 3, 1>({true, false, true});
  CHECK_GRADCHECK(trace([c](auto p, auto q) { return std::make_tuple(where(c, exp(p), q), where(c, 1.5, q * p)); },
                        spec<double, 3, 4>{}, spec<double, 4>{}),
                  x, y);
  auto dq = grad<1>(trace([c](auto p, auto q) { return sum(where(c, p, q)); }, spec<double, 3, 4>{}, spec<double, 4>{}))(x, y);
  check_close(dq, {1, 1, 1, 1});  // one row of three took q
}

TEST_CASE("rules: a cast to f32 inside an f64 graph, and back") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto g = trace([](auto p) { return cast<double>(sin(cast<float>(p)) * cast<float>(p)) * p; }, spec<double, 3, 4>{});
  // The f32 part rounds at ~1e-7, so the difference step and the tolerance are larger.
  gradcheck_options loose;
  loose.eps = 1e-3;
  loose.atol = 1e-3;
  loose.rtol = 1e-2;
  CHECK_GRADCHECK(g, loose, x);
  // Integer casts carry nothing: the gradient of x through them is zero.
  auto z = trace([](auto p) { return sum(cast<double>(cast<std::int32_t>(p * 10.0))); }, spec<double, 3, 4>{});
  check_close(grad(z)(x), std::vector<double>(12, 0.0));
}
