// layer_norm: against a reference loop with and without weight and bias,
// along each kind of axis, on strided and fused operands, in several dtypes,
// on long rows and many rows, and its errors.
#include "test_util.hpp"

#include <ctrace/api/nn.hpp>
#include <ctrace/backend/cpu/normalization.hpp>

#include <cmath>
#include <string>
#include <type_traits>

#include "nn_reference.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;
namespace ref = nn_reference;

namespace {

template <class X>
auto materialized(const X& x) {
  if constexpr (tensor_type<X>) return x;
  else return x.eval();
}

template <class X>
std::vector<std::int64_t> sizes_of(const X& x) {
  const auto s = x.sizes();
  return {s.begin(), s.end()};
}

template <int Axis, class X, class W, class B>
void check_affine(const X& x, const W& w, const B& b, double eps, double tol) {
  const auto expected = ref::along_axis(to_vector(materialized(x)), sizes_of(x), Axis,
                                        ref::layer_norm_row(to_vector(materialized(w)), to_vector(materialized(b)), eps));
  check_close(layer_norm<Axis>(x, w, b, eps).eval(), expected, tol);
}

template <int Axis, class X>
void check_plain(const X& x, double eps, double tol) {
  const auto expected = ref::along_axis(to_vector(materialized(x)), sizes_of(x), Axis, ref::layer_norm_row({}, {}, eps));
  check_close(layer_norm<Axis>(x, eps).eval(), expected, tol);
}

}  // namespace

TEST_CASE("layer_norm with weight and bias along the last axis") {
  generator g(1);
  Tensor<float, 4, 7> x = randn<float, 4, 7>(g) * 2.0f + 3.0f;
  Tensor<float, 7> w = randn<float, 7>(g);
  Tensor<float, 7> b = randn<float, 7>(g);
  check_affine<-1>(x, w, b, 1e-5, 1e-5);
  check_affine<1>(x, w, b, 0.1, 1e-5);
  // Default axis and eps.
  check_close(layer_norm(x, w, b).eval(), to_vector(layer_norm<1>(x, w, b, 1e-5).eval()), 0);
  check_plain<-1>(x, 1e-5, 1e-5);
  check_close(layer_norm(x).eval(), to_vector(layer_norm<-1>(x, 1e-5).eval()), 0);
}

TEST_CASE("layer_norm along the first and a middle axis") {
  generator g(2);
  Tensor<float, 5, 6, 3> x = randn<float, 5, 6, 3>(g);
  Tensor<float, 5> w0 = randn<float, 5>(g), b0 = randn<float, 5>(g);
  Tensor<float, 6> w1 = randn<float, 6>(g), b1 = randn<float, 6>(g);
  check_affine<0>(x, w0, b0, 1e-5, 1e-5);
  check_affine<1>(x, w1, b1, 1e-5, 1e-5);
  check_affine<-2>(x, w1, b1, 1e-3, 1e-5);
  check_plain<0>(x, 1e-5, 1e-5);
  check_plain<2>(x, 1e-5, 1e-5);
}

TEST_CASE("strided, broadcast and fused operands") {
  generator g(3);
  Tensor<float, 8, 5> x = randn<float, 8, 5>(g);
  Tensor<float, 8> w = randn<float, 8>(g), b = randn<float, 8>(g);
  check_affine<-1>(x.transpose(), w, b, 1e-5, 1e-5);  // rows strided in memory
  check_affine<-1>(x.transpose() * 3.0f + 1.0f, w, b, 1e-5, 1e-5);
  check_affine<-1>(x.transpose() + w, w, b, 1e-5, 1e-5);
  // Weight and bias may be expressions or views too.
  Tensor<float, 2, 8> wb = randn<float, 2, 8>(g);
  check_affine<-1>(x.transpose(), wb.select<0>(0), wb.select<0>(1) * 2.0f, 1e-5, 1e-5);
}

