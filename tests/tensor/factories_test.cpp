// Factories and the counter-based generator.
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;

TEST_CASE("make_tensor lays values out row-major") {
  auto t = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  CHECK(t(0, 0) == 1);
  CHECK(t(0, 2) == 3);
  CHECK(t(1, 0) == 4);
  CHECK(t.is_contiguous());
  CHECK_THROWS_WITH_AS((make_tensor<float, 2, 3>({1, 2, 3})), doctest::Contains("3 values given for shape [2, 3]"),
                       ctrace::error);
}

TEST_CASE("zeros, ones and full") {
  Tensor<float, 2, 2> z = zeros<float, 2, 2>();
  Tensor<int, 3> o = ones<int, 3>();
  Tensor<double, 2, 3> f = full<double, 2, 3>(2.5);
  check_close(z, {0, 0, 0, 0});
  check_close(o, {1, 1, 1});
  check_close(f, {2.5, 2.5, 2.5, 2.5, 2.5, 2.5});
  constexpr auto N = sym<"N">;
  Tensor<float, N, 2> s = full<float, N, 2>({3, 2}, 7.0f);
  CHECK(s.size(0) == 3);
  check_close(s, {7, 7, 7, 7, 7, 7});
}

TEST_CASE("arange and linspace follow torch") {
  Tensor<std::int64_t, 5> a = arange<std::int64_t, 5>();
  check_close(a, {0, 1, 2, 3, 4});
  auto b = arange<float>(1.0, 2.0, 0.25).eval();
  CHECK(b.size(0) == 4);
  check_close(b, {1.0, 1.25, 1.5, 1.75});
  CHECK_THROWS_AS(arange<float>(0.0, 1.0, 0.0), ctrace::error);
  CHECK_THROWS_WITH_AS(arange<float>(2.0, 1.0, 1.0), doctest::Contains("does not lead from 2 to 1"), ctrace::error);
  Tensor<double, 5> l = linspace<double, 5>(-1.0, 1.0);
  check_close(l, {-1, -0.5, 0, 0.5, 1}, 1e-15);
  auto l1 = linspace<float>(3.0, 3.0, 1).eval();
  check_close(l1, {3});
  // Both ends exact even when the step is not representable.
  auto l3 = linspace<float>(0.0, 1.0, 7).eval();
  CHECK(l3(6) == 1.0f);
  CHECK(l3(0) == 0.0f);
}

TEST_CASE("eye") {
  Tensor<float, 2, 3> e = eye<float, 2, 3>();
  check_close(e, {1, 0, 0, 0, 1, 0});
}

TEST_CASE("philox4x32-10 matches the Random123 known-answer vectors") {
  auto zero = philox4x32::generate({{0, 0, 0, 0}}, 0, 0);
  CHECK(zero.v[0] == 0x6627e8d5u);
  CHECK(zero.v[1] == 0xe169c58du);
  CHECK(zero.v[2] == 0xbc57ac4cu);
  CHECK(zero.v[3] == 0x9b00dbd8u);
  auto ones = philox4x32::generate({{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu);
  CHECK(ones.v[0] == 0x408f276du);
  CHECK(ones.v[1] == 0x41c83b0eu);
  CHECK(ones.v[2] == 0xa20bc7c6u);
  CHECK(ones.v[3] == 0x6d5451fdu);
}

TEST_CASE("rand and randn: same seed gives the same values, whatever the thread count") {
  generator g1(42), g2(42);
  Tensor<float, 300, 301> a = rand<float, 300, 301>(g1);
  cpu_backend::set_num_threads(1);
  Tensor<float, 300, 301> b = rand<float, 300, 301>(g2);
  cpu_backend::set_num_threads(2);
  CHECK(to_vector(a) == to_vector(b));
  // The next draw from the same generator differs.
  Tensor<float, 300, 301> c = rand<float, 300, 301>(g1);
  CHECK(to_vector(a) != to_vector(c));
  // Range and moments of 90300 draws.
  const auto v = to_vector(a);
  double mean = 0, lo = 1, hi = 0;
  for (double x : v) {
    mean += x;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  mean /= static_cast<double>(v.size());
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(mean == doctest::Approx(0.5).epsilon(0.01));

  generator g3(7);
  Tensor<double, 200, 200> n = randn<double, 200, 200>(g3);
  const auto w = to_vector(n);
  double m = 0, m2 = 0;
  for (double x : w) {
    m += x;
    m2 += x * x;
  }
  m /= static_cast<double>(w.size());
  m2 = m2 / static_cast<double>(w.size()) - m * m;
  CHECK(std::fabs(m) < 0.02);
  CHECK(m2 == doctest::Approx(1.0).epsilon(0.02));
}

TEST_CASE("a generator broadcasts like any operand") {
  Tensor<float, 2, 3> x = zeros<float, 2, 3>() + arange<float, 3>();
  check_close(x, {0, 1, 2, 0, 1, 2});
}
