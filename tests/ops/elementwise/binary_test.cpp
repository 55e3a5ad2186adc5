// Binary ops, where, masked_fill and casts: values, broadcasting, promotion,
// strided operands and destinations, empty and size-1 dims, aliasing.
#include "test_util.hpp"

#include <limits>

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;
using ctrace::testing::to_vector;

namespace {
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr auto N = sym<"N">;

// a[i][j] = i - 0.5 j, b[j] = j + 1 (never zero).
Tensor<float, 3, 4> mat() {
  Tensor<float, 3, 4> a;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) a(i, j) = static_cast<float>(i) - 0.5f * static_cast<float>(j);
  return a;
}
}  // namespace

TEST_CASE("arithmetic and comparison operators broadcast a row") {
  auto a = mat();
  auto b = make_tensor<float, 4>({1, 2, 3, 4});
  auto ref = [&](auto f) {
    return expected_from(12, [&](std::size_t k) {
      double x = static_cast<double>(a(static_cast<index_t>(k / 4), static_cast<index_t>(k % 4)));
      double y = static_cast<double>(k % 4 + 1);
      return f(x, y);
    });
  };
  check_close(Tensor<float, 3, 4>(a + b), ref([](double x, double y) { return x + y; }));
  check_close(Tensor<float, 3, 4>(a - b), ref([](double x, double y) { return x - y; }));
  check_close(Tensor<float, 3, 4>(a * b), ref([](double x, double y) { return x * y; }));
  check_close(Tensor<float, 3, 4>(a / b), ref([](double x, double y) { return x / y; }));
  check_close(Tensor<float, 3, 4>(pow(b, a)), ref([](double x, double y) { return std::pow(y, x); }), 1e-5);
  check_close(Tensor<float, 3, 4>(minimum(a, b)), ref([](double x, double y) { return std::min(x, y); }));
  check_close(Tensor<float, 3, 4>(maximum(a, b)), ref([](double x, double y) { return std::max(x, y); }));
  check_close(Tensor<bool, 3, 4>(a < b), ref([](double x, double y) { return double(x < y); }));
  check_close(Tensor<bool, 3, 4>(a <= b), ref([](double x, double y) { return double(x <= y); }));
  check_close(Tensor<bool, 3, 4>(a > b), ref([](double x, double y) { return double(x > y); }));
  check_close(Tensor<bool, 3, 4>(a >= b), ref([](double x, double y) { return double(x >= y); }));
  check_close(Tensor<bool, 3, 4>(a == a), expected_from(12, [](std::size_t) { return 1.0; }));
  check_close(Tensor<bool, 3, 4>(a != b), ref([](double x, double y) { return double(x != y); }));
}

TEST_CASE("both operands broadcast: [3,1] with [1,4] and a rank-3 result") {
  auto col = make_tensor<double, 3, 1>({1, 2, 3});
  auto row = make_tensor<double, 1, 4>({10, 20, 30, 40});
  Tensor<double, 3, 4> s = col + row;
  check_close(s, expected_from(12, [](std::size_t k) { return double(k / 4 + 1) + 10.0 * double(k % 4 + 1); }));
  auto c3 = make_tensor<double, 2, 1, 1>({100, 200});
  Tensor<double, 2, 3, 4> t = c3 + col * row;
  check_close(t, expected_from(24, [](std::size_t k) {
                return 100.0 * double(k / 12 + 1) + double((k / 4) % 3 + 1) * 10.0 * double(k % 4 + 1);
              }));
}

TEST_CASE("wrapped numbers and PyTorch promotion") {
  auto xf = make_tensor<float, 3>({1, 2, 3});
  auto xi = make_tensor<std::int32_t, 3>({1, 2, 3});
  auto xb = make_tensor<bool, 3>({true, false, true});
  auto xd = make_tensor<double, 3>({0.5, 1.5, 2.5});
  static_assert(std::is_same_v<decltype(xf * 2.0)::value_type, float>);
  static_assert(std::is_same_v<decltype(2.0 * xf)::value_type, float>);
  static_assert(std::is_same_v<decltype(xi * 2.5)::value_type, float>);
  static_assert(std::is_same_v<decltype(xi * 2)::value_type, std::int32_t>);
  static_assert(std::is_same_v<decltype(xi * std::int64_t{2})::value_type, std::int32_t>);
  static_assert(std::is_same_v<decltype(xb + 1)::value_type, std::int64_t>);
  static_assert(std::is_same_v<decltype(xi / xi)::value_type, float>);  // true division
  static_assert(std::is_same_v<decltype(xf + xd)::value_type, double>);
  static_assert(std::is_same_v<decltype(xi + xf)::value_type, float>);
  static_assert(std::is_same_v<decltype(xb && xb)::value_type, bool>);
  static_assert(std::is_same_v<decltype(xf < 2)::value_type, bool>);
  check_close(Tensor<float, 3>(xi * 2.5), {2.5, 5, 7.5});
  check_close(Tensor<float, 3>(xi / 2), {0.5, 1, 1.5});
  check_close(Tensor<std::int64_t, 3>(xb + 1), {2, 1, 2});
  check_close(Tensor<double, 3>(xf + xd), {1.5, 3.5, 5.5});
  check_close(Tensor<bool, 3>(xb || !xb), {1, 1, 1});
  check_close(Tensor<bool, 3>(logical_and(xb, xf > 1.5)), {0, 0, 1});
  check_close(Tensor<std::int32_t, 3>(pow(xi, 3)), {1, 8, 27});
  check_close(Tensor<std::int32_t, 3>(pow(xi, -1)), {1, 0, 0});  // integer pow truncates
  // A zero-dim tensor of a higher category decides the type.
  Tensor<double> z0;
  z0.fill_(0.5);
  static_assert(std::is_same_v<decltype(xi + z0)::value_type, double>);
  check_close(Tensor<double, 3>(xi + z0), {1.5, 2.5, 3.5});
}

