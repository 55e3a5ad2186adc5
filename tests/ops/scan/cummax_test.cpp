// cummax<Axis>(x): torch.cummax, values and int64 indices as two nodes.
#include "test_util.hpp"

#include <cmath>
#include <limits>

#include <ctrace/api/scan.hpp>
#include <ctrace/backend/cpu/scan.hpp>

using namespace ctrace;
using ctrace::testing::check_close;

TEST_CASE("cummax gives values and indices, usable with structured bindings") {
  auto x = make_tensor<float, 2, 4>({1, 3, 2, 5, 4, 1, 6, 0});
  auto [values, indices] = cummax<1>(x);
  Tensor<float, 2, 4> v = values;
  Tensor<std::int64_t, 2, 4> i = indices;
  check_close(v, {1, 3, 3, 5, 4, 4, 6, 6});
  check_close(i, {0, 1, 1, 3, 0, 0, 2, 2});
  auto r0 = cummax<0>(x);
  check_close(r0.values.eval(), {1, 3, 2, 5, 4, 3, 6, 5});
  check_close(r0.indices.eval(), {0, 0, 0, 0, 1, 0, 1, 0});
  CHECK(values.attributes() == "dim=1, output=values");
  CHECK(indices.attributes() == "dim=1, output=indices");
  CHECK(decltype(values)::name == "cummax");
  // Each result is an ordinary operand.
  Tensor<float, 2, 4> w = cummax<-1>(x).values * 2.0f;
  check_close(w, {2, 6, 6, 10, 8, 8, 12, 12});
}

TEST_CASE("cummax: ties take the later index") {
  auto x = make_tensor<int, 6>({2, 2, 1, 2, 3, 3});
  auto [v, i] = cummax<0>(x);
  auto vt = v.eval();
  static_assert(std::is_same_v<decltype(vt)::value_type, int>);
  check_close(vt, {2, 2, 2, 2, 3, 3});
  check_close(i.eval(), {0, 1, 1, 3, 4, 5});
  auto b = make_tensor<bool, 4>({false, true, false, true});
  auto rb = cummax<0>(b);
  check_close(rb.values.eval(), {0, 1, 1, 1});
  check_close(rb.indices.eval(), {0, 1, 1, 3});
}

TEST_CASE("cummax: NaN propagates, a later NaN takes its own index (PyTorch's CPU rule)") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  auto x = make_tensor<float, 6>({1, nan, 5, inf, nan, 2});
  auto [v, i] = cummax<0>(x);
  check_close(v.eval(), {1, nan, nan, nan, nan, nan});
  check_close(i.eval(), {0, 1, 1, 1, 4, 4});
  auto y = make_tensor<double, 4>({-inf, -inf, 3, inf});
  auto r = cummax<0>(y);
  check_close(r.values.eval(), {-inf, -inf, 3, inf});
  check_close(r.indices.eval(), {0, 1, 2, 3});
}

TEST_CASE("cummax reads strided inputs; size-0, size-1 and symbolic dims") {
  auto base = make_tensor<float, 2, 3>({3, 1, 4, 1, 5, 9});
  auto t = base.transpose();  // [[3, 1], [1, 5], [4, 9]]
  auto r = cummax<0>(t);
  check_close(r.values.eval(), {3, 1, 3, 5, 4, 9});
  check_close(r.indices.eval(), {0, 0, 0, 1, 2, 2});
  Tensor<float, 0, 3> e;
  CHECK(cummax<0>(e).values.eval().numel() == 0);
  CHECK(cummax<1>(e).indices.eval().numel() == 0);
  auto one = make_tensor<float, 1, 2>({7, 8});
  check_close(cummax<0>(one).indices.eval(), {0, 0});
  constexpr auto N = sym<"N">;
  Tensor<float, 2, N> s(2, 3);
  for (index_t k = 0; k < 6; ++k) s.data()[k] = static_cast<float>((k * 5) % 4);  // 0 1 2 3 0 1
  auto rs = cummax<1>(s);
  static_assert(std::is_same_v<decltype(rs.indices)::shape_type, shape_of<2, N>>);
  Tensor<std::int64_t, 2, N> ri = rs.indices;
  check_close(ri, {0, 1, 2, 0, 0, 0});
  check_close(rs.values.eval(), {0, 1, 2, 3, 3, 3});
}

TEST_CASE("cummax over many lines matches a loop") {
  constexpr index_t rows = 257, cols = 300;
  Tensor<float, rows, cols> x;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) x(i, j) = static_cast<float>((i * 13 + j * 7) % 29);
  }
  std::vector<double> ev, ei;
  for (index_t i = 0; i < rows; ++i) {
    float best = x(i, 0);
    index_t where = 0;
    for (index_t j = 0; j < cols; ++j) {
      if (x(i, j) >= best) {
        best = x(i, j);
        where = j;
      }
      ev.push_back(best);
      ei.push_back(static_cast<double>(where));
    }
  }
  auto [v, i] = cummax<1>(x);
  check_close(v.eval(), ev, 0);
  check_close(i.eval(), ei, 0);
}
