// Movement ops on expressions: a movement node, evaluated once and read
// through the view, alone or inside larger expressions. Expected values are
// written by hand.
#include "test_util.hpp"

#include <ctrace/api/movement.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

using namespace ctrace;
using ctrace::testing::check_close;

namespace {
template <class T, auto... Dims>
auto iota() {
  auto t = tensor<T, shape_of<Dims...>>::uninitialized(shape_of<Dims...>::static_sizes());
  for (index_t i = 0; i < t.numel(); ++i) t.data()[i] = static_cast<T>(i);
  return t;
}
}  // namespace

TEST_CASE("transpose of an expression") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto y = make_tensor<float, 2, 3>({10, 20, 30, 40, 50, 60});
  auto t = transpose(x + y);
  static_assert(is_movement_node_v<decltype(t)>);
  static_assert(std::is_same_v<decltype(t)::shape_type, shape_of<3, 2>>);
  CHECK(t.sizes() == sizes_t<2>{3, 2});
  Tensor<float, 3, 2> r = t;
  check_close(r, {11, 44, 22, 55, 33, 66});
  // As an operand of further elementwise work, and broadcast into it.
  Tensor<float, 3, 2> s = transpose(x + y) - transpose(y);
  check_close(s, {1, 4, 2, 5, 3, 6});
  Tensor<float, 2, 3, 2> b = unsqueeze<0>(transpose(x * 2.0f)) + make_tensor<float, 2, 1, 1>({0, 100});
  check_close(b, {2, 8, 4, 10, 6, 12, 102, 108, 104, 110, 106, 112});
  // assign() into an existing tensor, through its view.
  Tensor<float, 2, 3> dest;
  dest.transpose().assign(transpose(x + y));
  check_close(dest, {11, 22, 33, 44, 55, 66});
}

TEST_CASE("every movement op on an expression") {
  auto x = iota<float, 2, 3, 4>();
  auto e = x + 1.0f;  // values 1 .. 24
  check_close(permute<2, 0, 1>(e).eval().select<0>(3), {4, 8, 12, 16, 20, 24});
  check_close(select<1>(e, -1).eval(), {9, 10, 11, 12, 21, 22, 23, 24});
  CHECK_THROWS_WITH_AS(select<0>(e, 2), doctest::Contains("select: index 2 is out of range for dim 0 of size 2"),
                       ctrace::error);

  auto d = slice<2>(e, 1, 4, 2);
  static_assert(std::is_same_v<decltype(d)::shape_type, shape_of<2, 3, dyn>>);
  CHECK(d.sizes() == sizes_t<3>{2, 3, 2});
  check_close(d.eval(), {2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24});
  auto s = slice<1, 0, 3, 2>(e);
  static_assert(std::is_same_v<decltype(s)::shape_type, shape_of<2, 2, 4>>);
  check_close(s.eval(), {1, 2, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24});
  CHECK_THROWS_WITH_AS(slice<0>(e, 0, 1, -1), doctest::Contains("slice: step must be positive, got -1"),
                       ctrace::error);

  auto u = unsqueeze<1>(e);
  static_assert(std::is_same_v<decltype(u)::shape_type, shape_of<2, 1, 3, 4>>);
  auto sq = squeeze<1>(u);
  static_assert(std::is_same_v<decltype(sq)::shape_type, shape_of<2, 3, 4>>);
  check_close(sq.eval(), ctrace::testing::expected_from(24, [](std::size_t i) { return double(i + 1); }));

  auto row = make_tensor<float, 3>({1, 2, 3});
  auto ex = expand<2, 3>(row * 2.0f);
  static_assert(std::is_same_v<decltype(ex)::shape_type, shape_of<2, 3>>);
  check_close(ex.eval(), {2, 4, 6, 2, 4, 6});

  auto r = reshape<4, -1>(e);
  static_assert(std::is_same_v<decltype(r)::shape_type, shape_of<4, 6>>);
  check_close(select<0>(r, 3).eval(), {19, 20, 21, 22, 23, 24});
  auto v = view<6, 4>(e);
  static_assert(std::is_same_v<decltype(v)::shape_type, shape_of<6, 4>>);
  check_close(select<1>(v, 0).eval(), {1, 5, 9, 13, 17, 21});
  // reshape after a transpose of an expression reads the transposed order.
  auto rt = reshape<6>(transpose(make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6}) * 1.0f));
  check_close(rt.eval(), {1, 4, 2, 5, 3, 6});

  auto m = make_tensor<float, 3, 3>({1, 2, 3, 4, 5, 6, 7, 8, 9});
  check_close(diagonal(m * 10.0f).eval(), {10, 50, 90});
  check_close(diagonal<-1>(m - 1.0f).eval(), {3, 7});
}

