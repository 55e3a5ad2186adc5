// gather<Axis>(x, index): torch.gather's semantics, checked against plain loops.
#include "test_util.hpp"

#include <ctrace/api/indexing.hpp>
#include <ctrace/backend/cpu/indexing.hpp>

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;

namespace {

// result[i][j] = x[idx[i][j]][j] (axis 0) or x[i][idx[i][j]] (axis 1), by hand.
template <class X, class I>
std::vector<double> gather_2d(const X& x, const I& idx, int axis) {
  std::vector<double> out;
  for (index_t i = 0; i < idx.size(0); ++i) {
    for (index_t j = 0; j < idx.size(1); ++j) {
      const auto k = static_cast<index_t>(idx(i, j));
      out.push_back(static_cast<double>(axis == 0 ? x(k, j) : x(i, k)));
    }
  }
  return out;
}

}  // namespace

TEST_CASE("gather picks along an axis, the result has the index's shape") {
  auto x = make_tensor<float, 2, 3>({10, 11, 12, 20, 21, 22});
  auto idx = make_tensor<std::int64_t, 2, 2>({2, 0, 1, 1});
  Tensor<float, 2, 2> g1 = gather<1>(x, idx);
  check_close(g1, {12, 10, 21, 21});
  // Axis 0: x[idx[i][j]][j].
  auto idx0 = make_tensor<std::int64_t, 1, 3>({1, 0, 1});
  Tensor<float, 1, 3> g0 = gather<0>(x, idx0);
  check_close(g0, {20, 11, 22});
  // Negative axis counts from the end.
  Tensor<float, 2, 2> gm = gather<-1>(x, idx);
  check_close(gm, {12, 10, 21, 21});
  static_assert(std::is_same_v<decltype(gather<1>(x, idx))::shape_type, shape_of<2, 2>>);
  CHECK(gather<1>(x, idx).attributes() == "dim=1");
  CHECK(decltype(gather<1>(x, idx))::name == "gather");
}

TEST_CASE("gather keeps x's element type and takes int32 or int64 indices") {
  auto xi = make_tensor<std::int32_t, 2, 2>({1, 2, 3, 4});
  auto i32 = make_tensor<std::int32_t, 2, 2>({1, 1, 0, 1});
  auto g = gather<1>(xi, i32).eval();
  static_assert(std::is_same_v<decltype(g)::value_type, std::int32_t>);
  check_close(g, {2, 2, 3, 4});
  auto xd = make_tensor<double, 3>({0.5, 1.5, 2.5});
  auto i64 = make_tensor<std::int64_t, 4>({2, 2, 0, 1});
  auto gd = gather<0>(xd, i64).eval();
  static_assert(std::is_same_v<decltype(gd)::value_type, double>);
  check_close(gd, {2.5, 2.5, 0.5, 1.5});
  auto xb = make_tensor<bool, 3>({true, false, true});
  auto gb = gather<0>(xb, make_tensor<std::int64_t, 2>({1, 2})).eval();
  check_close(gb, {0, 1});
}

