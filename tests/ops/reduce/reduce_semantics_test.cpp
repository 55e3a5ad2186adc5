// Reductions: shapes, dtypes, var's correction, empty and size-1 dims, NaN,
// ties, composition with other expressions, names and attributes.
#include "reduce_test_util.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

using namespace ctrace;
using namespace reduce_testing;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;
namespace ref = reduce_reference;

TEST_CASE("result shapes, keepdim and negative axes") {
  const auto x = filled<float, 2, 3, 4>(mixed);
  static_assert(std::is_same_v<decltype(sum(x))::shape_type, shape<>>);
  static_assert(std::is_same_v<decltype(sum<1>(x))::shape_type, shape_of<2, 4>>);
  static_assert(std::is_same_v<decltype(sum<0, -1>(x))::shape_type, shape_of<3>>);
  static_assert(std::is_same_v<decltype(sum<-1, 0>(x))::shape_type, shape_of<3>>);
  static_assert(std::is_same_v<decltype(sum<1>(x, keepdim))::shape_type, shape_of<2, 1, 4>>);
  static_assert(std::is_same_v<decltype(sum(x, keepdim))::shape_type, shape_of<1, 1, 1>>);
  static_assert(std::is_same_v<decltype(argmax(x))::shape_type, shape<>>);
  static_assert(std::is_same_v<decltype(argmax(x, keepdim))::shape_type, shape_of<1, 1, 1>>);
  static_assert(std::is_same_v<decltype(argmax<-1>(x, keepdim))::shape_type, shape_of<2, 3, 1>>);
  static_assert(std::is_same_v<decltype(var<2>(x, keepdim, 0))::shape_type, shape_of<2, 3, 1>>);
  Tensor<float, 2, 1, 4> k = sum<1>(x, keepdim);
  check_close(k, ref::reduce(to_vector(x), {2, 3, 4}, {1}, ref::sum));
  Tensor<float> all = sum(x);
  CHECK(all.item() == doctest::Approx(ref::sum(to_vector(x))));

  // Symbolic dims stay symbolic; reduced ones go.
  constexpr auto N = sym<"N">;
  Tensor<float, N, 3> s(sizes_t<2>{5, 3});
  for (index_t i = 0; i < s.numel(); ++i) s.data()[i] = static_cast<float>(mixed(i));
  static_assert(std::is_same_v<decltype(sum<0>(s))::shape_type, shape_of<3>>);
  static_assert(std::is_same_v<decltype(sum<1>(s))::shape_type, shape_of<N>>);
  Tensor<float, N> per_row = sum<1>(s);
  CHECK(per_row.size(0) == 5);
  check_close(per_row, ref::reduce(to_vector(s), {5, 3}, {1}, ref::sum));
}

TEST_CASE("result dtypes follow torch") {
  Tensor<int, 2, 3> i = arange<int, 6>().eval().reshape<2, 3>();
  Tensor<bool, 2, 3> b = i > 2;
  Tensor<double, 2, 3> d = i.to<double>();
  Tensor<bf16, 2, 3> h = i.to<bf16>();
  static_assert(std::is_same_v<decltype(sum(i))::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(sum(b))::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(prod(i))::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(prod(b))::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(sum(d))::value_type, double>);
  static_assert(std::is_same_v<decltype(sum(h))::value_type, bf16>);
  static_assert(std::is_same_v<decltype(mean(h))::value_type, bf16>);
  static_assert(std::is_same_v<decltype(max(i))::value_type, int>);
  static_assert(std::is_same_v<decltype(min(b))::value_type, bool>);
  static_assert(std::is_same_v<decltype(argmax(d))::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(argmin<0>(i))::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(var(d))::value_type, double>);
  static_assert(std::is_same_v<decltype(ctrace::std(h))::value_type, bf16>);

  check_close(sum<1>(i).eval(), {3, 12}, 0);
  check_close(sum<0>(b).eval(), {1, 1, 1}, 0);
  check_close(prod<0>(i + 1).eval(), {4, 10, 18}, 0);
  check_close(max<1>(b).eval(), {0, 1}, 0);
  check_close(min(b).eval(), {0}, 0);
  check_close(argmax(b).eval(), {3}, 0);
  check_close(mean<0>(h).eval(), {1.5, 2.5, 3.5}, 0);

  // int32 sums accumulate in int64: no overflow.
  auto big = make_tensor<int, 3>({2147483647, 2147483647, 2});
  check_close(sum(big).eval(), {4294967296.0}, 0);
  // bf16 accumulates in float: 1000 ones are 1000, not bf16's stuck 256.
  Tensor<bf16, 1000> ones_h = ones<bf16, 1000>();
  CHECK(static_cast<float>(sum(ones_h).eval().item()) == 1000.0f);
  CHECK(static_cast<float>(mean(ones_h).eval().item()) == 1.0f);
}

