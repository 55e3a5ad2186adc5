// masked_select(x, mask): torch.masked_select, a 1-D result of run-time length.
#include "test_util.hpp"

#include <ctrace/api/indexing.hpp>
#include <ctrace/backend/cpu/indexing.hpp>

using namespace ctrace;
using ctrace::testing::check_close;

TEST_CASE("masked_select keeps the elements where the mask is true, row-major") {
  auto x = make_tensor<float, 2, 3>({1, -2, 3, -4, 5, -6});
  auto mask = make_tensor<bool, 2, 3>({true, false, true, true, false, false});
  auto node = masked_select(x, mask);
  static_assert(std::is_same_v<decltype(node)::shape_type, shape_of<dyn>>);
  auto r = node.eval();
  CHECK(r.size(0) == 3);
  check_close(r, {1, 3, -4});
  // A mask computed from x.
  check_close(masked_select(x, x > 0.0f).eval(), {1, 3, 5});
  // Element types are kept.
  auto xi = make_tensor<std::int32_t, 4>({7, 8, 9, 10});
  auto ri = masked_select(xi, make_tensor<bool, 4>({false, true, false, true})).eval();
  static_assert(std::is_same_v<decltype(ri)::value_type, std::int32_t>);
  check_close(ri, {8, 10});
  CHECK(decltype(node)::name == "masked_select");
}

TEST_CASE("masked_select broadcasts mask and x together") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto row = make_tensor<bool, 3>({true, false, true});
  check_close(masked_select(x, row).eval(), {1, 3, 4, 6});
  auto col = make_tensor<bool, 2, 1>({false, true});
  check_close(masked_select(x, col).eval(), {4, 5, 6});
  // x smaller than the mask: x repeats.
  auto small = make_tensor<float, 3>({10, 20, 30});
  auto wide = make_tensor<bool, 2, 3>({true, true, false, false, true, true});
  check_close(masked_select(small, wide).eval(), {10, 20, 20, 30});
  // A 0-d x and mask.
  auto s = make_tensor<float>({4});
  auto t = make_tensor<bool>({true});
  check_close(masked_select(s, t).eval(), {4});
  CHECK(masked_select(s, make_tensor<bool>({false})).eval().size(0) == 0);
}

TEST_CASE("masked_select reads strided x and strided masks") {
  auto base = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto xt = base.transpose();  // [[1, 4], [2, 5], [3, 6]]
  auto m = make_tensor<bool, 3, 2>({true, true, false, true, true, false});
  check_close(masked_select(xt, m).eval(), {1, 4, 5, 3});
  auto mbase = make_tensor<bool, 2, 3>({true, false, true, true, true, false});
  auto mt = mbase.transpose();  // [[T, T], [F, T], [T, F]]
  CHECK_FALSE(mt.is_contiguous());
  check_close(masked_select(xt, mt).eval(), {1, 4, 5, 3});
  // Inside an expression.
  Tensor<float, dyn> y = masked_select(xt * 2.0f, mt) + 1.0f;
  check_close(y, {3, 9, 11, 7});
}

TEST_CASE("masked_select with no, all, and size-0 selections") {
  auto x = make_tensor<float, 2, 2>({1, 2, 3, 4});
  CHECK(masked_select(x, x > 10.0f).eval().size(0) == 0);
  check_close(masked_select(x, x > 0.0f).eval(), {1, 2, 3, 4});
  Tensor<float, 0, 3> empty;
  Tensor<bool, 0, 3> none;
  CHECK(masked_select(empty, none).eval().size(0) == 0);
  auto one = make_tensor<float, 1, 1>({5});
  check_close(masked_select(one, make_tensor<bool, 1>({true})).eval(), {5});
}

TEST_CASE("masked_select with symbolic dims") {
  constexpr auto N = sym<"N">;
  Tensor<float, N, 2> x(3, 2);
  Tensor<bool, N, 2> m(3, 2);
  for (index_t i = 0; i < 3; ++i) {
    x(i, 0) = static_cast<float>(i);
    x(i, 1) = static_cast<float>(-i);
    m(i, 0) = i != 1;
    m(i, 1) = i == 1;
  }
  check_close(masked_select(x, m).eval(), {0, -1, 2});
  Tensor<bool, N, 2> wrong(4, 2);
  CHECK_THROWS_WITH_AS(masked_select(x, wrong), doctest::Contains("masked_select: cannot broadcast dim 0"),
                       ctrace::error);
}

TEST_CASE("masked_select: a mask changed before evaluation is caught") {
  auto x = make_tensor<float, 3>({1, 2, 3});
  auto m = make_tensor<bool, 3>({true, false, false});
  auto node = masked_select(x, m);  // uses m's memory directly
  m(1) = true;
  CHECK_THROWS_WITH_AS(node.eval(), doctest::Contains("masked_select: the mask has 2 true elements now but had 1"),
                       ctrace::error);
}

TEST_CASE("masked_select over many elements matches a loop") {
  constexpr index_t rows = 500, cols = 301;
  Tensor<double, rows, cols> x;
  Tensor<bool, rows, cols> m;
  std::vector<double> e;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) {
      x(i, j) = static_cast<double>(i * cols + j);
      m(i, j) = ((i * 31 + j * 17) % 7) < 3;
      if (m(i, j)) e.push_back(x(i, j));
    }
  }
  auto r = masked_select(x, m).eval();
  CHECK(r.size(0) == static_cast<index_t>(e.size()));
  check_close(r, e, 0);
  // Broadcast mask over many rows.
  Tensor<bool, cols> row;
  std::vector<double> eb;
  for (index_t j = 0; j < cols; ++j) row(j) = j % 3 == 0;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; j += 3) eb.push_back(x(i, j));
  }
  check_close(masked_select(x, row).eval(), eb, 0);
}
