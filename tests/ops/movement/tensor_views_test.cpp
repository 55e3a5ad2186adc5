// Movement ops on tensors: each gives a tensor leaf over a zero-copy view;
// assigning one to a tensor copies. Expected values are written by hand.
#include "test_util.hpp"

#include <ctrace/api/movement.hpp>

#include <cstdint>
#include <type_traits>

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;

namespace {
template <class T>
inline constexpr bool is_leaf = false;
template <class T, class S, class D>
inline constexpr bool is_leaf<tensor_leaf<T, S, D>> = true;

// 0, 1, 2, ... in row-major order.
template <class T, auto... Dims>
auto iota() {
  auto t = tensor<T, shape_of<Dims...>>::uninitialized(shape_of<Dims...>::static_sizes());
  for (index_t i = 0; i < t.numel(); ++i) t.data()[i] = static_cast<T>(i);
  return t;
}
}  // namespace

TEST_CASE("a movement op on a tensor is a view; assigning it copies") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto leaf = transpose(x);
  static_assert(is_leaf<decltype(leaf)>);
  static_assert(std::is_same_v<decltype(leaf)::shape_type, shape_of<3, 2>>);
  CHECK(leaf.value.shares_memory_with(x));
  CHECK(leaf.value.data() == x.data());

  Tensor<float, 3, 2> t = transpose(x);  // a copy
  auto v = x.transpose();                // a view
  CHECK_FALSE(t.shares_memory_with(x));
  CHECK(v.shares_memory_with(x));
  x(0, 1) = 20;
  CHECK(t(1, 0) == 2);
  CHECK(v(1, 0) == 20);
  check_close(t, {1, 4, 2, 5, 3, 6});
  check_close(leaf.eval(), {1, 4, 20, 5, 3, 6});
  // A leaf of a leaf stays a view of the same memory.
  auto again = transpose(leaf);
  CHECK(again.value.data() == x.data());
  check_close(again.eval(), {1, 20, 3, 4, 5, 6});
}

TEST_CASE("permute and transpose") {
  auto x = iota<float, 2, 3, 4>();
  auto p = permute<2, 0, 1>(x);
  static_assert(std::is_same_v<decltype(p)::shape_type, shape_of<4, 2, 3>>);
  CHECK(p.value.strides() == sizes_t<3>{1, 12, 4});
  CHECK(p.value(3, 1, 2) == x(1, 2, 3));
  auto q = permute<-1, 1, 0>(x);  // negative axes count from the end
  static_assert(std::is_same_v<decltype(q)::shape_type, shape_of<4, 3, 2>>);
  CHECK(q.value(1, 2, 1) == x(1, 2, 1));
  auto t = transpose(x);  // the last two
  static_assert(std::is_same_v<decltype(t)::shape_type, shape_of<2, 4, 3>>);
  CHECK(t.value(1, 3, 2) == x(1, 2, 3));
  auto t02 = transpose<0, 2>(x);
  static_assert(std::is_same_v<decltype(t02)::shape_type, shape_of<4, 3, 2>>);
  CHECK(t02.value(3, 1, 0) == x(0, 1, 3));
  check_close(permute<1, 0>(make_tensor<int, 2, 2>({1, 2, 3, 4})).eval(), {1, 3, 2, 4});
}