TEST_CASE("chains of views over one evaluation") {
  auto x = iota<float, 4, 6>();
  auto c = transpose(slice<1, 1, 6, 2>(select<0>(reshape<2, 2, 6>(x * 1.0f), 1)));
  static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<3, 2>>);
  check_close(c.eval(), {13, 19, 15, 21, 17, 23});
  // The chain as an operand, broadcast.
  Tensor<float, 3, 2> plus = c + make_tensor<float, 2>({1000, 2000});
  check_close(plus, {1013, 2019, 1015, 2021, 1017, 2023});
  // A view of a view of a tensor leaf inside an expression stays a leaf.
  auto leaf_chain = transpose(select<0>(x, 0).eval().reshape<2, 3>());
  check_close(leaf_chain.eval(), {0, 3, 1, 4, 2, 5});
}

TEST_CASE("symbolic dims through expressions") {
  constexpr auto N = sym<"N">;
  Tensor<float, N, 3> x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto t = transpose(x + x);
  static_assert(std::is_same_v<decltype(t)::shape_type, shape_of<3, N>>);
  check_close(t.eval(), {2, 8, 4, 10, 6, 12});
  auto flat = reshape<-1>(x - 1.0f);
  static_assert(std::is_same_v<decltype(flat)::shape_type, shape_of<3 * N>>);
  check_close(flat.eval(), {0, 1, 2, 3, 4, 5});
  auto back = reshape<N, 3>(flat * 1.0f, {2, 3});
  static_assert(std::is_same_v<decltype(back)::shape_type, shape_of<N, 3>>);
  check_close(back.eval(), {0, 1, 2, 3, 4, 5});
  CHECK_THROWS_WITH_AS((reshape<N, 4>(flat * 1.0f, {2, 4})),
                       doctest::Contains("reshape: cannot view [6] (6 elements) as [2, 4] (8 elements)"),
                       ctrace::error);
  CHECK_THROWS_WITH_AS((view<-1, 4>(x + 1.0f)), doctest::Contains("6 elements cannot be arranged"), ctrace::error);

  auto rows = make_tensor<float, 1, 3>({1, 2, 3});
  auto ex = expand<N, 3>(rows + 0.0f, {4, 3});
  static_assert(std::is_same_v<decltype(ex)::shape_type, shape_of<N, 3>>);
  CHECK(ex.eval().size(0) == 4);
  CHECK_THROWS_WITH_AS((expand<N, 3>(x + 1.0f, {4, 3})), doctest::Contains("dim 0 of size 2 cannot expand to 4"),
                       ctrace::error);
  Tensor<float, N, 1> col(2, 1);
  CHECK_THROWS_WITH_AS(squeeze<0>(col * 2.0f), doctest::Contains("squeeze: dim 0 has size 2, not 1"), ctrace::error);
  auto sel = select<0>(x * 2.0f, -1);
  static_assert(std::is_same_v<decltype(sel)::shape_type, shape_of<3>>);
  check_close(sel.eval(), {8, 10, 12});
}

TEST_CASE("dtypes and size-0 dims") {
  auto i = make_tensor<std::int32_t, 2, 2>({1, 2, 3, 4});
  auto ti = transpose(i * 3);
  static_assert(std::is_same_v<decltype(ti)::value_type, std::int32_t>);  // a number does not widen i32
  check_close(ti.eval(), {3, 9, 6, 12}, 0);
  auto mask = transpose(i > 2);
  static_assert(std::is_same_v<decltype(mask)::value_type, bool>);
  check_close(mask.eval(), {0, 1, 0, 1}, 0);

  Tensor<float, 0, 3> empty;
  auto te = transpose(empty + 1.0f);
  CHECK(te.sizes() == sizes_t<2>{3, 0});
  CHECK(te.eval().numel() == 0);
  CHECK(reshape<3, -1>(empty * 2.0f).eval().sizes() == sizes_t<2>{3, 0});
  CHECK(slice<1>(empty - 1.0f, 1, 2).eval().sizes() == sizes_t<2>{0, 1});
}

TEST_CASE("movement nodes print with their attributes") {
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  const std::string text = to_text(permute<1, 0>(x + 1.0f));
  CHECK(text.find("permute(") != std::string::npos);
  CHECK(text.find("perm=[1, 0]") != std::string::npos);
  CHECK(to_text(select<1>(x * 2.0f, -1)).find("dim=1, index=-1") != std::string::npos);
  CHECK(to_text(reshape<3, -1>(x * 2.0f)).find("shape=[3, -1]") != std::string::npos);
}
