// softmax and log_softmax: against reference rows in double, along each kind
// of axis, on strided and fused operands, with extreme values, long rows (the
// packet path) and many rows (the parallel path).
#include "test_util.hpp"

#include <ctrace/api/nn.hpp>
#include <ctrace/api/reduce.hpp>
#include <ctrace/backend/cpu/normalization.hpp>
#include <ctrace/backend/cpu/reduce.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "nn_reference.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;
namespace ref = nn_reference;

namespace {

template <class X>
std::vector<std::int64_t> sizes_of(const X& x) {
  const auto s = x.sizes();
  return {s.begin(), s.end()};
}

template <class X>
auto materialized(const X& x) {
  if constexpr (tensor_type<X>) return x;
  else return x.eval();
}

// softmax<Axis> and log_softmax<Axis> of x against the reference.
template <int Axis, class X>
void check_softmax(const X& x, double tol = 1e-6) {
  const auto xs = to_vector(materialized(x));
  const auto sz = sizes_of(x);
  check_close(softmax<Axis>(x).eval(), ref::along_axis(xs, sz, Axis, ref::softmax_row), tol);
  check_close(log_softmax<Axis>(x).eval(), ref::along_axis(xs, sz, Axis, ref::log_softmax_row), tol);
}

}  // namespace

TEST_CASE("softmax and log_softmax along the last, first and a middle axis") {
  generator g(1);
  Tensor<float, 3, 4, 5> x = randn<float, 3, 4, 5>(g) * 3.0f;
  check_softmax<-1>(x);
  check_softmax<2>(x);
  check_softmax<0>(x);
  check_softmax<1>(x);
  check_softmax<-2>(x);
  Tensor<double, 7, 3> d = randn<double, 7, 3>(g);
  check_softmax<0>(d, 1e-12);
  check_softmax<1>(d, 1e-12);
  // Default axis: the last.
  check_close(softmax(x).eval(), to_vector(softmax<2>(x).eval()), 0);
  check_close(log_softmax(x).eval(), to_vector(log_softmax<-1>(x).eval()), 0);
}