TEST_CASE("select and slice") {
  auto x = iota<float, 3, 4>();
  auto r = select<0>(x, 1);
  static_assert(std::is_same_v<decltype(r)::shape_type, shape_of<4>>);
  check_close(r.eval(), {4, 5, 6, 7});
  check_close(select<1>(x, -1).eval(), {3, 7, 11});
  CHECK(select<1>(x, -1).value.data() == x.data() + 3);
  CHECK_THROWS_WITH_AS(select<0>(x, 3), doctest::Contains("select: index 3 is out of range for dim 0 of size 3"),
                       ctrace::error);
  CHECK_THROWS_WITH_AS(select<1>(x, -5), doctest::Contains("index -5 is out of range for dim 1 of size 4"),
                       ctrace::error);

  auto d = slice<1>(x, 1, 4, 2);
  static_assert(std::is_same_v<decltype(d)::shape_type, shape_of<3, dyn>>);
  CHECK(d.value.sizes() == sizes_t<2>{3, 2});
  check_close(d.eval(), {1, 3, 5, 7, 9, 11});
  check_close(slice<0>(x, -2, 100).eval(), {4, 5, 6, 7, 8, 9, 10, 11});  // clamped as in PyTorch
  CHECK(slice<0>(x, 2, 1).value.size(0) == 0);
  CHECK_THROWS_WITH_AS(slice<0>(x, 0, 2, 0), doctest::Contains("step must be positive, got 0"), ctrace::error);

  auto s = slice<1, 1, 4, 2>(x);  // static bounds on a static dim: static length
  static_assert(std::is_same_v<decltype(s)::shape_type, shape_of<3, 2>>);
  check_close(s.eval(), {1, 3, 5, 7, 9, 11});
  auto e = slice<0, 5, 9>(x);
  static_assert(std::is_same_v<decltype(e)::shape_type, shape_of<0, 4>>);
  CHECK(e.eval().numel() == 0);
}

TEST_CASE("squeeze, unsqueeze and expand") {
  auto x = make_tensor<float, 3, 1>({1, 2, 3});
  auto s = squeeze<1>(x);
  static_assert(std::is_same_v<decltype(s)::shape_type, shape_of<3>>);
  check_close(s.eval(), {1, 2, 3});
  auto u = unsqueeze<0>(s);
  static_assert(std::is_same_v<decltype(u)::shape_type, shape_of<1, 3>>);
  auto u_end = unsqueeze<-1>(s);
  static_assert(std::is_same_v<decltype(u_end)::shape_type, shape_of<3, 1>>);
  CHECK(u.value.data() == x.data());

  auto e = expand<2, 3, 4>(x);
  static_assert(std::is_same_v<decltype(e)::shape_type, shape_of<2, 3, 4>>);
  CHECK(e.value.strides() == sizes_t<3>{0, 1, 0});
  check_close(e.eval(), {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3});
  auto keep = expand<-1, 2>(x);  // -1 keeps the dim
  static_assert(std::is_same_v<decltype(keep)::shape_type, shape_of<3, 2>>);
  check_close(keep.eval(), {1, 1, 2, 2, 3, 3});

  constexpr auto N = sym<"N">;
  auto sym_e = expand<N, 3, 2>(x, {2, 3, 2});
  static_assert(std::is_same_v<decltype(sym_e)::shape_type, shape_of<N, 3, 2>>);
  CHECK(sym_e.value.size(0) == 2);
  Tensor<float, 3, N> y(3, 2);
  CHECK_THROWS_WITH_AS((expand<3, 5>(y)), doctest::Contains("dim 1 of size 2 cannot expand to 5"), ctrace::error);
  Tensor<float, N, 1> z(2, 1);
  CHECK_THROWS_WITH_AS(squeeze<0>(z), doctest::Contains("squeeze: dim 0 has size 2, not 1"), ctrace::error);
}

