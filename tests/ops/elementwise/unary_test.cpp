// Unary elementwise ops against std:: math in double: float and double inputs,
// lengths that exercise both the packet loop and its scalar tail, NaN and
// infinities, integer inputs (promotion and wrap-around).
#include "test_util.hpp"

#include <limits>

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

// 1003 values over [-6, 6] (odd length: packets and a tail), then specials.
template <class T>
Tensor<T, dyn> sample_values(bool positive = false) {
  const index_t n = 1003;
  Tensor<T, dyn> x(n);
  for (index_t i = 0; i < n; ++i) {
    double v = -6.0 + 12.0 * static_cast<double>(i) / static_cast<double>(n - 1);
    x(i) = static_cast<T>(positive ? std::fabs(v) + 1e-3 : v);
  }
  return x;
}

template <class T, class Node>
void check_unary(const Tensor<T, dyn>& x, const Node& node, double (*ref)(double), double tol) {
  using R = typename Node::value_type;
  tensor<R, shape_of<dyn>> y = node;
  auto expected = expected_from(static_cast<std::size_t>(x.numel()),
                                [&](std::size_t i) { return ref(static_cast<double>(x(static_cast<index_t>(i)))); });
  check_close(y, expected, tol);
}

double sigmoid_ref(double v) { return 1.0 / (1.0 + std::exp(-v)); }
double relu_ref(double v) { return v < 0 ? 0.0 : v; }
double gelu_ref(double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }
double gelu_tanh_ref(double v) {
  return 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
}
double silu_ref(double v) { return v * sigmoid_ref(v); }
double softplus_ref(double v) { return v > 20 ? v : std::log1p(std::exp(v)); }
double sign_ref(double v) { return std::isnan(v) ? v : (v > 0) - (v < 0); }
double rsqrt_ref(double v) { return 1.0 / std::sqrt(v); }
double neg_ref(double v) { return -v; }
double abs_ref(double v) { return std::fabs(v); }
double exp_ref(double v) { return std::exp(v); }
double expm1_ref(double v) { return std::expm1(v); }
double log_ref(double v) { return std::log(v); }
double log1p_ref(double v) { return std::log1p(v); }
double sqrt_ref(double v) { return std::sqrt(v); }
double sin_ref(double v) { return std::sin(v); }
double cos_ref(double v) { return std::cos(v); }
double tanh_ref(double v) { return std::tanh(v); }

template <class T>
void check_all_unary(double tol) {
  auto x = sample_values<T>();
  auto p = sample_values<T>(true);
  check_unary(x, neg(x), neg_ref, tol);
  check_unary(x, abs(x), abs_ref, tol);
  check_unary(x, exp(x), exp_ref, tol);
  check_unary(x, expm1(x), expm1_ref, tol);
  check_unary(p, log(p), log_ref, tol);
  check_unary(p, log1p(p), log1p_ref, tol);
  check_unary(p, sqrt(p), sqrt_ref, tol);
  check_unary(p, rsqrt(p), rsqrt_ref, tol);
  check_unary(x, sin(x), sin_ref, tol);
  check_unary(x, cos(x), cos_ref, tol);
  check_unary(x, tanh(x), tanh_ref, tol);
  check_unary(x, sigmoid(x), sigmoid_ref, tol);
  check_unary(x, relu(x), relu_ref, tol);
  check_unary(x, gelu(x), gelu_ref, tol);
  check_unary(x, gelu_tanh(x), gelu_tanh_ref, tol);
  check_unary(x, gelu<gelu_approximation::tanh>(x), gelu_tanh_ref, tol);
  check_unary(x, silu(x), silu_ref, tol);
  check_unary(x, softplus(x), softplus_ref, tol);
  check_unary(x, sign(x), sign_ref, tol);
  check_unary(x, floor(x * 1.3), [](double v) { return std::floor(static_cast<double>(static_cast<T>(v * 1.3))); },
              tol);
  check_unary(x, ceil(x * 1.3), [](double v) { return std::ceil(static_cast<double>(static_cast<T>(v * 1.3))); }, tol);
  // Halves round to even, as torch.round.
  check_unary(x, round(x * 2.0), [](double v) { return std::nearbyint(static_cast<double>(static_cast<T>(v * 2.0))); },
              tol);
}

}  // namespace

TEST_CASE("every unary op matches std:: math (float)") { check_all_unary<float>(2e-6); }
TEST_CASE("every unary op matches std:: math (double)") { check_all_unary<double>(1e-12); }

