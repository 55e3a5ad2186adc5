// gradcheck of the rules of max and min (amax, amin) over one axis, several
// axes and all of them, with keepdim true and false; at a tie of two the
// cotangent is split evenly (what central differences see too).
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

TEST_CASE("rules: max and min (amax, amin) without ties") {
  auto x = spread_tensor<double, N, 3, 4>({2, 3, 4}, -1, 1);
  CHECK_GRADCHECK(four_ways([](auto a) {
                    auto s = sin(a);
                    return std::make_tuple(max<1>(s), max<0, 2>(s, keepdim), max(s), max<-1>(s, keepdim));
                  }),
                  x);
  // exp's packet and scalar versions differ in the last bit: the rule must
  // still find the minimum among the elements it recomputes (it gave 0/0).
  CHECK_GRADCHECK(four_ways([](auto a) {
                    auto s = exp(a);
                    return std::make_tuple(min<1>(s), min<0, 2>(s, keepdim), min(s), min<-1>(s, keepdim));
                  }),
                  x);
}

TEST_CASE("rules: max and min at a tie of two split the cotangent between them") {
  auto x = make_tensor<double, 2, 3>({1.5, -0.5, 1.5, -2, 0.25, -2});
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(max<1>(a), min<1>(a)); }, spec<double, 2, 3>{}), x);
  auto d = grad(trace([](auto a) { return sum(max<1>(a)); }, spec<double, 2, 3>{}))(x);
  check_close(d, {0.5, 0, 0.5, 0, 1, 0});
}

