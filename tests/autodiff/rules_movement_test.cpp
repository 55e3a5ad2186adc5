// gradcheck of the rules of the movement ops (permute, transpose, select,
// slice, squeeze, unsqueeze, expand, reshape, view, diagonal): each moves the
// cotangent back the way the op moved the values. Several variants of one op go into one graph as a tuple of
// outputs (gradcheck weighs each output with its own cotangent).
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

TEST_CASE("rules: permute and transpose") {
  auto x = spread_tensor<double, 2, 3, 4>(-1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(permute<2, 0, 1>(a * a), permute<-1, 1, 0>(exp(a))); },
                        spec<double, 2, 3, 4>{}),
                  x);
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(transpose<0, 2>(a * a), transpose(sin(a))); },
                        spec<double, 2, 3, 4>{}),
                  x);
}

TEST_CASE("rules: select and slice write the cotangent into zeros through the same view") {
  auto x = spread_tensor<double, N, 5>({3, 5}, -1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(select<1>(a * a, 2), select<0>(exp(a), -1)); },
                        spec<double, N, 5>{}),
                  x);
  // Dynamic bounds with a step, static bounds, and a slice of a slice.
  CHECK_GRADCHECK(trace(
                      [](auto a) {
                        auto s = a * a;
                        return std::make_tuple(slice<1>(s, 1, 5, 2), slice<1, 0, 3>(sin(a)), slice<0>(slice<1, 1, 4>(s), 1, 3));
                      },
                      spec<double, N, 5>{}),
                  x);
  // The rows outside the slice get no gradient.
  auto d = grad(trace([](auto a) { return sum(slice<0>(a, 1, 3)); }, spec<double, N, 5>{}))(x);
  check_close(d, ctrace::testing::expected_from(15, [](std::size_t i) { return i >= 5 ? 1.0 : 0.0; }));
}

TEST_CASE("rules: squeeze, unsqueeze, expand") {
  auto x = spread_tensor<double, 3, 1, 4>(-1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(squeeze<1>(a * a), unsqueeze<0>(exp(a)), unsqueeze<-1>(a)); },
                        spec<double, 3, 1, 4>{}),
                  x);
  // expand over a size-1 dim and over new leading dims: summed back.
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(expand<3, 5, 4>(a * a), expand<2, 3, 5, -1>(sin(a))); },
                        spec<double, 3, 1, 4>{}),
                  x);
  auto v = spread_tensor<double, N>({3}, -1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return expand<2, N>(a * a, {2, a.sizes()[0]}); }, spec<double, N>{}), v);
}

TEST_CASE("rules: reshape and view, static and symbolic dims") {
  auto x = spread_tensor<double, N, 4>({3, 4}, -1, 1);
  CHECK_GRADCHECK(trace(
                      [](auto a) {
                        const index_t n = a.sizes()[0];
                        return std::make_tuple(reshape<-1>(a * a), reshape<N, 2, 2>(exp(a), {n, 2, 2}), view<2, -1>(sin(a)));
                      },
                      spec<double, N, 4>{}),
                  x);
  // A view of a transposed expression has to copy: reshape does.
  CHECK_GRADCHECK(trace([](auto a) { return reshape<4, -1>(transpose(a * a)); }, spec<double, N, 4>{}), x);
}

TEST_CASE("rules: diagonal at offsets 0, 1 and -1") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return std::make_tuple(diagonal(a * a), diagonal<1>(exp(a)), diagonal<-1>(a)); },
                        spec<double, 3, 4>{}),
                  x);
}

