// The fused elementwise program: an elementwise subtree becomes one program of
// slots (operands first, then each node once), evaluated in one pass.
#include <type_traits>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;

namespace {
template <class Node, int R>
using eval_t = cpu_backend::evaluator<Node, R>;
}  // namespace

TEST_CASE("sigmoid(tanh(x * (x + y))) is one program: 3 operands, 4 nodes") {
  Tensor<float, 4, 8> x = rand<float, 4, 8>(), y = rand<float, 4, 8>();
  auto e = sigmoid(tanh(x * (x + y)));
  using E = eval_t<decltype(e), 2>;
  static_assert(E::slots == 7);  // x, x, y, add, mul, tanh, sigmoid
  static_assert(E::operand_count == 3);
  static_assert(E::operand_slot[0] == 0 && E::operand_slot[1] == 1 && E::operand_slot[2] == 2);
  static_assert(E::vectorizable);
  Tensor<float, 4, 8> z = e;
  check_close(z, expected_from(32, [&](std::size_t k) {
                const double a = x.data()[k], b = y.data()[k];
                return 1 / (1 + std::exp(-std::tanh(a * (a + b))));
              }),
              1e-6);
}

TEST_CASE("a program mixing types is not vectorized but still one pass") {
  Tensor<float, 3, 4> x = rand<float, 3, 4>();
  Tensor<float, 4> b = rand<float, 4>();
  Tensor<std::int32_t, 3, 4> i = full<std::int32_t, 3, 4>(2);
  auto e = where(x > 0.5f, (x + b) * (x - b) + i * x, b);
  using E = eval_t<decltype(e), 2>;
  static_assert(!E::vectorizable);
  static_assert(E::operand_count == 9);  // x (4 times), b (3 times), i, 0.5
  Tensor<float, 3, 4> z = e;
  check_close(z, expected_from(12, [&](std::size_t k) {
                const double xv = x.data()[k], bv = b.data()[k % 4];
                return xv > 0.5 ? (xv + bv) * (xv - bv) + 2 * xv : bv;
              }));
}

TEST_CASE("operands computed as a whole are evaluated once, then read") {
  Tensor<float, 8, 8> x = rand<float, 8, 8>();
  auto e = sum<1>(x) * 2 + x.select<0>(0);  // the reduction is an operand of the program
  using E = eval_t<decltype(e), 1>;
  static_assert(E::operand_count == 3);
  Tensor<float, 8> z = e;
  for (int i = 0; i < 8; ++i) {
    double s = 0;
    for (int j = 0; j < 8; ++j) s += x(i, j);
    CHECK(z(i) == doctest::Approx(2 * s + x(0, i)).epsilon(1e-5));
  }
}

TEST_CASE("a graph input used twice is one operand, loaded once per element") {
  using X = input_node<0, float, shape_of<4, 8>, cpu>;
  using Y = input_node<1, float, shape_of<4, 8>, cpu>;
  Tensor<float, 4, 8> xs = rand<float, 4, 8>(), ys = rand<float, 4, 8>();
  X x(xs.strided());
  Y y(ys.strided());
  auto e = sigmoid(tanh(x * (x + y)));
  // Input nodes borrow their memory, so expressions over them have no copy,
  // move or destructor of their own (what keeps long graphs compiling fast).
  static_assert(std::is_trivially_copyable_v<decltype(e)> && std::is_trivially_destructible_v<decltype(e)>);
  using E = eval_t<decltype(e), 2>;
  static_assert(E::slots == 7);
  static_assert(E::operand_count == 2);  // x once, y
  static_assert(E::alias_of[1] == 0);    // the second x reads the first
  static_assert(E::leaf_count == 2);
  static_assert(E::vectorizable);
  Tensor<float, 4, 8> z = e;
  check_close(z, expected_from(32, [&](std::size_t k) {
                const double a = xs.data()[k], b = ys.data()[k];
                return 1 / (1 + std::exp(-std::tanh(a * (a + b))));
              }));
}

TEST_CASE("large arithmetic-only outputs are written with streaming stores, values intact") {
  constexpr index_t n = (index_t{1} << 23) + 5;  // 32 MB and a tail; the start may be unaligned
  Tensor<float, dyn> x = arange<float>(0.0, static_cast<double>(n));
  Tensor<float, dyn> y = full<float, dyn>({n}, 2.0f);
  Tensor<float, dyn> z = x * y / (x - y * 2.0f) + y;
  static_assert(eval_t<decltype(x * y / (x - y * 2.0f) + y), 1>::memory_bound);
  static_assert(!eval_t<decltype(tanh(x) * y), 1>::memory_bound);
  for (index_t i : {index_t{0}, index_t{1}, index_t{7}, index_t{12345}, n - 1}) {
    const double a = static_cast<double>(i);
    const double expected = a * 2 / (a - 4) + 2;
    CHECK(z.data()[i] == doctest::Approx(expected).epsilon(1e-5));
  }
  // A view whose first element is not 64-byte aligned takes the scalar head.
  Tensor<float, dyn> w(n - 3);
  w.assign(slice<0>(x, 3, n) + 1.0f);
  CHECK(w.data()[0] == 4.0f);
  CHECK(w.data()[n - 4] == static_cast<float>(n));
}
