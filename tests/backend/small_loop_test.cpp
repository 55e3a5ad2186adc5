// Small elementwise loops (at most parallel_grain elements) run without the
// thread pool, and those whose output and operands are all dense in row-major
// order run as one flat run (backend/cpu/loop.hpp). These cases check that
// every other layout still goes through the general path correctly: strided,
// transposed and broadcast operands, strided outputs, size-1 dims with odd
// strides, generators, aliasing, and sizes on both sides of parallel_grain.
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;

namespace {
constexpr auto N = sym<"N">;

double simple(double a, double b) { return 1 / (1 + std::exp(-std::tanh(a * (a + b)))); }

const auto simple_fn = [](auto x, auto y) { return sigmoid(tanh(x * (x + y))); };
}  // namespace

TEST_CASE("a captured 4x4 call: static and symbolic specs, dense inputs") {
  Tensor<float, 4, 4> x = rand<float, 4, 4>(), y = rand<float, 4, 4>();
  auto expected = expected_from(16, [&](std::size_t k) { return simple(x.data()[k], y.data()[k]); });
  auto g = trace(simple_fn, spec<float, 4, 4>{}, spec<float, 4, 4>{});
  for (int call = 0; call < 3; ++call) {  // later calls reuse cached blocks
    Tensor<float, 4, 4> z = g(x, y);
    check_close(z, expected, 1e-6);
  }
  auto h = trace(simple_fn, spec<float, N, 4>{}, spec<float, N, 4>{});
  Tensor<float, N, 4> xs = x, ys = y;
  Tensor<float, N, 4> zs = h(xs, ys);
  check_close(zs, expected, 1e-6);
}

TEST_CASE("a captured call on strided and transposed inputs reads them through their strides") {
  Tensor<float, 8, 8> big = rand<float, 8, 8>();
  Tensor<float, 4, 4> y = rand<float, 4, 4>();
  auto g = trace(simple_fn, spec<float, 4, 4>{}, spec<float, 4, 4>{});
  // Every other row and column: strides (16, 2).
  auto xs = big.slice<0, 0, 8, 2>().slice<1, 0, 8, 2>();
  Tensor<float, 4, 4> z = g(xs, y);
  check_close(z, expected_from(16, [&](std::size_t k) {
                const std::size_t i = k / 4, j = k % 4;
                return simple(big(2 * i, 2 * j), y.data()[k]);
              }),
              1e-6);
  // A transposed input: strides (1, 4).
  Tensor<float, 4, 4> x = rand<float, 4, 4>();
  Tensor<float, 4, 4> zt = g(x.transpose(), y);
  check_close(zt, expected_from(16, [&](std::size_t k) {
                const std::size_t i = k / 4, j = k % 4;
                return simple(x(j, i), y.data()[k]);
              }),
              1e-6);
}

TEST_CASE("small loops with broadcast operands, generators and scalars") {
  Tensor<float, 4, 4> x = rand<float, 4, 4>();
  Tensor<float, 4> row = rand<float, 4>();
  Tensor<float, 4, 1> col = rand<float, 4, 1>();
  Tensor<float, 4, 4> a = x * row + col;
  check_close(a, expected_from(16, [&](std::size_t k) {
                const std::size_t i = k / 4, j = k % 4;
                return double(x.data()[k]) * row(j) + col(i, 0);
              }));
  // arange along the last dim, broadcast over rows; full() dense; a number.
  Tensor<float, 4, 4> b = x + arange<float, 4>() * full<float, 4, 4>(2.0f) - 1.5f;
  check_close(b, expected_from(16, [&](std::size_t k) { return double(x.data()[k]) + 2.0 * double(k % 4) - 1.5; }));
  // A lone scalar broadcast to every element.
  Tensor<float, 3, 5> c = full<float, 3, 5>(0.0f) + 7.0f;
  check_close(c, std::vector<double>(15, 7.0));
}

