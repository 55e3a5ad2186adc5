// gradcheck of the reduction rules sum, mean, prod, var and std, each over
// one axis, several axes and all of them, with keepdim true and false (one
// graph per op returns all four), over static and symbolic dims. max and min:
// rules_reduce_max_test.cpp.
#include <doctest/doctest.h>

#include <tuple>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::spread_tensor;

namespace {
constexpr auto N = sym<"N">;

// op over dim 1, over dims 0 and 2 kept, over everything, over the last dim kept.
template <class Op>
auto four_ways(Op op) {
  return trace([op](auto a) { return op(a); }, spec<double, N, 3, 4>{});
}
}  // namespace

TEST_CASE("rules: sum and mean (symbolic and static counts)") {
  auto x = spread_tensor<double, N, 3, 4>({2, 3, 4}, -1, 1);
  CHECK_GRADCHECK(four_ways([](auto a) {
                    auto s = a * a;
                    return std::make_tuple(sum<1>(s), sum<0, 2>(s, keepdim), sum(s), sum<-1>(s, keepdim));
                  }),
                  x);
  CHECK_GRADCHECK(four_ways([](auto a) {
                    auto s = a * a;
                    return std::make_tuple(mean<1>(s), mean<0, 2>(s, keepdim), mean(s), mean<-1>(s, keepdim));
                  }),
                  x);
  auto y = spread_tensor<double, 2, 3, 4>(-1, 1);  // static dims: the count is a literal
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(mean<1>(exp(a)), mean(a * a), mean<2, 0>(a, keepdim)); },
                        spec<double, 2, 3, 4>{}),
                  y);
}

TEST_CASE("rules: prod (no zeros)") {
  auto x = spread_tensor<double, N, 3, 4>({2, 3, 4}, 0.5, 1.5);
  CHECK_GRADCHECK(four_ways([](auto a) {
                    auto s = a - 0.2;  // some below 1, none zero
                    return std::make_tuple(prod<1>(s), prod<0, 2>(s, keepdim), prod(s), prod<-1>(s, keepdim));
                  }),
                  x);
}

TEST_CASE("rules: var and std, unbiased and with other corrections") {
  auto x = spread_tensor<double, N, 3, 4>({2, 3, 4}, -1, 1);
  CHECK_GRADCHECK(four_ways([](auto a) {
                    auto s = a * a + a;
                    return std::make_tuple(var<1>(s), var<0, 2>(s, keepdim), var(s), var<-1>(s, keepdim, 0.0));
                  }),
                  x);
  CHECK_GRADCHECK(four_ways([](auto a) {
                    auto s = exp(a);
                    return std::make_tuple(ctrace::std<1>(s), ctrace::std<0, 2>(s, keepdim, 0.0), ctrace::std(s), ctrace::std<-1>(s, keepdim));
                  }),
                  x);
}