TEST_CASE("special values: NaN stays NaN, infinities saturate") {
  Tensor<float, dyn> s(8);
  const double vals[8] = {nan_v, inf_v, -inf_v, 0.0, -0.0, 1e30, -1e30, 0.5};
  for (int i = 0; i < 8; ++i) s(i) = static_cast<float>(vals[i]);
  Tensor<float, dyn> r = relu(s);
  check_close(r, {nan_v, inf_v, 0, 0, 0, 1e30, 0, 0.5});
  Tensor<float, dyn> g = sigmoid(s);
  CHECK(std::isnan(g(0)));
  CHECK(g(1) == 1.0f);
  CHECK(g(2) == 0.0f);
  Tensor<float, dyn> t = tanh(s);
  CHECK(t(1) == 1.0f);
  CHECK(t(2) == -1.0f);
  Tensor<bool, dyn> n = isnan(s);
  check_close(n, {1, 0, 0, 0, 0, 0, 0, 0});
  Tensor<float, dyn> sg = sign(s);
  CHECK(std::isnan(sg(0)));
  // Far negative arguments: exp underflows into the denormals and then to 0.
  auto far = make_tensor<double, 8>({-1000, -104, -100, -95, -90, -88, -87.5, -50});
  Tensor<float, 8> ef = exp(far.to<float>());
  for (int i = 0; i < 8; ++i) {
    const double want = static_cast<double>(static_cast<float>(std::exp(static_cast<double>(static_cast<float>(far(i))))));
    CHECK(std::fabs(static_cast<double>(ef(i)) - want) <= 1e-6 * want + 2e-45);
  }
  Tensor<float, 8> sf = sigmoid(far.to<float>());
  CHECK(sf(0) == 0.0f);
  CHECK(static_cast<double>(sf(2)) == doctest::Approx(std::exp(-100.0)).epsilon(1e-2));
  Tensor<float, dyn> sp = softplus(s);
  CHECK(sp(5) == 1e30f);  // above the threshold softplus(x) is x
}

TEST_CASE("unary ops on integers and bools follow PyTorch's types") {
  auto xi = make_tensor<std::int32_t, 5>({-3, -1, 0, 2, std::numeric_limits<std::int32_t>::min()});
  static_assert(std::is_same_v<decltype(exp(xi))::value_type, float>);
  static_assert(std::is_same_v<decltype(abs(xi))::value_type, std::int32_t>);
  static_assert(std::is_same_v<decltype(floor(xi))::value_type, std::int32_t>);
  static_assert(std::is_same_v<decltype(isnan(xi))::value_type, bool>);
  Tensor<float, 5> e = exp(xi);
  check_close(e, {std::exp(-3.0), std::exp(-1.0), 1.0, std::exp(2.0), 0.0}, 1e-6);
  Tensor<std::int32_t, 5> a = abs(xi);
  check_close(a, {3, 1, 0, 2, static_cast<double>(std::numeric_limits<std::int32_t>::min())});  // wraps like torch
  Tensor<std::int32_t, 5> ng = -xi;
  check_close(ng, {3, 1, 0, -2, static_cast<double>(std::numeric_limits<std::int32_t>::min())});
  Tensor<std::int32_t, 5> r = relu(xi);
  check_close(r, {0, 0, 0, 2, 0});
  Tensor<std::int32_t, 5> sg = sign(xi);
  check_close(sg, {-1, -1, 0, 1, -1});
  Tensor<std::int32_t, 5> fl = floor(xi);
  check_close(fl, {-3, -1, 0, 2, static_cast<double>(std::numeric_limits<std::int32_t>::min())});
  auto b = make_tensor<bool, 3>({true, false, true});
  Tensor<bool, 3> nb = !b;
  check_close(nb, {0, 1, 0});
  Tensor<float, 3> sb = sigmoid(b);
  check_close(sb, {sigmoid_ref(1), 0.5, sigmoid_ref(1)}, 1e-6);
}

TEST_CASE("bf16 and f16 compute in float and store 16 bits") {
  Tensor<bf16, 4> h;
  for (int i = 0; i < 4; ++i) h(i) = bf16(0.5f * static_cast<float>(i));
  Tensor<bf16, 4> e = exp(h);
  for (int i = 0; i < 4; ++i) CHECK(static_cast<float>(e(i)) == static_cast<float>(bf16(std::exp(0.5f * i))));
  Tensor<f16, 4> hf;
  for (int i = 0; i < 4; ++i) hf(i) = f16(0.25f * static_cast<float>(i));
  Tensor<f16, 4> s = hf * hf + 1;
  for (int i = 0; i < 4; ++i) {
    float v = static_cast<float>(f16(0.25f * i));
    CHECK(static_cast<float>(s(i)) == static_cast<float>(f16(static_cast<float>(f16(v * v)) + 1.0f)));
  }
}

TEST_CASE("clamp keeps NaN and accepts one-sided bounds") {
  auto x = make_tensor<float, 6>({-2.f, -0.5f, 0.f, 0.5f, 2.f, std::numeric_limits<float>::quiet_NaN()});
  Tensor<float, 6> c = clamp(x, -1.0, 1.0);
  check_close(c, {-1, -0.5, 0, 0.5, 1, nan_v});
  Tensor<float, 6> lo = clamp(x, 0.0, std::nullopt);
  check_close(lo, {0, 0, 0, 0.5, 2, nan_v});
  Tensor<float, dyn> big = clamp(sample_values<float>(), -1.0, 2.0);
  auto src = sample_values<float>();
  check_close(big, expected_from(1003, [&](std::size_t i) {
                return std::min(2.0, std::max(-1.0, static_cast<double>(src(static_cast<index_t>(i)))));
              }));
  auto xi = make_tensor<std::int64_t, 4>({-5, 0, 5, 10});
  Tensor<std::int64_t, 4> ci = clamp(xi, 0.0, 6.0);
  check_close(ci, {0, 0, 5, 6});
}