TEST_CASE("small loops into strided outputs and through size-1 dims with odd strides") {
  Tensor<float, 4, 4> x = rand<float, 4, 4>(), y = rand<float, 4, 4>();
  // Into a transposed view: z.transpose() gets the value, so z holds its transpose.
  Tensor<float, 4, 4> z = zeros<float, 4, 4>();
  z.transpose().assign(x * y + 1);
  check_close(z, expected_from(16, [&](std::size_t k) {
                const std::size_t i = k / 4, j = k % 4;
                return double(x(j, i)) * y(j, i) + 1;
              }));
  // Into every other column of a wider tensor.
  Tensor<float, 4, 8> w = zeros<float, 4, 8>();
  w.slice<1, 0, 8, 2>().assign(x - y);
  check_close(w, expected_from(32, [&](std::size_t k) {
                const std::size_t i = k / 8, j = k % 8;
                return j % 2 == 0 ? double(x(i, j / 2)) - y(i, j / 2) : 0.0;
              }));
  // A column of a matrix seen as [4, 1] (strides (4, 16) after unsqueeze of a
  // transposed row): the size-1 dim's stride is not the dense one.
  auto column = x.transpose().select<0>(1).unsqueeze<1>();  // x(:, 1) as [4, 1]
  Tensor<float, 4, 1> cy = rand<float, 4, 1>();
  Tensor<float, 4, 1> s = column * 3 + cy;
  check_close(s, expected_from(4, [&](std::size_t i) { return 3.0 * x(i, 1) + cy(i, 0); }));
  // Rank 3 with a middle dim of size 1.
  Tensor<float, 2, 1, 3> p = rand<float, 2, 1, 3>();
  Tensor<float, 2, 1, 3> q = p.permute<0, 1, 2>() * p;
  check_close(q, expected_from(6, [&](std::size_t k) { return double(p.data()[k]) * p.data()[k]; }));
}

TEST_CASE("a small loop that writes a tensor it reads") {
  Tensor<float, 4, 4> x = rand<float, 4, 4>();
  std::vector<double> before(x.data(), x.data() + 16);
  x.assign(sigmoid(x) * 2 + x);
  check_close(x, expected_from(16, [&](std::size_t k) { return 2 / (1 + std::exp(-before[k])) + before[k]; }), 1e-6);
  // Reading the transpose while writing: the value is as if read first.
  Tensor<float, 4, 4> t = rand<float, 4, 4>();
  std::vector<double> tb(t.data(), t.data() + 16);
  t.assign(t.transpose() + 1);
  check_close(t, expected_from(16, [&](std::size_t k) { return tb[(k % 4) * 4 + k / 4] + 1; }));
}

TEST_CASE("loops on both sides of parallel_grain agree with the reference") {
  constexpr auto M = sym<"M">;
  for (index_t n : {cpu_backend::parallel_grain - 1, cpu_backend::parallel_grain, cpu_backend::parallel_grain + 1,
                    3 * cpu_backend::parallel_grain + 5}) {
    CAPTURE(n);
    Tensor<float, M, 2> x = rand<float, M, 2>({n, 2}), y = rand<float, M, 2>({n, 2});
    Tensor<float, M, 2> dense = sigmoid(tanh(x * (x + y)));
    check_close(dense, expected_from(static_cast<std::size_t>(2 * n), [&](std::size_t k) {
                  return simple(x.data()[k], y.data()[k]);
                }),
                1e-6);
    // Column 0 of each against column 1: strided operands (stride 2).
    Tensor<float, M> strided = x.select<1>(0) * y.select<1>(1);
    check_close(strided, expected_from(static_cast<std::size_t>(n), [&](std::size_t i) {
                  return double(x.data()[2 * i]) * y.data()[2 * i + 1];
                }));
  }
}

TEST_CASE("a captured call with an in-place update writes the input back") {
  auto g = trace([](auto x, auto y) { return add_(x, y * 2); }, spec<float, 4, 4>{}, spec<float, 4, 4>{});
  Tensor<float, 4, 4> x = rand<float, 4, 4>(), y = rand<float, 4, 4>();
  std::vector<double> xb(x.data(), x.data() + 16);
  Tensor<float, 4, 4> r = g(x, y);
  auto expected = expected_from(16, [&](std::size_t k) { return xb[k] + 2.0 * y.data()[k]; });
  check_close(r, expected);
  check_close(x, expected);
}
