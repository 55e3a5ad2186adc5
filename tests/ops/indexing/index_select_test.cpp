// index_select<Axis>(x, index) and index(x, idx) = x[idx]: torch.index_select.
#include "test_util.hpp"

#include <ctrace/api/indexing.hpp>
#include <ctrace/backend/cpu/indexing.hpp>

using namespace ctrace;
using ctrace::testing::check_close;

namespace {

// A [2, 3, 4] tensor whose element (i, j, k) is 100i + 10j + k.
Tensor<float, 2, 3, 4> numbered() {
  Tensor<float, 2, 3, 4> x;
  for (index_t i = 0; i < 2; ++i) {
    for (index_t j = 0; j < 3; ++j) {
      for (index_t k = 0; k < 4; ++k) x(i, j, k) = static_cast<float>(100 * i + 10 * j + k);
    }
  }
  return x;
}

}  // namespace

TEST_CASE("index_select along each axis of a 3-D tensor") {
  auto x = numbered();
  auto i0 = make_tensor<std::int64_t, 3>({1, 0, 1});
  auto s0 = index_select<0>(x, i0).eval();
  static_assert(std::is_same_v<decltype(s0)::shape_type, shape_of<3, 3, 4>>);
  std::vector<double> e0;
  for (int a : {1, 0, 1}) {
    for (int j = 0; j < 3; ++j) {
      for (int k = 0; k < 4; ++k) e0.push_back(100 * a + 10 * j + k);
    }
  }
  check_close(s0, e0);

  auto i1 = make_tensor<std::int32_t, 2>({2, 2});
  auto s1 = index_select<1>(x, i1).eval();
  static_assert(std::is_same_v<decltype(s1)::shape_type, shape_of<2, 2, 4>>);
  std::vector<double> e1;
  for (int i = 0; i < 2; ++i) {
    for (int b : {2, 2}) {
      for (int k = 0; k < 4; ++k) e1.push_back(100 * i + 10 * b + k);
    }
  }
  check_close(s1, e1);

  auto i2 = make_tensor<std::int64_t, 5>({3, 0, 0, 2, 1});
  auto s2 = index_select<-1>(x, i2).eval();
  static_assert(std::is_same_v<decltype(s2)::shape_type, shape_of<2, 3, 5>>);
  std::vector<double> e2;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int c : {3, 0, 0, 2, 1}) e2.push_back(100 * i + 10 * j + c);
    }
  }
  check_close(s2, e2);
  CHECK(index_select<2>(x, i2).attributes() == "dim=2");
}

TEST_CASE("index(x, idx) is x[idx] along dim 0") {
  auto x = make_tensor<std::int64_t, 3, 2>({1, 2, 3, 4, 5, 6});
  auto idx = make_tensor<std::int32_t, 4>({2, 0, 2, 1});
  auto r = index(x, idx).eval();
  static_assert(std::is_same_v<decltype(r)::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(r)::shape_type, shape_of<4, 2>>);
  check_close(r, {5, 6, 1, 2, 5, 6, 3, 4});
  CHECK(decltype(index(x, idx))::name == "index");
}

TEST_CASE("index_select reads strided sources and strided indices") {
  auto x = numbered();
  auto p = x.permute<2, 0, 1>();  // [4, 2, 3]: p(k, i, j) = x(i, j, k)
  auto raw = make_tensor<std::int64_t, 6>({1, -7, 0, -7, 1, -7});
  auto idx = raw.slice<0, 0, 6, 2>();  // {1, 0, 1}, stride 2
  CHECK_FALSE(idx.is_contiguous());
  auto r = index_select<2>(p, idx).eval();  // [4, 2, 3]
  std::vector<double> e;
  for (int k = 0; k < 4; ++k) {
    for (int i = 0; i < 2; ++i) {
      for (int j : {1, 0, 1}) e.push_back(100 * i + 10 * j + k);
    }
  }
  check_close(r, e);
  auto r0 = index_select<0>(p, idx).eval();  // [3, 2, 3]
  std::vector<double> e0;
  for (int k : {1, 0, 1}) {
    for (int i = 0; i < 2; ++i) {
      for (int j = 0; j < 3; ++j) e0.push_back(100 * i + 10 * j + k);
    }
  }
  check_close(r0, e0);
  // The source may be an expression, the result an operand.
  Tensor<float, 2, 3, 3> y = index_select<2>(x + 1.0f, idx) * 2.0f;
  std::vector<double> ey;
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) {
      for (int k : {1, 0, 1}) ey.push_back(2.0 * (100 * i + 10 * j + k + 1));
    }
  }
  check_close(y, ey);
}