TEST_CASE("long rows (packet path) and many rows (parallel path)") {
  generator g(4);
  Tensor<float, 16, 4103> wide = randn<float, 16, 4103>(g) + 10.0f;
  Tensor<float, 4103> w = randn<float, 4103>(g), b = randn<float, 4103>(g);
  check_affine<-1>(wide, w, b, 1e-5, 1e-4);
  check_plain<-1>(wide * 2.0f, 1e-5, 1e-4);
  Tensor<float, 8192, 64> tall = randn<float, 8192, 64>(g);
  Tensor<float, 64> w2 = randn<float, 64>(g), b2 = randn<float, 64>(g);
  check_affine<-1>(tall, w2, b2, 1e-5, 1e-5);
  Tensor<float, 8192> w3 = randn<float, 8192>(g), b3 = randn<float, 8192>(g);
  check_affine<0>(tall, w3, b3, 1e-5, 1e-4);
  cpu_backend::set_num_threads(1);
  const auto one = to_vector(layer_norm(tall, w2, b2).eval());
  cpu_backend::set_num_threads(2);
  CHECK(one == to_vector(layer_norm(tall, w2, b2).eval()));
}

TEST_CASE("dtypes: result has x's type; weight and bias may differ") {
  generator g(5);
  Tensor<double, 3, 9> d = randn<double, 3, 9>(g);
  Tensor<double, 9> wd = randn<double, 9>(g), bd = randn<double, 9>(g);
  check_affine<-1>(d, wd, bd, 1e-5, 1e-12);
  Tensor<float, 3, 9> x = d.to<float>();
  static_assert(std::is_same_v<decltype(layer_norm(x, wd, bd))::value_type, float>);
  check_affine<-1>(x, wd, bd, 1e-5, 1e-5);
  Tensor<bf16, 3, 9> h = d.to<bf16>();
  static_assert(std::is_same_v<decltype(layer_norm(h, wd, bd))::value_type, bf16>);
  check_affine<-1>(h, wd, bd, 1e-5, 2e-2);
  check_plain<0>(h, 1e-5, 2e-2);
}

TEST_CASE("constant rows, size-1 and empty axes") {
  // A constant row has variance 0: the result is the bias.
  const auto c = full<float, 2, 4>(7.0f).eval();
  auto w = make_tensor<float, 4>({1, 2, 3, 4});
  auto b = make_tensor<float, 4>({0.5, -1, 0, 2});
  check_close(layer_norm(c, w, b).eval(), {0.5, -1, 0, 2, 0.5, -1, 0, 2}, 0);
  Tensor<float, 3, 1> one = full<float, 3, 1>(2.0f);
  check_close(layer_norm(one).eval(), {0, 0, 0}, 0);
  Tensor<float, 0, 4> no_rows;
  CHECK(layer_norm(no_rows, w, b).eval().numel() == 0);
  Tensor<float, 3, 0> empty_rows;
  Tensor<float, 0> none;
  CHECK(layer_norm(empty_rows, none, none).eval().numel() == 0);
}

TEST_CASE("a weight or bias of the wrong size throws at run time") {
  constexpr auto N = sym<"N">;
  Tensor<float, 2, 3> x = full<float, 2, 3>(1.0f);
  Tensor<float, N> w(sizes_t<1>{4});
  Tensor<float, 3> b;
  CHECK_THROWS_WITH_AS(layer_norm(x, w, b), doctest::Contains("layer_norm: weight has size 4 but dim 1 of the input has size 3"),
                       ctrace::error);
  Tensor<float, dyn> bad_bias(sizes_t<1>{2});
  Tensor<float, 3> ok_weight;
  CHECK_THROWS_WITH_AS(layer_norm(x, ok_weight, bad_bias), doctest::Contains("layer_norm: bias has size 2 but dim 1"),
                       ctrace::error);
}

TEST_CASE("layer_norm names itself and its attributes") {
  Tensor<float, 2, 3> x;
  Tensor<float, 3> w, b;
  CHECK(decltype(layer_norm(x, w, b))::name == "layer_norm");
  CHECK(layer_norm(x, w, b).attributes() == "dim=1, eps=1e-05, affine=true");
  CHECK(layer_norm<0>(x, 0.5).attributes() == "dim=0, eps=0.5, affine=false");
  const std::string text = to_text(layer_norm(x, w, b));
  INFO(text);
  CHECK(text.find("f32[2, 3] = layer_norm(%0, %1, %2, dim=1, eps=1e-05, affine=true)") != std::string::npos);
}