TEST_CASE("var and std: correction, keepdim") {
  const auto x = filled<double, 3, 4>(mixed);
  const auto xs = to_vector(x);
  check_close(var<1>(x).eval(), ref::reduce(xs, {3, 4}, {1}, ref::var_with(1)), 1e-12);
  check_close(var<1>(x, 0).eval(), ref::reduce(xs, {3, 4}, {1}, ref::var_with(0)), 1e-12);
  check_close(var<0>(x, keepdim, 2).eval(), ref::reduce(xs, {3, 4}, {0}, ref::var_with(2)), 1e-12);
  check_close(ctrace::std(x, 0.5).eval(), ref::reduce(xs, {3, 4}, {}, ref::std_with(0.5)), 1e-12);
  check_close(ctrace::std<0>(x, keepdim).eval(), ref::reduce(xs, {3, 4}, {0}, ref::std_with(1)), 1e-12);
  // Correction >= count: 0 / 0 is NaN, positive / 0 is inf (torch).
  check_close(var<0>(x, 3).eval(), {INFINITY, INFINITY, INFINITY, INFINITY});
  const auto c = full<double, 2, 2>(4.0).eval();
  check_close(var<0>(c, 2).eval(), {NAN, NAN});
  // A constant far from zero has variance 0, not rounding noise.
  const auto far = full<float, 1000>(1e4f).eval();
  CHECK(var(far).eval().item() == 0.0f);
}

TEST_CASE("empty and size-1 dims") {
  Tensor<float, 2, 0> e;
  check_close(sum<1>(e).eval(), {0, 0});
  check_close(prod<1>(e).eval(), {1, 1});
  check_close(mean<1>(e).eval(), {NAN, NAN});
  check_close(var<1>(e).eval(), {NAN, NAN});
  check_close(sum(e).eval(), {0});
  CHECK(sum<0>(e).eval().numel() == 0);
  CHECK(max<0>(e).eval().numel() == 0);  // the reduced dim has 2 elements
  CHECK_THROWS_WITH_AS(max<1>(e), doctest::Contains("amax: cannot reduce over zero elements: input sizes [2, 0]"),
                       ctrace::error);
  CHECK_THROWS_WITH_AS(min(e), doctest::Contains("amin: cannot reduce over zero elements"), ctrace::error);
  CHECK_THROWS_WITH_AS(argmax(e), doctest::Contains("argmax: cannot reduce over zero elements"), ctrace::error);
  CHECK_THROWS_WITH_AS(argmin<1>(e, keepdim), doctest::Contains("argmin: cannot reduce over zero elements"),
                       ctrace::error);

  // Empty only at run time.
  Tensor<float, dyn, 3> d(sizes_t<2>{0, 3});
  CHECK_THROWS_WITH_AS(max<0>(d), doctest::Contains("input sizes [0, 3], reduced dims [0]"), ctrace::error);
  check_close(sum<0>(d).eval(), {0, 0, 0});
  check_close(max<1>(d).eval(), {});

  // Size-1 dims: reducing one changes nothing but the shape.
  const auto one = filled<float, 3, 1, 4>(mixed);
  check_close(sum<1>(one).eval(), to_vector(one), 0);
  check_close(max<1>(one, keepdim).eval(), to_vector(one), 0);
  check_close(argmax<1>(one).eval(), std::vector<double>(12, 0.0), 0);
  check_close(var<1>(one).eval(), std::vector<double>(12, NAN));
  check_close(var<1>(one, 0).eval(), std::vector<double>(12, 0.0), 0);
  const auto xs = to_vector(one);
  check_close(sum<0, 1>(one).eval(), ref::reduce(xs, {3, 1, 4}, {0, 1}, ref::sum));
  check_close(mean<2>(one).eval(), ref::reduce(xs, {3, 1, 4}, {2}, ref::mean));

  // A rank-0 operand.
  Tensor<float> z;
  z.data()[0] = 3.5f;
  CHECK(sum(z).eval().item() == 3.5f);
  CHECK(argmax(z).eval().item() == 0);
  CHECK(std::isnan(var(z).eval().item()));
}

TEST_CASE("NaN propagates through max and min; argmax finds the first NaN") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto x = make_tensor<float, 2, 3>({1, nan, 3, nan, -1, 5});
  check_close(max<1>(x).eval(), {NAN, NAN});
  check_close(min<0>(x).eval(), {NAN, NAN, 3});
  check_close(argmax<1>(x).eval(), {1, 0}, 0);
  check_close(argmin<1>(x).eval(), {1, 0}, 0);
  check_close(argmax(x).eval(), {1}, 0);
  check_close(argmax<0>(x).eval(), {1, 0, 1}, 0);
  check_close(sum<0>(x).eval(), {NAN, NAN, 8});

  // Long rows take the packet path: the NaN sits in the middle of a packet.
  Tensor<float, 3, 100> y = arange<float, 100>() + zeros<float, 3, 100>();
  y(1, 57) = nan;
  y(2, 99) = nan;
  check_close(max<1>(y).eval(), {99, NAN, NAN});
  check_close(min<1>(y).eval(), {0, NAN, NAN});
  check_close(argmax<1>(y).eval(), {99, 57, 99}, 0);
  check_close(max<0>(y).eval(), ref::reduce(to_vector(y), {3, 100}, {0}, ref::max));

  // Infinities are ordinary values.
  auto inf = full<float, 5>(-INFINITY).eval();
  CHECK(max(inf).eval().item() == -INFINITY);
  CHECK(argmax(inf).eval().item() == 0);
  CHECK(argmin(inf).eval().item() == 0);
}

