// Large reductions: the packet and parallel paths of each plan (row reduced,
// row kept, few outputs split into pieces), accuracy of float sums of 2^24
// elements, and results that do not depend on the thread count.
#include "reduce_test_util.hpp"

#include <cmath>
#include <cstring>
#include <limits>

using namespace ctrace;
using namespace reduce_testing;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;
namespace ref = reduce_reference;

namespace {

// Runs f with 1 thread, then with 2, and checks the results are bit for bit equal.
template <class F>
void check_same_for_thread_counts(F f) {
  const int before = cpu_backend::num_threads();
  cpu_backend::set_num_threads(1);
  const auto one = to_vector(f());
  cpu_backend::set_num_threads(2);
  const auto two = to_vector(f());
  const auto again = to_vector(f());
  cpu_backend::set_num_threads(before);
  REQUIRE(one.size() == two.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    INFO("element " << i);
    CHECK(std::memcmp(&one[i], &two[i], sizeof(double)) == 0);
    CHECK(std::memcmp(&two[i], &again[i], sizeof(double)) == 0);
  }
}

double sum_in_double(const float* p, index_t n) {
  double s = 0;
  for (index_t i = 0; i < n; ++i) s += static_cast<double>(p[i]);
  return s;
}

}  // namespace

TEST_CASE("a float sum of 2^24 elements is accurate") {
  constexpr index_t n = index_t(1) << 24;
  generator g(11);
  Tensor<float, n> x = rand<float, n>(g);
  const double expected = sum_in_double(x.data(), n);
  const double got = static_cast<double>(sum(x).eval().item());
  // A plain float loop is off by ~1e-3 here (the running sum's ulp is 1).
  CHECK(std::fabs(got - expected) / expected < 2e-7);
  const double got_mean = static_cast<double>(mean(x).eval().item());
  CHECK(std::fabs(got_mean - expected / static_cast<double>(n)) < 2e-7);
  // The same through a fused producer, and as one column (the row-kept plan).
  const double got_fused = static_cast<double>(sum(x * 2.0f).eval().item());
  CHECK(std::fabs(got_fused - 2 * expected) / (2 * expected) < 2e-7);
  const auto columns = to_vector(sum<0>(x.reshape<n / 8, 8>()).eval());
  double columns_total = 0;
  for (double c : columns) columns_total += c;
  CHECK(std::fabs(columns_total - expected) / expected < 2e-7);

  // Variance of values far from zero (Welford, then Chan's merge).
  Tensor<float, n> shifted = x + 1000.0f;
  double m = 0, ss = 0;
  for (index_t i = 0; i < n; ++i) m += static_cast<double>(shifted.data()[i]);
  m /= static_cast<double>(n);
  for (index_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(shifted.data()[i]) - m;
    ss += d * d;
  }
  const double expected_var = ss / static_cast<double>(n - 1);
  CHECK(std::fabs(static_cast<double>(var(shifted).eval().item()) - expected_var) / expected_var < 1e-5);
  CHECK(std::fabs(static_cast<double>(mean(shifted).eval().item()) - m) / m < 1e-7);
}

TEST_CASE("each plan on large operands") {
  generator g(5);
  Tensor<float, 1024, 1024> x = rand<float, 1024, 1024>(g);
  Tensor<float, 1024, 1024> y = randn<float, 1024, 1024>(g);
  const auto xs = to_vector(x);
  const std::vector<std::int64_t> sz{1024, 1024};
  // Row reduced, many outputs (parallel over outputs).
  check_close(sum<1>(x).eval(), ref::reduce(xs, sz, {1}, ref::sum), 1e-5);
  check_close(max<1>(x).eval(), ref::reduce(xs, sz, {1}, ref::max), 0);
  check_close(argmin<1>(x).eval(), ref::reduce(xs, sz, {1}, ref::argmin), 0);
  check_close(var<1>(x).eval(), ref::reduce(xs, sz, {1}, ref::var_with(1)), 1e-5);
  // Row kept: whole rows of packets over the reduced dim.
  check_close(sum<0>(x).eval(), ref::reduce(xs, sz, {0}, ref::sum), 1e-5);
  check_close(min<0>(x).eval(), ref::reduce(xs, sz, {0}, ref::min), 0);
  check_close(argmax<0>(x).eval(), ref::reduce(xs, sz, {0}, ref::argmax), 0);
  check_close(ctrace::std<0>(x, 0).eval(), ref::reduce(xs, sz, {0}, ref::std_with(0)), 1e-5);
  // Transposed: the contiguous dim becomes the row whichever axis is reduced.
  const auto xts = to_vector(x.transpose());
  check_close(sum<1>(x.transpose()).eval(), ref::reduce(xts, sz, {1}, ref::sum), 1e-5);
  check_close(mean<0>(x.transpose()).eval(), ref::reduce(xts, sz, {0}, ref::mean), 1e-5);
  check_close(argmax<1>(x.transpose()).eval(), ref::reduce(xts, sz, {1}, ref::argmax), 0);
  // Fused: x * y + 1 read in the reduction's pass.
  const auto fused = to_vector((x * y + 1.0f).eval());
  check_close(sum<1>(x * y + 1.0f).eval(), ref::reduce(fused, sz, {1}, ref::sum), 1e-5);
  check_close(var<0>(x * y + 1.0f).eval(), ref::reduce(fused, sz, {0}, ref::var_with(1)), 1e-5);
  check_close(max(x * y + 1.0f).eval(), ref::reduce(fused, sz, {}, ref::max), 0);
  // Broadcast operand, reduced along the broadcast dim.
  Tensor<float, 1024> b = rand<float, 1024>(g);
  const auto bx = to_vector((x.transpose() + b).eval());
  check_close(sum<0>(x.transpose() + b).eval(), ref::reduce(bx, sz, {0}, ref::sum), 1e-5);
  check_close(sum<1>(x.transpose() + b).eval(), ref::reduce(bx, sz, {1}, ref::sum), 1e-5);
}

