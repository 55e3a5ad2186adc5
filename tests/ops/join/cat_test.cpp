// cat<Axis>(a, b, ...) and cat<Axis>(list): torch.cat.
#include "test_util.hpp"

#include <array>
#include <span>
#include <vector>

#include <ctrace/api/join.hpp>
#include <ctrace/backend/cpu/join.hpp>

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;

TEST_CASE("cat along each axis; the joined extent is the sum") {
  auto a = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto b = make_tensor<float, 4, 3>({10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21});
  auto c0 = cat<0>(a, b);
  static_assert(std::is_same_v<decltype(c0)::shape_type, shape_of<6, 3>>);
  check_close(c0.eval(), {1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21});
  auto d = make_tensor<float, 2, 1>({7, 8});
  auto c1 = cat<1>(a, d, a);
  static_assert(std::is_same_v<decltype(c1)::shape_type, shape_of<2, 7>>);
  check_close(c1.eval(), {1, 2, 3, 7, 1, 2, 3, 4, 5, 6, 8, 4, 5, 6});
  auto cm = cat<-1>(a, d).eval();
  check_close(cm, {1, 2, 3, 7, 4, 5, 6, 8});
  // One operand: a copy.
  check_close(cat<0>(a).eval(), {1, 2, 3, 4, 5, 6});
  CHECK(c1.attributes() == "dim=1");
  CHECK(decltype(c1)::name == "cat");
}

TEST_CASE("cat of symbolic dims: N + M at compile time, checked at run time") {
  constexpr auto N = sym<"N">;
  constexpr auto M = sym<"M">;
  Tensor<float, N, 3> a(2, 3);
  Tensor<float, M, 3> b(1, 3);
  for (index_t i = 0; i < 6; ++i) a.data()[i] = static_cast<float>(i);
  for (index_t i = 0; i < 3; ++i) b.data()[i] = static_cast<float>(100 + i);
  auto c = cat<0>(a, b);
  static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<N + M, 3>>);
  Tensor<float, N + M, 3> r = c;
  CHECK(r.size(0) == 3);
  check_close(r, {0, 1, 2, 3, 4, 5, 100, 101, 102});
  // N + N is 2N; N + 2 stays a sum.
  static_assert(std::is_same_v<decltype(cat<0>(a, a))::shape_type, shape_of<2 * N, 3>>);
  Tensor<float, 2, 3> s;
  static_assert(std::is_same_v<decltype(cat<0>(a, s))::shape_type, shape_of<N + 2, 3>>);
  // The other dims take the most precise extent: K against 3 gives 3.
  constexpr auto K = sym<"K">;
  Tensor<float, 2, K> k(2, 3);
  static_assert(std::is_same_v<decltype(cat<0>(k, s))::shape_type, shape_of<4, 3>>);
  check_close(cat<0>(k, s).eval(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  // ... and a K that is not 3 at run time is an error.
  Tensor<float, 2, K> k4(2, 4);
  CHECK_THROWS_WITH_AS(cat<0>(k4, s), doctest::Contains("cat: operand 1 has size 3 at dim 1 but operand 0 has 4"),
                       ctrace::error);
  // A dyn dim joined with anything gives dyn.
  Tensor<float, dyn, 3> d(5, 3);
  static_assert(std::is_same_v<decltype(cat<0>(d, s))::shape_type, shape_of<dyn, 3>>);
  CHECK(cat<0>(d, s).eval().size(0) == 7);
}

TEST_CASE("cat promotes element types as torch.cat") {
  auto i = make_tensor<std::int32_t, 2>({1, 2});
  auto l = make_tensor<std::int64_t, 1>({3});
  auto f = make_tensor<float, 1>({0.5f});
  auto d = make_tensor<double, 1>({0.25});
  auto b = make_tensor<bool, 2>({true, false});
  auto il = cat<0>(i, l).eval();
  static_assert(std::is_same_v<decltype(il)::value_type, std::int64_t>);
  check_close(il, {1, 2, 3});
  auto lf = cat<0>(l, f).eval();
  static_assert(std::is_same_v<decltype(lf)::value_type, float>);
  check_close(lf, {3, 0.5});
  auto fd = cat<0>(f, d, i).eval();
  static_assert(std::is_same_v<decltype(fd)::value_type, double>);
  check_close(fd, {0.5, 0.25, 1, 2});
  auto bi = cat<0>(b, i).eval();
  static_assert(std::is_same_v<decltype(bi)::value_type, std::int32_t>);
  check_close(bi, {1, 0, 1, 2});
  auto bb = cat<0>(b, b).eval();
  static_assert(std::is_same_v<decltype(bb)::value_type, bool>);
  check_close(bb, {1, 0, 1, 0});
}

TEST_CASE("cat of strided operands and of expressions") {
  auto base = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto t = base.transpose();  // [3, 2]: [[1, 4], [2, 5], [3, 6]]
  auto sl = make_tensor<float, 3, 4>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}).slice<1, 1, 4, 2>();  // [3, 2]
  check_close(cat<1>(t, sl).eval(), {1, 4, 1, 3, 2, 5, 5, 7, 3, 6, 9, 11});
  check_close(cat<0>(t, sl).eval(), {1, 4, 2, 5, 3, 6, 1, 3, 5, 7, 9, 11});
  // Operands that are expressions fuse into the copy; the result is an operand too.
  Tensor<float, 3, 4> y = cat<1>(t * 10.0f, sl + 1.0f) - 1.0f;
  check_close(y, {9, 39, 1, 3, 19, 49, 5, 7, 29, 59, 9, 11});
  // 3-D, middle axis.
  auto p = make_tensor<int, 2, 1, 2>({1, 2, 3, 4});
  auto q = make_tensor<int, 2, 2, 2>({5, 6, 7, 8, 9, 10, 11, 12});
  check_close(cat<1>(p, q).eval(), {1, 2, 5, 6, 7, 8, 3, 4, 9, 10, 11, 12});
}

