// topk<K, Axis>(x) and topk<Axis>(x, k): torch.topk (largest, sorted).
#include "test_util.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <ctrace/api/sort.hpp>
#include <ctrace/backend/cpu/sort.hpp>

using namespace ctrace;
using ctrace::testing::check_close;

namespace {

// The k first (value, index) pairs of a line: a stable sort that puts NaN
// first and larger values before smaller ones (equal ones keep their order).
std::vector<std::pair<double, index_t>> reference_topk(const std::vector<double>& line, index_t k) {
  std::vector<std::pair<double, index_t>> all;
  for (std::size_t i = 0; i < line.size(); ++i) all.emplace_back(line[i], static_cast<index_t>(i));
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    if (std::isnan(a.first)) return !std::isnan(b.first);
    if (std::isnan(b.first)) return false;
    return a.first > b.first;
  });
  all.resize(static_cast<std::size_t>(k));
  return all;
}

}  // namespace

TEST_CASE("topk with a static k: largest first, sorted, with indices") {
  auto x = make_tensor<float, 2, 5>({1, 9, 3, 7, 5, 2, 2, 8, 0, 8});
  auto [values, indices] = topk<3>(x);
  static_assert(std::is_same_v<decltype(values)::shape_type, shape_of<2, 3>>);
  static_assert(std::is_same_v<decltype(indices)::value_type, std::int64_t>);
  Tensor<float, 2, 3> v = values;
  Tensor<std::int64_t, 2, 3> i = indices;
  check_close(v, {9, 7, 5, 8, 8, 2});
  check_close(i, {1, 3, 4, 2, 4, 0});
  // Along axis 0.
  auto r0 = topk<1, 0>(x);
  static_assert(std::is_same_v<decltype(r0.values)::shape_type, shape_of<1, 5>>);
  check_close(r0.values.eval(), {2, 9, 8, 7, 8});
  check_close(r0.indices.eval(), {1, 0, 1, 0, 1});
  CHECK(values.attributes() == "k=3, dim=1, largest=true, sorted=true, output=values");
  CHECK(decltype(values)::name == "topk");
  // A result is an ordinary operand.
  Tensor<float, 2, 2> w = topk<2>(x).values - 1.0f;
  check_close(w, {8, 6, 7, 7});
}

TEST_CASE("topk: NaN ranks above every number, ties keep the lower index first") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto x = make_tensor<double, 7>({3, nan, inf, 3, nan, -inf, 3});
  auto [v, i] = topk<6>(x);
  check_close(v.eval(), {nan, nan, inf, 3, 3, 3});
  check_close(i.eval(), {1, 4, 2, 0, 3, 6});
  auto all = topk<7>(x);
  check_close(all.values.eval(), {nan, nan, inf, 3, 3, 3, -inf});
  check_close(all.indices.eval(), {1, 4, 2, 0, 3, 6, 5});
  auto ints = make_tensor<std::int32_t, 5>({4, 4, 1, 4, 2});
  auto ri = topk<4>(ints);
  static_assert(std::is_same_v<decltype(ri.values)::value_type, std::int32_t>);
  check_close(ri.values.eval(), {4, 4, 4, 2});
  check_close(ri.indices.eval(), {0, 1, 3, 4});
}

TEST_CASE("topk with a run-time k") {
  auto x = make_tensor<float, 2, 4>({4, 1, 3, 2, 0, 5, 5, 1});
  auto [v, i] = topk(x, 2);
  static_assert(std::is_same_v<decltype(v)::shape_type, shape_of<2, dyn>>);
  check_close(v.eval(), {4, 3, 5, 5});
  check_close(i.eval(), {0, 2, 1, 2});
  auto r = topk<0>(x, 1);
  static_assert(std::is_same_v<decltype(r.indices)::shape_type, shape_of<dyn, 4>>);
  check_close(r.values.eval(), {4, 5, 5, 2});
  check_close(r.indices.eval(), {0, 1, 1, 0});
  // k = 0 and k = the whole dim.
  CHECK(topk(x, 0).values.eval().numel() == 0);
  check_close(topk(x, 4).indices.eval(), {0, 2, 3, 1, 1, 2, 3, 0});
}

