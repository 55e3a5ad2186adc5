// gradcheck of the matmul rule in torch.matmul's cases: vector . vector,
// vector . matrix, matrix . vector, matrix . matrix, batched with a matrix on
// either side, batch dims broadcast against each other (a size-1 batch dim
// and a missing one), vectors against batches, and a symbolic dim.
#include <doctest/doctest.h>

#include <tuple>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::spread_tensor;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("rules: matmul of vectors and matrices (1D.1D, 1D.2D, 2D.1D, 2D.2D)") {
  auto v = spread_tensor<double, 4>(-1, 1);
  auto w = spread_tensor<double, 4>(-2, 1);
  auto a = spread_tensor<double, 3, 4>(-1, 1);
  auto b = spread_tensor<double, 4, 2>(-1, 2);
  auto g = trace([](auto p, auto q, auto m, auto k) {
    return std::make_tuple(matmul(p, q), matmul(p, k), matmul(m, q), matmul(m, k));
  }, spec<double, 4>{}, spec<double, 4>{}, spec<double, 3, 4>{}, spec<double, 4, 2>{});
  CHECK_GRADCHECK(g, v, w, a, b);
  // d/dp (p . q) = q
  auto [dp, dq] = grad(trace([](auto p, auto q) { return matmul(p, q); }, spec<double, 4>{}, spec<double, 4>{}))(v, w);
  check_close(dp, ctrace::testing::to_vector(w));
  check_close(dq, ctrace::testing::to_vector(v));
}

TEST_CASE("rules: batched matmul with a matrix on either side") {
  auto x = spread_tensor<double, 2, 3, 4>(-1, 1);
  auto b = spread_tensor<double, 4, 5>(-1, 2);
  auto a = spread_tensor<double, 5, 3>(-2, 1);
  CHECK_GRADCHECK(trace([](auto p, auto q, auto r) { return std::make_tuple(matmul(p, q), matmul(r, p)); },
                        spec<double, 2, 3, 4>{}, spec<double, 4, 5>{}, spec<double, 5, 3>{}),
                  x, b, a);
}

TEST_CASE("rules: batch dims broadcast (size 1 against 2, missing against 5), vectors against batches") {
  auto p = spread_tensor<double, 2, 1, 3, 4>(-1, 1);
  auto q = spread_tensor<double, 5, 4, 2>(-1, 2);
  auto v = spread_tensor<double, 3>(-1, 1);
  auto u = spread_tensor<double, 4>(-2, 1);
  auto g = trace([](auto a, auto b, auto c, auto d) {
    return std::make_tuple(matmul(a, b), matmul(c, a), matmul(a, d), matmul(d, b));
  }, spec<double, 2, 1, 3, 4>{}, spec<double, 5, 4, 2>{}, spec<double, 3>{}, spec<double, 4>{});
  CHECK_GRADCHECK(g, p, q, v, u);
}

TEST_CASE("rules: matmul over a symbolic dim, inside an MLP layer") {
  auto x = spread_tensor<double, N, 4>({5, 4}, -1, 1);
  auto w = spread_tensor<double, 4, 3>(-1, 1);
  auto b = spread_tensor<double, 3>(-0.5, 0.5);
  CHECK_GRADCHECK(trace([](auto a, auto m, auto c) { return tanh(matmul(a, m) + c); }, spec<double, N, 4>{},
                        spec<double, 4, 3>{}, spec<double, 3>{}),
                  x, w, b);
  CHECK_GRADCHECK(trace([](auto a, auto m) { return matmul(transpose(a), matmul(a, m)); }, spec<double, N, 4>{},
                        spec<double, 4, 3>{}),
                  x, w);
}