TEST_CASE("gather reads strided sources and strided indices") {
  // x^T of a 3x4 tensor, and an index read through a step-2 slice.
  auto base = make_tensor<float, 3, 4>({0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  auto xt = base.transpose();  // [4, 3], strides (1, 4)
  auto big = make_tensor<std::int64_t, 4, 6>({2, 9, 0, 9, 1, 9,  //
                                              0, 9, 0, 9, 2, 9,  //
                                              1, 9, 1, 9, 1, 9,  //
                                              2, 9, 2, 9, 0, 9});
  auto idx = big.slice<1, 0, 6, 2>();  // [4, 3], columns 0, 2, 4
  CHECK_FALSE(idx.is_contiguous());
  CHECK_FALSE(xt.is_contiguous());
  auto g = gather<1>(xt, idx).eval();
  check_close(g, gather_2d(xt, idx, 1));
  auto idx0 = make_tensor<std::int32_t, 2, 3>({3, 0, 1, 2, 2, 2});
  auto g0 = gather<0>(xt, idx0).eval();
  check_close(g0, gather_2d(xt, idx0, 0));
}

TEST_CASE("gather of expressions, and gather inside an expression") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto idx = make_tensor<std::int64_t, 2, 3>({2, 1, 0, 0, 0, 0});
  // The source is x * 10, the index idx + 0 (still int64); the result feeds an add.
  Tensor<float, 2, 3> y = gather<1>(x * 10.0f, idx + 0) + 1.0f;
  check_close(y, {31, 21, 11, 41, 41, 41});
}

TEST_CASE("gather: the index may be shorter than x in the other dims") {
  auto x = make_tensor<float, 3, 4>({0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  auto idx = make_tensor<std::int64_t, 2, 2>({3, 0, 1, 2});
  auto g = gather<1>(x, idx).eval();
  check_close(g, {3, 0, 11, 12});
  auto idx0 = make_tensor<std::int64_t, 1, 2>({2, 1});
  check_close(gather<0>(x, idx0).eval(), {20, 11});
}

TEST_CASE("gather with size-0 and size-1 dims") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  Tensor<std::int64_t, 0, 3> none;
  auto g = gather<1>(x, none).eval();
  CHECK(g.numel() == 0);
  CHECK(g.size(1) == 3);
  // An empty x dim with an empty index is fine.
  Tensor<float, 2, 0> ex;
  Tensor<std::int64_t, 2, 0> ei;
  CHECK(gather<1>(ex, ei).eval().numel() == 0);
  // Size-1 everything.
  auto one = make_tensor<float, 1, 1>({7});
  auto zero = make_tensor<std::int64_t, 1, 1>({0});
  check_close(gather<0>(one, zero).eval(), {7});
  check_close(gather<1>(one, zero).eval(), {7});
}

TEST_CASE("gather with symbolic dims") {
  constexpr auto N = sym<"N">;
  constexpr auto K = sym<"K">;
  Tensor<float, N, 3> x(4, 3);
  for (index_t i = 0; i < 4; ++i) {
    for (index_t j = 0; j < 3; ++j) x(i, j) = static_cast<float>(10 * i + j);
  }
  Tensor<std::int64_t, N, K> idx(4, 2);
  for (index_t i = 0; i < 4; ++i) {
    idx(i, 0) = 2 - i % 3;
    idx(i, 1) = i % 3;
  }
  auto node = gather<1>(x, idx);
  static_assert(std::is_same_v<decltype(node)::shape_type, shape_of<N, K>>);
  Tensor<float, N, K> g = node;
  CHECK(g.size(0) == 4);
  CHECK(g.size(1) == 2);
  check_close(g, gather_2d(x, idx, 1));
  // A symbolic index dim longer than x's is caught at run time.
  Tensor<std::int64_t, K, 3> tall(5, 3);
  CHECK_THROWS_WITH_AS(gather<1>(x, tall), doctest::Contains("gather: the index has size 5 at dim 0 but x has only 4"),
                       ctrace::error);
}

TEST_CASE("gather: out-of-range and negative index values throw before anything is written") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto too_big = make_tensor<std::int64_t, 2, 2>({0, 1, 3, 0});
  CHECK_THROWS_WITH_AS(gather<1>(x, too_big).eval(),
                       doctest::Contains("gather: index 3 is out of range for dim 1 of size 3"), ctrace::error);
  auto negative = make_tensor<std::int32_t, 2, 2>({0, -1, 0, 0});
  CHECK_THROWS_WITH_AS(gather<1>(x, negative).eval(),
                       doctest::Contains("gather: index -1 is out of range for dim 1 of size 3"), ctrace::error);
  // Along axis 0 the limit is x.size(0).
  auto rows = make_tensor<std::int64_t, 1, 3>({0, 2, 1});
  CHECK_THROWS_WITH_AS(gather<0>(x, rows).eval(), doctest::Contains("index 2 is out of range for dim 0 of size 2"),
                       ctrace::error);
  // A non-empty index into an empty dim.
  Tensor<float, 2, 0> ex;
  auto zero = make_tensor<std::int64_t, 2, 1>({0, 0});
  CHECK_THROWS_WITH_AS(gather<1>(ex, zero).eval(), doctest::Contains("index 0 is out of range for dim 1 of size 0"),
                       ctrace::error);
  // In place: the destination keeps its values.
  Tensor<float, 2, 2> dest = full<float, 2, 2>(9.0f);
  CHECK_THROWS_AS(dest.assign(gather<1>(x, too_big)), ctrace::error);
  check_close(dest, {9, 9, 9, 9});
  // As an operand of an expression.
  CHECK_THROWS_AS((gather<1>(x, too_big) * 2.0f).eval(), ctrace::error);
}

TEST_CASE("gather over many rows runs in parallel and reports the first bad value") {
  constexpr index_t rows = 700, cols = 300;
  Tensor<double, rows, cols> x;
  Tensor<std::int64_t, rows, cols> idx;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) {
      x(i, j) = static_cast<double>(i * cols + j);
      idx(i, j) = (i * 7 + j * 13) % cols;
    }
  }
  auto g = gather<1>(x, idx).eval();
  check_close(g, gather_2d(x, idx, 1), 0);
  auto g0 = gather<0>(x, (idx * 2) + 1).eval();
  std::vector<double> expect;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) expect.push_back(x((idx(i, j) * 2 + 1), j));
  }
  check_close(g0, expect, 0);
  // Two bad values far apart: the first one in row-major order is named.
  idx(650, 3) = -5;
  idx(20, 100) = 1000;
  CHECK_THROWS_WITH_AS(gather<1>(x, idx).eval(), doctest::Contains("index 1000 is out of range for dim 1 of size 300"),
                       ctrace::error);
}