TEST_CASE("cat with size-0 and size-1 operands") {
  auto a = make_tensor<float, 1, 2>({1, 2});
  Tensor<float, 0, 2> none;
  auto c = cat<0>(none, a, none);
  static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<1, 2>>);
  check_close(c.eval(), {1, 2});
  auto e = cat<0>(none, none).eval();
  CHECK(e.numel() == 0);
  Tensor<float, 3, 0> z;
  auto w = cat<1>(z, z).eval();
  CHECK(w.size(0) == 3);
  CHECK(w.size(1) == 0);
}

TEST_CASE("cat of a run-time list") {
  auto a = make_tensor<float, 2, 2>({1, 2, 3, 4});
  auto b = make_tensor<float, 2, 2>({5, 6, 7, 8});
  std::vector<Tensor<float, 2, 2>> list{a, b, a};
  auto c = cat<0>(list);
  static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<dyn, 2>>);
  auto r = c.eval();
  CHECK(r.size(0) == 6);
  check_close(r, {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4});
  check_close(cat<1>(list).eval(), {1, 2, 5, 6, 1, 2, 3, 4, 7, 8, 3, 4});
  CHECK(c.attributes() == "dim=0, parts=3");
  // A span and a std::array; strided parts.
  std::array<Tensor<float, 2, 2>, 2> arr{a.transpose(), b};
  check_close(cat<-1>(std::span(arr)).eval(), {1, 3, 5, 6, 2, 4, 7, 8});
  check_close(cat<0>(arr).eval(), {1, 3, 2, 4, 5, 6, 7, 8});
  // One part.
  std::vector<Tensor<float, 2, 2>> single{b};
  check_close(cat<0>(single).eval(), {5, 6, 7, 8});
  // Symbolic shapes: lengths along the axis may differ, the other dims may not.
  constexpr auto N = sym<"N">;
  std::vector<Tensor<float, N, 2>> ragged{Tensor<float, N, 2>(1, 2), Tensor<float, N, 2>(3, 2)};
  CHECK(cat<0>(ragged).eval().size(0) == 4);
  CHECK_THROWS_WITH_AS(cat<1>(ragged), doctest::Contains("cat: operand 1 has size 3 at dim 0 but operand 0 has 1"),
                       ctrace::error);
}

TEST_CASE("cat of an empty list throws") {
  std::vector<Tensor<float, 2, 2>> empty;
  CHECK_THROWS_WITH_AS(cat<0>(empty), doctest::Contains("cat: expected a non-empty list of tensors"), ctrace::error);
  CHECK_THROWS_WITH_AS(cat<1>(std::span<const Tensor<float, 2, 2>>()),
                       doctest::Contains("cat: expected a non-empty list of tensors"), ctrace::error);
}

TEST_CASE("cat of a list of views of the destination, in place") {
  // t.assign(cat(list)) where the parts are t's own rows in another order.
  auto t = make_tensor<float, 4, 2>({1, 2, 3, 4, 5, 6, 7, 8});
  std::vector<Tensor<float, dyn, 2>> parts{t.slice<0>(2, 4), t.slice<0>(0, 2)};
  t.assign(cat<0>(parts));
  check_close(t, {5, 6, 7, 8, 1, 2, 3, 4});
  // The variadic form, through tensor::assign's own check.
  auto u = make_tensor<float, 4, 2>({1, 2, 3, 4, 5, 6, 7, 8});
  u.assign(cat<0>(u.slice<0, 2, 4>(), u.slice<0, 0, 2>()));
  check_close(u, {5, 6, 7, 8, 1, 2, 3, 4});
}

TEST_CASE("cat of large operands and of many small ones matches a loop") {
  constexpr index_t rows = 300, cols = 257;
  Tensor<float, rows, cols> a, b;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) {
      a(i, j) = static_cast<float>(i * cols + j);
      b(i, j) = -static_cast<float>(i * cols + j);
    }
  }
  auto c = cat<1>(a, b.transpose().transpose()).eval();
  std::vector<double> e;
  for (index_t i = 0; i < rows; ++i) {
    for (index_t j = 0; j < cols; ++j) e.push_back(a(i, j));
    for (index_t j = 0; j < cols; ++j) e.push_back(b(i, j));
  }
  check_close(c, e, 0);
  std::vector<Tensor<float, 1, 3>> many;
  std::vector<double> em;
  for (int k = 0; k < 5000; ++k) {
    many.push_back(make_tensor<float, 1, 3>({float(k), float(-k), 0.5f}));
    em.insert(em.end(), {double(k), double(-k), 0.5});
  }
  check_close(cat<0>(many).eval(), em, 0);
}