TEST_CASE("integer arithmetic wraps instead of overflowing") {
  auto big = make_tensor<std::int32_t, 2>({std::numeric_limits<std::int32_t>::max(), 7});
  Tensor<std::int32_t, 2> w = big + 1;
  check_close(w, {static_cast<double>(std::numeric_limits<std::int32_t>::min()), 8});
  Tensor<std::int32_t, 2> m = big * 2;
  check_close(m, {-2, 14});
}

TEST_CASE("minimum and maximum propagate NaN") {
  auto a = make_tensor<float, 3>({1, std::numeric_limits<float>::quiet_NaN(), 3});
  auto b = make_tensor<float, 3>({std::numeric_limits<float>::quiet_NaN(), 2, 1});
  check_close(Tensor<float, 3>(minimum(a, b)), {nan_v, nan_v, 1});
  check_close(Tensor<float, 3>(maximum(a, b)), {nan_v, nan_v, 3});
  // The vector path: 1000 elements with a NaN in the middle of a packet.
  Tensor<float, 1000> x = full<float, 1000>(1.0f);
  x(501) = std::numeric_limits<float>::quiet_NaN();
  Tensor<float, 1000> y = maximum(x, 2.0f);
  CHECK(std::isnan(y(501)));
  CHECK(y(500) == 2.0f);
}

TEST_CASE("strided operands: transposed, sliced with a step, expanded") {
  auto a = mat();             // [3, 4]
  auto t = a.transpose();     // [4, 3], strides (1, 4)
  Tensor<float, 4, 3> u = t * 2 + 1;
  check_close(u, expected_from(12, [&](std::size_t k) {
                return 2.0 * a(static_cast<index_t>(k % 3), static_cast<index_t>(k / 3)) + 1;
              }));
  auto s = a.slice<1>(1, 4, 2);  // columns 1 and 3
  CHECK(s.size(1) == 2);
  Tensor<float, 3, dyn> v = s - 1;
  check_close(v, expected_from(6, [&](std::size_t k) {
                return a(static_cast<index_t>(k / 2), static_cast<index_t>(1 + 2 * (k % 2))) - 1.0;
              }));
  auto col = make_tensor<float, 3, 1>({1, 2, 3});
  auto e = col.expand<3, 5>();  // stride 0 along dim 1
  CHECK(e.stride(1) == 0);
  Tensor<float, 3, 5> w = e * e;
  check_close(w, expected_from(15, [](std::size_t k) { return double((k / 5 + 1) * (k / 5 + 1)); }));
  auto r = a.select<0>(2);  // the last row
  Tensor<float, 4> rr = r + 0;
  check_close(rr, {2, 1.5, 1, 0.5});
}

TEST_CASE("assign writes through views and survives aliasing") {
  auto a = mat();
  auto b = a.clone();
  b.slice<1>(0, 4, 2).assign(full<float, 3, 2>(9.0f));
  check_close(b, expected_from(12, [&](std::size_t k) {
                return (k % 4) % 2 == 0 ? 9.0 : static_cast<double>(a(static_cast<index_t>(k / 4), static_cast<index_t>(k % 4)));
              }));
  b.select<0>(1).assign(make_tensor<float, 4>({-1, -2, -3, -4}));  // broadcast-free row write
  CHECK(b(1, 2) == -3.0f);
  b.select<0>(0).assign(5);
  CHECK(b(0, 3) == 5.0f);
  // The source reads the destination's memory in another order: computed apart first.
  auto sq = make_tensor<float, 3, 3>({1, 2, 3, 4, 5, 6, 7, 8, 9});
  sq.assign(sq.transpose());
  check_close(sq, {1, 4, 7, 2, 5, 8, 3, 6, 9});
  auto row = make_tensor<float, 3>({1, 2, 3});
  Tensor<float, 2, 3> dst;
  dst.assign(row);  // broadcast into the destination
  check_close(dst, {1, 2, 3, 1, 2, 3});
  CHECK_THROWS_WITH_AS(dst.assign(Tensor<float, dyn>(4)), doctest::Contains("do not broadcast to [2, 3]"),
                       ctrace::error);
}