TEST_CASE("topk: k out of range throws, or does not compile") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  CHECK_THROWS_WITH_AS(topk(x, 4), doctest::Contains("topk: k = 4 is out of range for dim 1 of size 3"), ctrace::error);
  CHECK_THROWS_WITH_AS(topk<0>(x, 3), doctest::Contains("topk: k = 3 is out of range for dim 0 of size 2"),
                       ctrace::error);
  CHECK_THROWS_WITH_AS(topk(x, -1), doctest::Contains("topk: k = -1 is negative"), ctrace::error);
  // A static k against a symbolic dim is checked at run time.
  constexpr auto N = sym<"N">;
  Tensor<float, 2, N> s(2, 2);
  CHECK_THROWS_WITH_AS(topk<3>(s), doctest::Contains("topk: k = 3 is out of range for dim 1 of size 2"),
                       ctrace::error);
  Tensor<float, 2, N> s4(2, 4);
  for (index_t k = 0; k < 8; ++k) s4.data()[k] = static_cast<float>((k * 3) % 8);  // 0 3 6 1 4 7 2 5
  auto r = topk<3>(s4);
  static_assert(std::is_same_v<decltype(r.values)::shape_type, shape_of<2, 3>>);
  check_close(r.values.eval(), {6, 3, 1, 7, 5, 4});
  check_close(r.indices.eval(), {2, 1, 3, 1, 3, 0});
}

TEST_CASE("topk reads strided inputs and expressions; size-0 and size-1 dims") {
  auto base = make_tensor<float, 3, 2>({5, 1, 2, 6, 9, 3});
  auto t = base.transpose();  // [[5, 2, 9], [1, 6, 3]]
  auto [v, i] = topk<2>(t);
  check_close(v.eval(), {9, 5, 6, 3});
  check_close(i.eval(), {2, 0, 1, 2});
  check_close(topk<1>(t * -1.0f).values.eval(), {-2, -1});
  Tensor<float, 0, 4> e;
  CHECK(topk<2>(e).values.eval().numel() == 0);
  Tensor<float, 3, 0> z;
  CHECK(topk<0>(z).indices.eval().size(0) == 3);
  auto one = make_tensor<float, 1, 1>({4});
  check_close(topk<1>(one).values.eval(), {4});
  check_close(topk<1>(one).indices.eval(), {0});
}

TEST_CASE("topk over many lines matches a stable sort, small and large k") {
  constexpr index_t rows = 300, cols = 200;
  Tensor<float, rows, cols> x;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) {
      // Many ties, and some NaNs.
      x(i, j) = (i + j) % 37 == 0 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>((i * 7 + j * 11) % 23);
    }
  }
  for (index_t k : {index_t(5), index_t(150), cols}) {
    CAPTURE(k);
    std::vector<double> ev, ei;
    for (index_t i = 0; i < rows; ++i) {
      std::vector<double> line;
      for (index_t j = 0; j < cols; ++j) line.push_back(x(i, j));
      for (const auto& [value, where] : reference_topk(line, k)) {
        ev.push_back(value);
        ei.push_back(static_cast<double>(where));
      }
    }
    auto [v, i] = topk(x, k);
    check_close(v.eval(), ev, 0);
    check_close(i.eval(), ei, 0);
  }
  // Along axis 0 (lines strided in memory).
  std::vector<double> ev0(5 * cols), ei0(5 * cols);
  for (index_t j = 0; j < cols; ++j) {
    std::vector<double> line;
    for (index_t i = 0; i < rows; ++i) line.push_back(x(i, j));
    const auto top = reference_topk(line, 5);
    for (index_t r = 0; r < 5; ++r) {
      ev0[static_cast<std::size_t>(r * cols + j)] = top[static_cast<std::size_t>(r)].first;
      ei0[static_cast<std::size_t>(r * cols + j)] = static_cast<double>(top[static_cast<std::size_t>(r)].second);
    }
  }
  auto [v0, i0] = topk<5, 0>(x);
  check_close(v0.eval(), ev0, 0);
  check_close(i0.eval(), ei0, 0);
}