TEST_CASE("few outputs: each output's reduction is split into pieces") {
  generator g(9);
  Tensor<float, 4, 262144> wide = randn<float, 4, 262144>(g);
  const auto ws = to_vector(wide);
  check_close(sum<1>(wide).eval(), ref::reduce(ws, {4, 262144}, {1}, ref::sum), 1e-4);
  check_close(var<1>(wide).eval(), ref::reduce(ws, {4, 262144}, {1}, ref::var_with(1)), 1e-5);
  check_close(argmax<1>(wide).eval(), ref::reduce(ws, {4, 262144}, {1}, ref::argmax), 0);
  // Tall: row kept with 4 (or 12) outputs, many rows each.
  const auto tall = wide.reshape<262144, 4>();
  check_close(sum<0>(tall).eval(), ref::reduce(ws, {262144, 4}, {0}, ref::sum), 1e-4);
  check_close(mean<0>(tall).eval(), ref::reduce(ws, {262144, 4}, {0}, ref::mean), 1e-5);
  check_close(max<0>(tall).eval(), ref::reduce(ws, {262144, 4}, {0}, ref::max), 0);
  check_close(argmin<0>(tall).eval(), ref::reduce(ws, {262144, 4}, {0}, ref::argmin), 0);
  Tensor<double, 65536, 12> tall12 = randn<double, 65536, 12>(g);
  const auto t12 = to_vector(tall12);
  check_close(ctrace::std<0>(tall12).eval(), ref::reduce(t12, {65536, 12}, {0}, ref::std_with(1)), 1e-10);
  const auto near_one = to_vector((tall12 * 1e-4 + 1.0).eval());
  check_close(prod<0>(tall12 * 1e-4 + 1.0).eval(), ref::reduce(near_one, {65536, 12}, {0}, ref::prod), 1e-9);
  // Integers: exact.
  Tensor<int, 1048576> ints = (rand<float, 1048576>(g) * 1000.0f).to<int>();
  const auto is = to_vector(ints);
  check_close(sum(ints).eval(), {ref::sum(is)}, 0);
  check_close(max(ints).eval(), {ref::max(is)}, 0);
  check_close(argmax(ints).eval(), {ref::argmax(is)}, 0);
}

TEST_CASE("argmax ties and NaN across pieces and blocks") {
  constexpr index_t n = index_t(1) << 20;
  Tensor<float, n> x;  // zeros
  x(300000) = 1.0f;
  x(700000) = 1.0f;
  CHECK(argmax(x).eval().item() == 300000);
  CHECK(argmin(x).eval().item() == 0);
  x(900000) = std::numeric_limits<float>::quiet_NaN();
  x(800000) = std::numeric_limits<float>::quiet_NaN();
  CHECK(argmax(x).eval().item() == 800000);
  CHECK(argmin(x).eval().item() == 800000);
  CHECK(std::isnan(max(x).eval().item()));
  CHECK(std::isnan(min(x).eval().item()));
  CHECK(std::isnan(sum(x).eval().item()));
  // As 4 columns: each column is a few-output, row-kept reduction.
  const auto cols = x.reshape<n / 4, 4>();
  check_close(argmax<0>(cols).eval(), ref::reduce(to_vector(cols), {n / 4, 4}, {0}, ref::argmax), 0);
}

TEST_CASE("the result does not depend on the thread count") {
  generator g(3);
  Tensor<float, 4194304> flat = randn<float, 4194304>(g);
  Tensor<float, 512, 2048> m = randn<float, 512, 2048>(g);
  check_same_for_thread_counts([&] { return sum(flat).eval(); });
  check_same_for_thread_counts([&] { return var(flat).eval(); });
  check_same_for_thread_counts([&] { return sum<0>(flat.reshape<131072, 32>()).eval(); });
  check_same_for_thread_counts([&] { return sum<1>(m).eval(); });
  check_same_for_thread_counts([&] { return mean<0>(m).eval(); });
  check_same_for_thread_counts([&] { return ctrace::std<0>(m.transpose()).eval(); });
}