TEST_CASE("rows of softmax sum to 1, and log_softmax is the log of softmax") {
  generator g(2);
  Tensor<float, 6, 33> x = randn<float, 6, 33>(g) * 4.0f;
  Tensor<float, 6, 33> s = softmax(x);
  Tensor<float, 6, 33> l = log_softmax(x);
  for (int r = 0; r < 6; ++r) {
    double total = 0;
    for (int c = 0; c < 33; ++c) {
      total += static_cast<double>(s(r, c));
      CHECK(s(r, c) > 0.0f);
      CHECK(std::log(static_cast<double>(s(r, c))) == doctest::Approx(static_cast<double>(l(r, c))).epsilon(1e-5));
    }
    CHECK(total == doctest::Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("strided and fused operands") {
  generator g(3);
  Tensor<float, 5, 9> x = randn<float, 5, 9>(g);
  check_softmax<-1>(x.transpose());        // rows strided in memory
  check_softmax<0>(x.transpose());
  check_softmax<1>(x.slice<1>(1, 9, 2));   // every other column
  // Fused producers: softmax(x * 2) reads x in its own passes.
  check_softmax<-1>(x * 2.0f);
  Tensor<float, 9> b = randn<float, 9>(g);
  check_softmax<-1>(x + b);
  check_softmax<0>(x.transpose() - b.unsqueeze<1>());
  Tensor<float, 9> row = randn<float, 9>(g);
  check_softmax<0>(row);                   // rank 1
}

TEST_CASE("long rows (packet path) and many rows (parallel path)") {
  generator g(4);
  Tensor<float, 16, 4099> wide = randn<float, 16, 4099>(g) * 5.0f;  // tail of 3 after the packets
  check_softmax<-1>(wide, 1e-5);
  check_softmax<-1>(wide * 0.5f - 1.0f, 1e-5);
  Tensor<float, 4096, 100> tall = randn<float, 4096, 100>(g);
  check_softmax<-1>(tall, 1e-5);
  check_softmax<0>(tall, 1e-5);
  Tensor<double, 300, 257> d = randn<double, 300, 257>(g);
  check_softmax<1>(d, 1e-12);
  // Same result whatever the thread count.
  cpu_backend::set_num_threads(1);
  const auto one = to_vector(softmax(tall).eval());
  cpu_backend::set_num_threads(2);
  CHECK(one == to_vector(softmax(tall).eval()));
}

TEST_CASE("numerically stable: large, tiny and infinite values") {
  auto big = make_tensor<float, 2, 3>({1000, 1001, 1002, -1000, -1001, -1002});
  check_softmax<-1>(big);
  // softmax underflows to 0 where log_softmax stays finite.
  auto spread = make_tensor<float, 2>({0, -200});
  check_close(softmax(spread).eval(), {1, 0});
  check_close(log_softmax(spread).eval(), {0, -200});
  // -inf entries get probability 0; a row of only -inf is NaN (as torch).
  const float inf = std::numeric_limits<float>::infinity();
  auto masked = make_tensor<float, 2, 3>({1, -inf, 1, -inf, -inf, -inf});
  check_close(softmax(masked).eval(), {0.5, 0, 0.5, NAN, NAN, NAN});
  check_close(log_softmax(masked).eval(), {-std::log(2.0), -INFINITY, -std::log(2.0), NAN, NAN, NAN});
  // NaN spreads over its row only.
  auto with_nan = make_tensor<float, 2, 2>({std::numeric_limits<float>::quiet_NaN(), 1, 0, 0});
  check_close(softmax(with_nan).eval(), {NAN, NAN, 0.5, 0.5});
}

TEST_CASE("dtypes, size-1 and empty axes") {
  generator g(5);
  Tensor<float, 4, 6> x = randn<float, 4, 6>(g);
  Tensor<bf16, 4, 6> h = x.to<bf16>();
  static_assert(std::is_same_v<decltype(softmax(h))::value_type, bf16>);
  static_assert(std::is_same_v<decltype(log_softmax<0>(x))::value_type, float>);
  static_assert(std::is_same_v<decltype(softmax<0>(x))::shape_type, shape_of<4, 6>>);
  check_softmax<-1>(h, 1e-2);  // bf16 results: 8 bits of mantissa
  check_softmax<0>(h, 1e-2);
  Tensor<f16, 4, 6> f = x.to<f16>();
  check_softmax<1>(f, 2e-3);

  Tensor<float, 3, 1> one = randn<float, 3, 1>(g);
  check_close(softmax<1>(one).eval(), {1, 1, 1}, 0);
  check_close(log_softmax<1>(one).eval(), {0, 0, 0}, 0);
  Tensor<float, 0, 4> no_rows;
  CHECK(softmax(no_rows).eval().numel() == 0);
  Tensor<float, 3, 0> empty_rows;
  CHECK(log_softmax(empty_rows).eval().numel() == 0);
  CHECK(softmax<0>(empty_rows).eval().numel() == 0);
}

TEST_CASE("softmax composes with reductions and names itself") {
  generator g(6);
  Tensor<float, 5, 7> x = randn<float, 5, 7>(g);
  check_close(sum<1>(softmax(x)).eval(), std::vector<double>(5, 1.0), 1e-6);
  const auto xs = to_vector(x);
  const auto expected = ref::along_axis(xs, {5, 7}, 1, ref::softmax_row);
  std::vector<double> doubled(expected);
  for (double& v : doubled) v *= 2;
  check_close((softmax(x) * 2.0f).eval(), doubled, 1e-6);
  CHECK(decltype(softmax<1>(x))::name == "softmax");
  CHECK(decltype(log_softmax(x))::name == "log_softmax");
  CHECK(softmax<-1>(x).attributes() == "dim=1");
  CHECK(log_softmax<0>(x).attributes() == "dim=0");
  const std::string text = to_text(softmax(x * 2.0f));
  INFO(text);
  CHECK(text.find("f32[5, 7] = softmax(%1, dim=1)") != std::string::npos);
}