TEST_CASE("index_select with size-0 and size-1 indices and dims") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  Tensor<std::int64_t, 0> none;
  auto r = index_select<1>(x, none).eval();
  CHECK(r.size(0) == 2);
  CHECK(r.size(1) == 0);
  auto one = make_tensor<std::int64_t, 1>({1});
  check_close(index_select<1>(x, one).eval(), {2, 5});
  check_close(index(x, one).eval(), {4, 5, 6});
  // x with an empty dim that is not indexed.
  Tensor<float, 0, 3> empty_rows;
  auto e = index_select<1>(empty_rows, make_tensor<std::int64_t, 2>({2, 0})).eval();
  CHECK(e.numel() == 0);
  CHECK(e.size(1) == 2);
}

TEST_CASE("index_select with symbolic dims") {
  constexpr auto N = sym<"N">;
  constexpr auto K = sym<"K">;
  Tensor<float, N, 2> x(3, 2);
  for (index_t i = 0; i < 3; ++i) {
    x(i, 0) = static_cast<float>(i);
    x(i, 1) = static_cast<float>(10 * i);
  }
  Tensor<std::int64_t, K> idx(5);
  for (index_t i = 0; i < 5; ++i) idx(i) = (i * 2) % 3;
  auto node = index(x, idx);
  static_assert(std::is_same_v<decltype(node)::shape_type, shape_of<K, 2>>);
  Tensor<float, K, 2> r = node;
  CHECK(r.size(0) == 5);
  check_close(r, {0, 0, 2, 20, 1, 10, 0, 0, 2, 20});
}

TEST_CASE("index_select and index: out-of-range and negative values throw") {
  auto x = make_tensor<float, 3, 2>({1, 2, 3, 4, 5, 6});
  CHECK_THROWS_WITH_AS(index(x, make_tensor<std::int64_t, 2>({0, 5})).eval(),
                       doctest::Contains("index: index 5 is out of range for dim 0 of size 3"), ctrace::error);
  CHECK_THROWS_WITH_AS(index(x, make_tensor<std::int32_t, 2>({-1, 0})).eval(),
                       doctest::Contains("index: index -1 is out of range for dim 0 of size 3"), ctrace::error);
  CHECK_THROWS_WITH_AS(index_select<1>(x, make_tensor<std::int64_t, 3>({0, 1, 2})).eval(),
                       doctest::Contains("index_select: index 2 is out of range for dim 1 of size 2"), ctrace::error);
  CHECK_THROWS_WITH_AS(index_select<-1>(x, make_tensor<std::int64_t, 1>({-3})).eval(),
                       doctest::Contains("index_select: index -3 is out of range for dim 1 of size 2"), ctrace::error);
  // Even when the result is empty because of another dim.
  Tensor<float, 0, 3> empty_rows;
  CHECK_THROWS_WITH_AS(index_select<1>(empty_rows, make_tensor<std::int64_t, 1>({3})).eval(),
                       doctest::Contains("index 3 is out of range for dim 1 of size 3"), ctrace::error);
  Tensor<float, 2, 2> dest = full<float, 2, 2>(9.0f);
  CHECK_THROWS_AS(dest.assign(index(x, make_tensor<std::int64_t, 2>({1, 3}))), ctrace::error);
  check_close(dest, {9, 9, 9, 9});
}

TEST_CASE("index_select over many rows matches a loop") {
  constexpr index_t rows = 400, cols = 257;
  Tensor<float, rows, cols> x;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) x(i, j) = static_cast<float>(i * cols + j);
  }
  Tensor<std::int64_t, 300> idx;
  for (index_t i = 0; i < 300; ++i) idx(i) = (i * 37) % rows;
  auto r = index(x, idx).eval();
  std::vector<double> e;
  for (index_t i = 0; i < 300; ++i) {
    for (index_t j = 0; j < cols; ++j) e.push_back(x(idx(i), j));
  }
  check_close(r, e, 0);
  Tensor<std::int32_t, 200> cidx;
  for (index_t i = 0; i < 200; ++i) cidx(i) = static_cast<std::int32_t>((i * 11) % cols);
  auto c = index_select<1>(x, cidx).eval();
  std::vector<double> ec;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < 200; ++j) ec.push_back(x(i, cidx(j)));
  }
  check_close(c, ec, 0);
}
