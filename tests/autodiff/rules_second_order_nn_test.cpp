// Second order through layer_norm: gradcheck of its gradient graphs (the
// rule spells xhat as a layer_norm node without weight and bias, whose rule
// is the same one, so these graphs stay small enough to compile).
#include <doctest/doctest.h>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::spread_tensor;

TEST_CASE("second order: layer_norm without weight and bias") {
  auto x = spread_tensor<double, 3, 5>(-2, 2);
  auto c = spread_tensor<double, 3, 5>(-1, 1);
  // sum(sin(layer_norm(a))) makes a graph of more than 256 nodes: clang 14
  // refuses the fold expressions over them (graph/guard_plan.hpp).
  CHECK_GRADCHECK(grad(trace([c](auto a) { return sum(layer_norm(a) * c); }, spec<double, 3, 5>{})), x);
}

TEST_CASE("second order: layer_norm with weight and bias") {
  auto x = spread_tensor<double, 3, 5>(-2, 2);
  auto c = spread_tensor<double, 3, 5>(-1, 1);
  auto w = spread_tensor<double, 5>(0.5, 1.5);
  auto b = spread_tensor<double, 5>(-1, 1);
  // The gradient of x, differentiated in all three inputs.
  auto linear = trace([c](auto a, auto wt, auto bs) { return sum(layer_norm(a, wt, bs) * c); }, spec<double, 3, 5>{},
                      spec<double, 5>{}, spec<double, 5>{});
  CHECK_GRADCHECK(grad<0>(linear), x, w, b);
  // The weight's and bias's gradients, through a non-linear loss.
  auto g = trace([](auto a, auto wt, auto bs) { return sum(sin(layer_norm(a, wt, bs))); }, spec<double, 3, 5>{},
                 spec<double, 5>{}, spec<double, 5>{});
  CHECK_GRADCHECK(grad<1, 2>(g), x, w, b);
}
