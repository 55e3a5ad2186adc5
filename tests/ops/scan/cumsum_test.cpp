// cumsum<Axis>(x): torch.cumsum, result types included.
#include "test_util.hpp"

#include <limits>

#include <ctrace/api/scan.hpp>
#include <ctrace/backend/cpu/scan.hpp>

using namespace ctrace;
using ctrace::testing::check_close;

TEST_CASE("cumsum along each axis") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  check_close(cumsum<1>(x).eval(), {1, 3, 6, 4, 9, 15});
  check_close(cumsum<0>(x).eval(), {1, 2, 3, 5, 7, 9});
  check_close(cumsum<-1>(x).eval(), {1, 3, 6, 4, 9, 15});
  check_close(cumsum<-2>(x).eval(), {1, 2, 3, 5, 7, 9});
  // The middle axis of a 3-D tensor.
  auto y = make_tensor<double, 2, 3, 2>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  check_close(cumsum<1>(y).eval(), {1, 2, 4, 6, 9, 12, 7, 8, 16, 18, 27, 30});
  CHECK(cumsum<1>(y).attributes() == "dim=1");
  CHECK(decltype(cumsum<1>(y))::name == "cumsum");
}

TEST_CASE("cumsum result types follow PyTorch") {
  auto i = make_tensor<std::int32_t, 4>({1, -2, 3, 2000000000});
  auto ri = cumsum<0>(i).eval();
  static_assert(std::is_same_v<decltype(ri)::value_type, std::int64_t>);
  // int64 accumulation: no int32 overflow at the last element.
  check_close(ri, {1, -1, 2, 2000000002}, 0);
  auto b = make_tensor<bool, 5>({true, false, true, true, false});
  auto rb = cumsum<0>(b).eval();
  static_assert(std::is_same_v<decltype(rb)::value_type, std::int64_t>);
  check_close(rb, {1, 1, 2, 3, 3});
  auto l = make_tensor<std::int64_t, 3>({5, 6, 7});
  static_assert(std::is_same_v<decltype(cumsum<0>(l).eval())::value_type, std::int64_t>);
  auto d = make_tensor<double, 2>({0.5, 0.25});
  static_assert(std::is_same_v<decltype(cumsum<0>(d).eval())::value_type, double>);
  auto h = make_tensor<f16, 3>({f16(1.0f), f16(0.5f), f16(0.25f)});
  auto rh = cumsum<0>(h).eval();
  static_assert(std::is_same_v<decltype(rh)::value_type, f16>);
  check_close(rh, {1, 1.5, 1.75});
}

TEST_CASE("cumsum of f32 accumulates in double, as PyTorch's CPU kernel") {
  // 1e8 + 1 rounds back to 1e8 in float; in double the ones add up to 1e8 + 8,
  // which float holds exactly.
  Tensor<float, 9> x;
  x(0) = 1e8f;
  for (index_t i = 1; i < 9; ++i) x(i) = 1.0f;
  auto r = cumsum<0>(x).eval();
  CHECK(r(8) == 100000008.0f);
}

TEST_CASE("cumsum reads strided inputs and expressions") {
  auto base = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto t = base.transpose();  // [[1, 4], [2, 5], [3, 6]]
  check_close(cumsum<0>(t).eval(), {1, 4, 3, 9, 6, 15});
  check_close(cumsum<1>(t).eval(), {1, 5, 2, 7, 3, 9});
  auto stepped = make_tensor<int, 6>({1, 100, 2, 100, 3, 100}).slice<0, 0, 6, 2>();
  check_close(cumsum<0>(stepped).eval(), {1, 3, 6});
  Tensor<float, 3, 2> y = cumsum<0>(t * 2.0f) + 1.0f;
  check_close(y, {3, 9, 7, 19, 13, 31});
}

TEST_CASE("cumsum with size-0, size-1 and symbolic dims") {
  Tensor<float, 0, 3> e;
  CHECK(cumsum<0>(e).eval().numel() == 0);
  CHECK(cumsum<1>(e).eval().numel() == 0);
  Tensor<float, 3, 0> e2;
  CHECK(cumsum<1>(e2).eval().numel() == 0);
  auto one = make_tensor<float, 1, 3>({1, 2, 3});
  check_close(cumsum<0>(one).eval(), {1, 2, 3});
  check_close(cumsum<1>(one).eval(), {1, 3, 6});
  constexpr auto N = sym<"N">;
  Tensor<std::int32_t, N, 2> s(3, 2);
  for (index_t k = 0; k < 6; ++k) s.data()[k] = static_cast<std::int32_t>(k);
  auto node = cumsum<0>(s);
  static_assert(std::is_same_v<decltype(node)::shape_type, shape_of<N, 2>>);
  Tensor<std::int64_t, N, 2> r = node;
  check_close(r, {0, 1, 2, 4, 6, 9});
}

TEST_CASE("cumsum over many lines matches a loop") {
  constexpr index_t rows = 300, cols = 401;
  Tensor<double, rows, cols> x;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) x(i, j) = static_cast<double>((i * 7 + j * 3) % 11) - 5.0;
  }
  std::vector<double> e1, e0(static_cast<std::size_t>(rows * cols));
  for (index_t i = 0; i < rows; ++i) {
    double acc = 0;
    for (index_t j = 0; j < cols; ++j) e1.push_back(acc += x(i, j));
  }
  for (index_t j = 0; j < cols; ++j) {
    double acc = 0;
    for (index_t i = 0; i < rows; ++i) e0[static_cast<std::size_t>(i * cols + j)] = acc += x(i, j);
  }
  check_close(cumsum<1>(x).eval(), e1, 0);
  check_close(cumsum<0>(x).eval(), e0, 0);
}
