// The accumulating ops index_add and scatter_add (the adjoints of
// index_select and gather), then gradcheck of the rules of every indexing and
// scan op: gather, index_select, x[idx], index_add, scatter_add,
// masked_select, topk, cummax, cumsum. Repeated indices must accumulate.
#include <doctest/doctest.h>

#include <cstdint>

#include "autodiff/rules_util.hpp"
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;
using ctrace::testing::spread_tensor;
using ctrace::testing::to_vector;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("index_add: slices added at the indexed positions, repeated ones add up") {
  auto x = make_tensor<float, 3, 2>({1, 2, 3, 4, 5, 6});
  auto v = make_tensor<float, 4, 2>({10, 20, 30, 40, 50, 60, 70, 80});
  auto idx = make_tensor<std::int64_t, 4>({2, 0, 2, 2});
  Tensor<float, 3, 2> r = index_add<0>(x, idx, v);
  // row 0 += v[1]; row 2 += v[0] + v[2] + v[3]
  check_close(r, {1 + 30, 2 + 40, 3, 4, 5 + 10 + 50 + 70, 6 + 20 + 60 + 80});
  auto cols = make_tensor<std::int32_t, 3>({1, 1, 0});
  auto w = make_tensor<double, 3, 3>({1, 2, 3, 4, 5, 6, 7, 8, 9});
  Tensor<double, 3, 2> c = index_add<-1>(zeros<double, 3, 2>(), cols, w);
  check_close(c, {3, 1 + 2, 6, 4 + 5, 9, 7 + 8});
  // Bad indices are refused before anything is written.
  auto bad = make_tensor<std::int64_t, 4>({0, 3, 1, 1});
  CHECK_THROWS_WITH_AS((Tensor<float, 3, 2>(index_add<0>(x, bad, v))),
                       doctest::Contains("index_add: index 3 is out of range for dim 0 of size 3"), ctrace::error);
}

TEST_CASE("scatter_add: each element added where the index sends it, repeated positions add up") {
  auto x = make_tensor<double, 2, 4>({0, 0, 0, 0, 1, 1, 1, 1});
  auto src = make_tensor<double, 2, 3>({1, 2, 3, 4, 5, 6});
  auto idx = make_tensor<std::int64_t, 2, 3>({3, 3, 0, 1, 2, 1});
  Tensor<double, 2, 4> r = scatter_add<1>(x, idx, src);
  check_close(r, {3, 0, 0, 1 + 2, 1, 1 + 4 + 6, 1 + 5, 1});
  // Along dim 0, an index shorter than x in dim 1: the rest of x stays.
  auto rows = make_tensor<std::int64_t, 3, 2>({1, 0, 1, 1, 0, 1});
  auto s = make_tensor<float, 3, 2>({1, 2, 3, 4, 5, 6});
  Tensor<float, 2, 3> q = scatter_add<0>(zeros<float, 2, 3>(), rows, s);
  check_close(q, {5, 2, 0, 1 + 3, 4 + 6, 0});
  auto bad = make_tensor<std::int64_t, 2, 3>({0, 1, 4, 0, 0, 0});
  CHECK_THROWS_WITH_AS((Tensor<double, 2, 4>(scatter_add<1>(x, bad, src))),
                       doctest::Contains("scatter_add: index 4 is out of range for dim 1 of size 4"), ctrace::error);
}

TEST_CASE("rules: gather sends the cotangent back to every position it read") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto idx = make_tensor<std::int64_t, 2, 4>({0, 2, 2, 1, 0, 2, 1, 1});  // rows read twice
  CHECK_GRADCHECK(trace([](auto a, auto i) { return gather<0>(a, i) * flit<3>; }, spec<double, 3, 4>{},
                        spec<std::int64_t, 2, 4>{}),
                  x, idx);
  auto cols = make_tensor<std::int64_t, 3, 3>({3, 3, 0, 1, 2, 1, 0, 0, 0});
  auto g = trace([cols](auto a) { return gather<1>(exp(a), cols); }, spec<double, 3, 4>{});
  CHECK_GRADCHECK(g, x);
  // d/da sum(gather(a)) counts how often each element was read.
  auto counts = grad(trace([cols](auto a) { return sum(gather<1>(a, cols)); }, spec<double, 3, 4>{}))(x);
  check_close(counts, {1, 0, 0, 2, 0, 2, 1, 0, 3, 0, 0, 0});
}

TEST_CASE("rules: index_select and x[idx] accumulate over repeated indices") {
  auto x = spread_tensor<double, N, 4>({3, 4}, -1, 1);
  auto idx = make_tensor<std::int64_t, 5>({2, 0, 2, 3, 2});
  CHECK_GRADCHECK(trace([idx](auto a) { return index_select<1>(a * a, idx); }, spec<double, N, 4>{}), x);
  auto rows = make_tensor<std::int32_t, 4>({1, 1, 2, 1});
  CHECK_GRADCHECK(trace([](auto a, auto i) { return sin(index(a, i)); }, spec<double, N, 4>{}, spec<std::int32_t, 4>{}),
                  x, rows);
  auto counts = grad(trace([idx](auto a) { return sum(index_select<1>(a, idx)); }, spec<double, N, 4>{}))(x);
  check_close(counts, expected_from(12, [](std::size_t i) { return std::array<double, 4>{1, 0, 3, 1}[i % 4]; }));
}

