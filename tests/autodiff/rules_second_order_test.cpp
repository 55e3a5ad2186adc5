// The rules build their backward from public ops, so a gradient graph can be
// differentiated again: gradcheck of grad(g) (its vector-Jacobian product
// against finite differences of the gradient) through gather, index_select,
// cumsum, topk, masked_select, cat and max (layer_norm:
// rules_second_order_nn_test.cpp). The sin() makes every second derivative
// non-zero.
#include <doctest/doctest.h>

#include <cstdint>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::spread_tensor;

TEST_CASE("second order: gather and index_select (scatter_add and index_add in the gradient)") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto cols = make_tensor<std::int64_t, 3, 3>({3, 3, 0, 1, 2, 1, 0, 0, 0});
  auto idx = make_tensor<std::int64_t, 5>({2, 0, 2, 3, 2});
  CHECK_GRADCHECK(grad(trace([cols](auto a) { return sum(sin(gather<1>(a, cols))); }, spec<double, 3, 4>{})), x);
  CHECK_GRADCHECK(grad(trace([idx](auto a) { return sum(sin(index_select<1>(a, idx))); }, spec<double, 3, 4>{})), x);
}

TEST_CASE("second order: cumsum, topk and masked_select") {
  auto x = spread_tensor<double, 3, 5>(-2, 2);
  auto mask = make_tensor<bool, 3, 5>({true, false, true, true, false, false, true, true, false, true, true, true,
                                       false, false, true});
  CHECK_GRADCHECK(grad(trace([](auto a) { return sum(sin(cumsum<1>(a))); }, spec<double, 3, 5>{})), x);
  CHECK_GRADCHECK(grad(trace([](auto a) { return sum(sin(topk<2>(a).values * flit<2>)); }, spec<double, 3, 5>{})), x);
  CHECK_GRADCHECK(grad(trace([mask](auto a) { return sum(sin(masked_select(a * a, mask))); }, spec<double, 3, 5>{})), x);
}

TEST_CASE("second order: cat and max") {
  auto x = spread_tensor<double, 3, 5>(-2, 2);
  auto y = spread_tensor<double, 2, 5>(-1, 1);
  CHECK_GRADCHECK(grad(trace([](auto a, auto b) { return sum(sin(cat<0>(a, b * b))); }, spec<double, 3, 5>{},
                             spec<double, 2, 5>{})),
                  x, y);
  CHECK_GRADCHECK(grad(trace([](auto a) { return sum(sin(max<1>(a, keepdim) * max<0>(a, keepdim))); }, spec<double, 3, 5>{})),
                  x);
}