TEST_CASE("argmax and argmin take the first of equal values") {
  auto x = make_tensor<float, 2, 4>({3, 5, 5, 1, 2, 1, 1, 2});
  check_close(argmax<1>(x).eval(), {1, 0}, 0);
  check_close(argmin<1>(x).eval(), {3, 1}, 0);
  check_close(argmax(x).eval(), {1}, 0);
  check_close(argmin(x).eval(), {3}, 0);
  check_close(argmin<0>(x).eval(), {1, 1, 1, 0}, 0);
  auto i = make_tensor<int, 5>({4, 9, 9, -3, -3});
  CHECK(argmax(i).eval().item() == 1);
  CHECK(argmin(i).eval().item() == 3);
  // Flat index of a transposed view counts in the view's row-major order.
  CHECK(argmax(x.transpose()).eval().item() == 2);  // x.T = [[3,2],[5,1],[5,1],[1,2]]
}

TEST_CASE("reductions compose with other expressions") {
  const auto x = filled<float, 3, 4>(mixed);
  const auto xs = to_vector(x);
  // Centering: a reduction result broadcast back (materialized once).
  Tensor<float, 3, 4> centered = x - mean<1>(x, keepdim);
  const auto means = ref::reduce(xs, {3, 4}, {1}, ref::mean);
  std::vector<double> expected(12);
  for (std::size_t k = 0; k < 12; ++k) expected[k] = xs[k] - means[k / 4];
  check_close(centered, expected);
  // A reduction of a reduction.
  Tensor<float> total = sum(sum<1>(x));
  CHECK(total.item() == doctest::Approx(ref::sum(xs)));
  // Into a strided destination, broadcast: t.transpose() is [3, 4].
  Tensor<float, 4, 3> t;
  t.transpose().assign(max<1>(x, keepdim));
  const auto row_max = ref::reduce(xs, {3, 4}, {1}, ref::max);
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 3; ++c) CHECK(t(r, c) == static_cast<float>(row_max[static_cast<std::size_t>(c)]));
  }
  Tensor<float, 2, 3> dst;
  dst.transpose().assign(sum<2>(filled<float, 3, 2, 4>(positive)));
  const auto sums = ref::reduce(to_vector(filled<float, 3, 2, 4>(positive)), {3, 2, 4}, {2}, ref::sum);
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 3; ++c) CHECK(dst(r, c) == doctest::Approx(sums[static_cast<std::size_t>(c * 2 + r)]));
  }
}

TEST_CASE("nodes name themselves and their attributes") {
  const auto x = filled<float, 2, 3>(mixed);
  CHECK(decltype(sum<1>(x))::name == "sum");
  CHECK(decltype(max(x))::name == "amax");
  CHECK(decltype(ctrace::std(x))::name == "std");
  CHECK(sum<1>(x).attributes() == "dims=[1], keepdim=false");
  CHECK(mean<0, -1>(x, keepdim).attributes() == "dims=[0, 1], keepdim=true");
  CHECK(argmax(x).attributes() == "dims=[0, 1], keepdim=false");
  CHECK(var<1>(x, keepdim, 0).attributes() == "dims=[1], keepdim=true, correction=0");
  CHECK(ctrace::std<0>(x, 0.5).attributes() == "dims=[0], keepdim=false, correction=0.5");
  // The expression's text form shows the reduction with its attributes.
  const std::string text = to_text(sum<1>(x * 2.0f, keepdim));
  INFO(text);
  CHECK(text.find("f32[2, 1] = sum(%1, dims=[1], keepdim=true)") != std::string::npos);
  CHECK(to_text(argmin(x)).find("i64[] = argmin(%0, dims=[0, 1], keepdim=false)") != std::string::npos);
}

TEST_CASE("generators and casts as operands (no packets)") {
  CHECK(sum(arange<float, 100>()).eval().item() == 4950.0f);
  CHECK(argmax(arange<int, 7>()).eval().item() == 6);
  auto x = make_tensor<float, 2, 3>({1.5f, -2.5f, 3.5f, 4.25f, 5.0f, -6.0f});
  check_close(sum<1>(x.to<double>()).eval(), {2.5, 3.25}, 0);
  check_close(max<0>(x.to<int>()).eval(), {4, 5, 3}, 0);
  check_close(mean<1>(where(x > 0.0f, x, 0.0f)).eval(), {5.0 / 3, 9.25 / 3}, 1e-6);
}