TEST_CASE("operator= rebinds, assign() writes in place") {
  auto a = make_tensor<float, 2>({1, 2});
  auto alias = a;  // shares memory
  a = a + 1;       // new memory for a; alias keeps the old values
  CHECK(a(0) == 2.0f);
  CHECK(alias(0) == 1.0f);
  alias.assign(alias * 10);
  CHECK(alias(1) == 20.0f);
}

TEST_CASE("where and masked_fill") {
  auto a = make_tensor<float, 2, 3>({1, -2, 3, -4, 5, -6});
  Tensor<float, 2, 3> w = where(a > 0, a, 0.0);
  check_close(w, {1, 0, 3, 0, 5, 0});
  auto mask = make_tensor<bool, 3>({true, false, true});  // broadcast over rows
  Tensor<float, 2, 3> m = masked_fill(a, mask, -1.0);
  check_close(m, {-1, -2, -1, -1, 5, -1});
  auto ai = make_tensor<std::int32_t, 3>({1, 2, 3});
  static_assert(std::is_same_v<decltype(where(mask, ai, 0.5))::value_type, float>);
  check_close(Tensor<float, 3>(where(mask, ai, 0.5)), {1, 0.5, 3});
}

TEST_CASE("casts convert, saturate and round toward zero") {
  auto a = make_tensor<double, 5>({1.7, -1.7, 1e20, -1e20, 0.0});
  Tensor<std::int32_t, 5> i = a.to<std::int32_t>();
  check_close(i, {1, -1, static_cast<double>(std::numeric_limits<std::int32_t>::max()),
                  static_cast<double>(std::numeric_limits<std::int32_t>::lowest()), 0});
  Tensor<bool, 5> b = cast<bool>(a);
  check_close(b, {1, 1, 1, 1, 0});
  Tensor<float, 5> f = (a * 2).to<float>();
  check_close(f, {3.4, -3.4, 2e20, -2e20, 0}, 1e-6);
}

TEST_CASE("size-0 and size-1 dims") {
  Tensor<float, 0, 3> empty;
  Tensor<float, 0, 3> r = exp(empty) + 1;
  CHECK(r.numel() == 0);
  Tensor<float, N, 3> sym_empty(0, 3);
  Tensor<float, N, 3> r2 = sym_empty * sym_empty;
  CHECK(r2.size(0) == 0);
  auto one = make_tensor<float, 1, 1>({2});
  Tensor<float, 4, 5> b = one + zeros<float, 4, 5>();
  check_close(b, expected_from(20, [](std::size_t) { return 2.0; }));
  Tensor<float> scalar;
  scalar.fill_(3.0f);
  Tensor<float> sq = scalar * scalar;
  CHECK(sq.item() == 9.0f);
}

TEST_CASE("symbolic dims: the same symbol must have one value") {
  Tensor<float, N, 3> x(4, 3), y(4, 3), z(5, 3);
  x.fill_(1.0f);
  y.fill_(2.0f);
  Tensor<float, N, 3> s = x + y;
  check_close(s, expected_from(12, [](std::size_t) { return 3.0; }));
  CHECK_THROWS_WITH_AS(x + z, "ctrace: add: cannot broadcast dim 0: lhs N = 4, rhs N = 5 (sizes [4, 3] and [5, 3])",
                       ctrace::error);
  // A static result assigned to a symbolic tensor binds the symbol.
  Tensor<float, N, 3> from_static = zeros<float, 2, 3>();
  CHECK(from_static.size(0) == 2);
  // A symbolic result assigned to a static tensor is checked.
  CHECK_THROWS_WITH_AS((Tensor<float, 2, 3>(x + y)), doctest::Contains("size 4 at dim 0 but the type says 2"),
                       ctrace::error);
}

TEST_CASE("large contiguous and strided expressions run in parallel and match") {
  const index_t n = 1 << 20;
  Tensor<float, dyn> x(n), y(n);
  for (index_t i = 0; i < n; ++i) {
    x(i) = static_cast<float>(std::sin(0.001 * static_cast<double>(i)));
    y(i) = static_cast<float>(std::cos(0.002 * static_cast<double>(i)));
  }
  Tensor<float, dyn> z = sigmoid(tanh(x * (x + y)));
  auto expected = expected_from(static_cast<std::size_t>(n), [&](std::size_t i) {
    double a = x(static_cast<index_t>(i)), b = y(static_cast<index_t>(i));
    return 1.0 / (1.0 + std::exp(-std::tanh(a * (a + b))));
  });
  check_close(z, expected, 1e-6);
  Tensor<float, 1024, 1024> m = rand<float, 1024, 1024>();
  Tensor<float, 1024, 1024> mt = m.transpose() * 2;
  CHECK(mt(3, 700) == 2 * m(700, 3));
  CHECK(mt(1023, 0) == 2 * m(0, 1023));
}
