// gradcheck of the rules of the nodes in-place ops are rewritten to inside a
// traced function (add_ and friends, slice assignment, index_put_), and of
// cond.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;
using ctrace::testing::spread_tensor;

TEST_CASE("rules: cond sends the cotangent into the branch that was taken") {
  auto f = [](auto x, auto y) {
    return cond(sum(x) > 0.0, [](auto a, auto b) { return a * b; }, [](auto a, auto b) { return sin(a) - b; }, x, y);
  };
  auto g = trace(f, spec<double, 3, 4>{}, spec<double, 3, 4>{});
  auto pos = spread_tensor<double, 3, 4>(-0.5, 2);
  auto neg = spread_tensor<double, 3, 4>(-2, 0.5);
  auto y = spread_tensor<double, 3, 4>(-1, 1);
  CHECK_GRADCHECK(g, pos, y);
  CHECK_GRADCHECK(g, neg, y);
  auto dy = grad<1>(trace([f](auto x, auto y2) { return sum(f(x, y2)); }, spec<double, 3, 4>{}, spec<double, 3, 4>{}))(neg, y);
  check_close(dy, std::vector<double>(12, -1.0));
}

TEST_CASE("rules: in-place ops inside a traced function (add_, mul_, sub_, div_)") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto y = spread_tensor<double, 4>(0.5, 2);
  auto f = [](auto a, auto b) {
    auto t = exp(a);
    auto t1 = add_(t, b * b);  // b broadcast over t's rows: summed back
    auto t2 = mul_(t1, a);
    auto t3 = sub_(t2, b);
    return div_(t3, b);
  };
  CHECK_GRADCHECK(trace(f, spec<double, 3, 4>{}, spec<double, 4>{}), x, y);
  // Updates of the graph's own inputs (versions of x), the result not returned.
  auto h = [](auto a, auto b) {
    auto a1 = add_(a, b);
    auto a2 = mul_(a1, a1);
    return sum(a2 * b);
  };
  CHECK_GRADCHECK(trace(h, spec<double, 3, 4>{}, spec<double, 4>{}), x, y);
}

TEST_CASE("rules: slice assignment (assign_ through a view) and index_put_") {
  auto x = spread_tensor<double, 4, 5>(-1, 1);
  auto v = spread_tensor<double, 4>(-2, 2);
  // x[:, 1] = v * v; x[1:3, 2:4] = sin of the same; then used.
  auto f = [](auto a, auto b) {
    auto t = a * flit<2>;
    auto t1 = assign_(select<1>(t, 1), b * b);
    auto t2 = assign_(slice<1, 2, 4>(slice<0>(t1, 1, 3)), sin(slice<0, 0, 2>(unsqueeze<1>(b))));
    return t2 * a;
  };
  CHECK_GRADCHECK(trace(f, spec<double, 4, 5>{}, spec<double, 4>{}), x, v);
  // The overwritten elements of x get no gradient from the first write.
  auto dx = grad<0>(trace([](auto a, auto b) { return sum(assign_(select<1>(a * flit<1>, 1), b)); },
                          spec<double, 4, 5>{}, spec<double, 4>{}))(x, v);
  check_close(dx, expected_from(20, [](std::size_t i) { return i % 5 == 1 ? 0.0 : 1.0; }));
  // x[idx] = values along dim 0, rows of values and a broadcast row.
  auto rows = make_tensor<std::int64_t, 2>({3, 0});
  auto vals = spread_tensor<double, 2, 5>(-2, 2);
  CHECK_GRADCHECK(trace([rows](auto a, auto b) { return index_put_(a * a, rows, exp(b)); }, spec<double, 4, 5>{},
                        spec<double, 2, 5>{}),
                  x, vals);
  auto row = spread_tensor<double, 5>(-2, 2);
  CHECK_GRADCHECK(trace([rows](auto a, auto b) { return index_put_(sin(a), rows, b * b); }, spec<double, 4, 5>{},
                        spec<double, 5>{}),
                  x, row);
}