TEST_CASE("reshape and view") {
  auto x = iota<float, 2, 3>();
  auto r = reshape<3, 2>(x);
  static_assert(std::is_same_v<decltype(r)::shape_type, shape_of<3, 2>>);
  CHECK(r.value.data() == x.data());  // contiguous: a view
  auto flat = reshape<-1>(x);
  static_assert(std::is_same_v<decltype(flat)::shape_type, shape_of<6>>);
  check_close(flat.eval(), {0, 1, 2, 3, 4, 5});
  auto inferred = reshape<-1, 2>(x);
  static_assert(std::is_same_v<decltype(inferred)::shape_type, shape_of<3, 2>>);

  auto t = x.transpose();  // [3, 2], not viewable as [6]
  auto copied = reshape<6>(t);
  CHECK_FALSE(copied.value.shares_memory_with(x));
  check_close(copied.eval(), {0, 3, 1, 4, 2, 5});
  CHECK_THROWS_WITH_AS(view<6>(t), doctest::Contains("cannot be viewed as [6] without a copy; use reshape"),
                       ctrace::error);
  auto v = view<3, 1, 2>(x);
  CHECK(v.value.data() == x.data());
  check_close(v.eval(), {0, 1, 2, 3, 4, 5});
  // Splitting a transposed dim that stays contiguous within itself is a view.
  auto big = iota<float, 4, 6>().transpose();  // [6, 4], strides (1, 6)
  auto split = view<2, 3, 4>(big);
  CHECK(split.value.strides() == sizes_t<3>{3, 1, 6});

  constexpr auto N = sym<"N">;
  Tensor<float, N, 4> s(3, 4);
  auto flat_s = reshape<-1>(s);
  static_assert(std::is_same_v<decltype(flat_s)::shape_type, shape_of<4 * N>>);
  CHECK(flat_s.value.size(0) == 12);
  auto back = reshape<N, 2, 2>(flat_s, {3, 2, 2});
  static_assert(std::is_same_v<decltype(back)::shape_type, shape_of<N, 2, 2>>);
  auto inferred_n = reshape<N, 2>(s);  // the one symbolic dim is inferred
  CHECK(inferred_n.value.size(0) == 6);
  CHECK_THROWS_WITH_AS((reshape<N, 5>(s, {2, 5})), doctest::Contains("(12 elements) as [2, 5] (10 elements)"),
                       ctrace::error);
  CHECK_THROWS_WITH_AS((reshape<-1, 5>(s)), doctest::Contains("12 elements cannot be arranged"), ctrace::error);
}

TEST_CASE("diagonal of a tensor is a view") {
  auto x = iota<float, 3, 4>();
  auto d = diagonal(x);
  static_assert(std::is_same_v<decltype(d)::shape_type, shape_of<3>>);
  check_close(d.eval(), {0, 5, 10});
  d.value(1) = -1;
  CHECK(x(1, 1) == -1);
  check_close(diagonal<1>(x).eval(), {1, 6, 11});
  check_close(diagonal<-1>(x).eval(), {4, 9});
  static_assert(std::is_same_v<decltype(diagonal<3>(x))::shape_type, shape_of<1>>);
  static_assert(std::is_same_v<decltype(diagonal<4>(x))::shape_type, shape_of<0>>);
  CHECK(diagonal<9>(x).eval().numel() == 0);
  // Of a strided view: the transposed matrix's diagonal is the same.
  check_close(diagonal<-1>(x.transpose()).eval(), {1, 6, 11});
}

TEST_CASE("chains of views keep sharing memory") {
  auto x = iota<float, 4, 6>();
  auto c = transpose(slice<1, 1, 6, 2>(select<0>(reshape<2, 2, 6>(x), 1)));
  // reshape: [2, 2, 6]; select 1: rows 2 and 3 of x; slice cols 1, 3, 5; transpose.
  static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<3, 2>>);
  CHECK(c.value.shares_memory_with(x));
  check_close(c.eval(), {13, 19, 15, 21, 17, 23});
  auto u = squeeze<0>(unsqueeze<0>(permute<1, 0>(x)));
  CHECK(u.value.data() == x.data());
  CHECK(u.value(5, 3) == 23);
}

TEST_CASE("size-0 dims") {
  Tensor<float, 0, 3> x;
  auto t = transpose(x);
  static_assert(std::is_same_v<decltype(t)::shape_type, shape_of<3, 0>>);
  CHECK(t.eval().numel() == 0);
  auto r = reshape<3, -1>(x);
  CHECK(r.value.sizes() == sizes_t<2>{3, 0});
  CHECK_THROWS_WITH_AS(select<0>(x, 0), doctest::Contains("out of range for dim 0 of size 0"), ctrace::error);
  auto e = expand<2, 0, 3>(x);
  CHECK(e.eval().numel() == 0);
}
