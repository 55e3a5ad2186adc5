// gradcheck of the rules of softmax, log_softmax and layer_norm (with and
// without weight and bias, along the last dim and an inner one).
#include <doctest/doctest.h>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::spread_tensor;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("rules: softmax and log_softmax along dim 0 and dim -1") {
  auto x = spread_tensor<double, N, 5>({3, 5}, -2, 2);
  CHECK_GRADCHECK(trace([](auto a) { return softmax<0>(a); }, spec<double, N, 5>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return softmax<-1>(a * a); }, spec<double, N, 5>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return log_softmax<0>(a * a); }, spec<double, N, 5>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return log_softmax(a); }, spec<double, N, 5>{}), x);
}

TEST_CASE("rules: layer_norm with weight and bias, all three gradients") {
  auto x = spread_tensor<double, N, 5>({3, 5}, -2, 2);
  auto w = spread_tensor<double, 5>(0.5, 1.5);
  auto b = spread_tensor<double, 5>(-1, 1);
  CHECK_GRADCHECK(trace([](auto a, auto wt, auto bs) { return layer_norm(a, wt, bs); }, spec<double, N, 5>{},
                        spec<double, 5>{}, spec<double, 5>{}),
                  x, w, b);
  // Along an inner dim: the weight broadcasts over the dims after it.
  auto y = spread_tensor<double, 2, 4, 3>(-2, 2);
  auto w4 = spread_tensor<double, 4>(0.5, 1.5);
  auto b4 = spread_tensor<double, 4>(-1, 1);
  CHECK_GRADCHECK(trace([](auto a, auto wt, auto bs) { return layer_norm<1>(a * a, wt, bs, 1e-3); },
                        spec<double, 2, 4, 3>{}, spec<double, 4>{}, spec<double, 4>{}),
                  y, w4, b4);
  // bias's gradient is the cotangent summed over every dim but the normalized one.
  auto db = grad<2>(trace([](auto a, auto wt, auto bs) { return sum(layer_norm<1>(a, wt, bs)); },
                          spec<double, 2, 4, 3>{}, spec<double, 4>{}, spec<double, 4>{}))(y, w4, b4);
  check_close(db, {6, 6, 6, 6});
}

TEST_CASE("rules: layer_norm without weight and bias, and of a 1-D input") {
  auto x = spread_tensor<double, N, 5>({3, 5}, -2, 2);
  CHECK_GRADCHECK(trace([](auto a) { return layer_norm(exp(a)); }, spec<double, N, 5>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return layer_norm<0>(a, 0.1); }, spec<double, N, 5>{}), x);
  auto v = spread_tensor<double, 6>(-2, 2);
  auto w = spread_tensor<double, 6>(0.5, 1.5);
  auto b = spread_tensor<double, 6>(-1, 1);
  CHECK_GRADCHECK(trace([](auto a, auto wt, auto bs) { return layer_norm(a, wt, bs); }, spec<double, 6>{},
                        spec<double, 6>{}, spec<double, 6>{}),
                  v, w, b);
}