TEST_CASE("rules: index_add and scatter_add, both the base and the source") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto v = spread_tensor<double, 5, 4>(-2, 1);
  auto idx = make_tensor<std::int64_t, 5>({2, 0, 2, 1, 2});
  CHECK_GRADCHECK(trace([idx](auto a, auto b) { return index_add<0>(a * a, idx, b * b); }, spec<double, 3, 4>{},
                        spec<double, 5, 4>{}),
                  x, v);
  auto src = spread_tensor<double, 3, 2>(-1.5, 1.5);
  auto cols = make_tensor<std::int64_t, 3, 2>({3, 3, 0, 1, 1, 1});
  CHECK_GRADCHECK(trace([cols](auto a, auto s) { return scatter_add<1>(sin(a), cols, s * s); }, spec<double, 3, 4>{},
                        spec<double, 3, 2>{}),
                  x, src);
}

TEST_CASE("rules: masked_select puts the cotangent back under the mask, summed over broadcast dims") {
  auto x = spread_tensor<double, 3, 4>(-1, 1);
  auto mask = make_tensor<bool, 3, 4>({true, false, false, true, false, true, true, true, false, false, true, false});
  auto g = trace([mask](auto a) { return masked_select(a * a, mask); }, spec<double, 3, 4>{});
  CHECK_GRADCHECK(g, x);
  // x broadcast over the mask's rows: each element gets the cotangents of its column.
  auto row = spread_tensor<double, 4>(-1, 1);
  auto h = trace([mask](auto a) { return sum(masked_select(a, mask) * flit<2>); }, spec<double, 4>{});
  CHECK_GRADCHECK(h, row);
  check_close(grad(h)(row), {2, 2, 4, 4});
  // Nothing selected: a zero gradient, and no index read out of range.
  auto none = make_tensor<bool, 3, 4>({false, false, false, false, false, false, false, false, false, false, false, false});
  auto z = trace([none](auto a) { return sum(masked_select(a, none)); }, spec<double, 3, 4>{});
  check_close(grad(z)(x), std::vector<double>(12, 0.0));
}

TEST_CASE("rules: topk's values send the cotangent to the chosen positions (static and run-time k)") {
  auto x = spread_tensor<double, 3, 5>(-2, 2);  // no ties
  CHECK_GRADCHECK(trace([](auto a) { return topk<2>(a).values * flit<3>; }, spec<double, 3, 5>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return exp(topk<0>(a, 2).values); }, spec<double, 3, 5>{}), x);
  auto picks = grad(trace([](auto a) { return sum(topk<2, 0>(a).values); }, spec<double, 3, 5>{}))(x);
  const auto xv = to_vector(x);
  check_close(picks, expected_from(15, [&](std::size_t i) {
                int above = 0;  // how many in its column are larger
                for (std::size_t r = 0; r < 3; ++r) above += xv[r * 5 + i % 5] > xv[i] ? 1 : 0;
                return above < 2 ? 1.0 : 0.0;
              }));
}

TEST_CASE("rules: cummax's values add up at the position of each running maximum") {
  auto x = spread_tensor<double, 3, 5>(-2, 2);
  CHECK_GRADCHECK(trace([](auto a) { return cummax<1>(a).values; }, spec<double, 3, 5>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return sin(cummax<0>(exp(a)).values); }, spec<double, 3, 5>{}), x);
  auto r = make_tensor<double, 5>({1, 3, 2, 5, 4});
  auto counts = grad(trace([](auto a) { return sum(cummax<0>(a).values); }, spec<double, 5>{}))(r);
  check_close(counts, {1, 2, 0, 2, 0});
}

TEST_CASE("rules: cumsum's cotangent is the reverse running sum") {
  auto x = spread_tensor<double, N, 4>({3, 4}, -1, 1);
  CHECK_GRADCHECK(trace([](auto a) { return cumsum<1>(a * a); }, spec<double, N, 4>{}), x);
  CHECK_GRADCHECK(trace([](auto a) { return cumsum<0>(a); }, spec<double, N, 4>{}), x);
  auto r = make_tensor<double, 4>({1, 2, 3, 4});
  check_close(grad(trace([](auto a) { return sum(cumsum<0>(a)); }, spec<double, 4>{}))(r), {4, 3, 2, 1});
}

TEST_CASE("rules: the gradients of index_select and gather print as index_add and scatter_add") {
  auto g = trace([](auto a, auto i) { return sum(index_select<1>(a, i)); }, spec<float, 3, 4>{}, spec<std::int64_t, 5>{});
  CHECK(grad(g).to_text() ==
        "graph(%in0 : f32[3, 4], %in1 : i64[5]):\n"
        "  %0 : f32[3, 4] = full(value=0.000000)\n"
        "  %1 : f32[3, 5] = expand(1.0, size=[3, 5])\n"
        "  %2 : f32[3, 4] = index_add(%0, %in1, %1, dim=1)\n"
        "  return (%2)\n");
  auto h = trace([](auto a, auto i) { return sum(gather<0>(a, i)); }, spec<float, 3, 4>{}, spec<std::int64_t, 2, 4>{});
  CHECK(grad(h).to_text().find("= scatter_add(%0, %in1, %1, dim=0)") != std::string::npos);
}
