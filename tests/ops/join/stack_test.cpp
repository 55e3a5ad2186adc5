// stack<Axis>(a, b, ...) and stack<Axis>(list): torch.stack.
#include "test_util.hpp"

#include <span>
#include <vector>

#include <ctrace/api/join.hpp>
#include <ctrace/backend/cpu/join.hpp>

using namespace ctrace;
using ctrace::testing::check_close;

TEST_CASE("stack inserts a new axis whose extent is the operand count") {
  auto a = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto b = make_tensor<float, 2, 3>({10, 20, 30, 40, 50, 60});
  auto s0 = stack<0>(a, b);
  static_assert(std::is_same_v<decltype(s0)::shape_type, shape_of<2, 2, 3>>);
  check_close(s0.eval(), {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60});
  auto s1 = stack<1>(a, b, a);
  static_assert(std::is_same_v<decltype(s1)::shape_type, shape_of<2, 3, 3>>);
  check_close(s1.eval(), {1, 2, 3, 10, 20, 30, 1, 2, 3, 4, 5, 6, 40, 50, 60, 4, 5, 6});
  // After the last dim: 2 (= rank) or -1.
  auto s2 = stack<2>(a, b);
  static_assert(std::is_same_v<decltype(s2)::shape_type, shape_of<2, 3, 2>>);
  check_close(s2.eval(), {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60});
  check_close(stack<-1>(a, b).eval(), {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60});
  check_close(stack<-3>(a, b).eval(), {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60});
  CHECK(s1.attributes() == "dim=1");
  CHECK(decltype(s1)::name == "stack");
  // 0-d operands give a 1-D result.
  auto v = stack<0>(make_tensor<double>({1.5}), make_tensor<double>({2.5}));
  static_assert(std::is_same_v<decltype(v)::shape_type, shape_of<2>>);
  check_close(v.eval(), {1.5, 2.5});
}

TEST_CASE("stack promotes, reads strided operands and expressions") {
  auto i = make_tensor<std::int32_t, 2, 2>({1, 2, 3, 4});
  auto f = make_tensor<float, 2, 2>({0.5, 1.5, 2.5, 3.5});
  auto s = stack<0>(i.transpose(), f * 2.0f).eval();
  static_assert(std::is_same_v<decltype(s)::value_type, float>);
  check_close(s, {1, 3, 2, 4, 1, 3, 5, 7});
  auto l = make_tensor<std::int64_t, 2, 2>({5, 6, 7, 8});
  auto il = stack<2>(i, l).eval();
  static_assert(std::is_same_v<decltype(il)::value_type, std::int64_t>);
  check_close(il, {1, 5, 2, 6, 3, 7, 4, 8});
  Tensor<float, 2, 2, 2> y = stack<1>(f, f) + 1.0f;
  check_close(y, {1.5, 2.5, 1.5, 2.5, 3.5, 4.5, 3.5, 4.5});
}

TEST_CASE("stack with symbolic, size-0 and size-1 dims") {
  constexpr auto N = sym<"N">;
  Tensor<float, N, 2> a(3, 2), b(3, 2);
  for (index_t k = 0; k < 6; ++k) {
    a.data()[k] = static_cast<float>(k);
    b.data()[k] = static_cast<float>(-k);
  }
  auto s = stack<1>(a, b);
  static_assert(std::is_same_v<decltype(s)::shape_type, shape_of<N, 2, 2>>);
  Tensor<float, N, 2, 2> r = s;
  check_close(r, {0, 1, 0, -1, 2, 3, -2, -3, 4, 5, -4, -5});
  Tensor<float, N, 2> c(4, 2);
  CHECK_THROWS_WITH_AS(stack<0>(a, c), doctest::Contains("stack: operand 1 has size 4 at dim 0 but operand 0 has 3"),
                       ctrace::error);
  Tensor<float, 0, 2> none;
  auto e = stack<1>(none, none).eval();
  CHECK(e.size(0) == 0);
  CHECK(e.size(1) == 2);
  check_close(stack<0>(make_tensor<float, 1>({4})).eval(), {4});
}

TEST_CASE("stack of a run-time list") {
  auto a = make_tensor<float, 2>({1, 2});
  auto b = make_tensor<float, 2>({3, 4});
  std::vector<Tensor<float, 2>> list{a, b, a};
  auto s = stack<0>(list);
  static_assert(std::is_same_v<decltype(s)::shape_type, shape_of<dyn, 2>>);
  check_close(s.eval(), {1, 2, 3, 4, 1, 2});
  auto s1 = stack<1>(list);
  static_assert(std::is_same_v<decltype(s1)::shape_type, shape_of<2, dyn>>);
  check_close(s1.eval(), {1, 3, 1, 2, 4, 2});
  CHECK(s1.attributes() == "dim=1, parts=3");
  check_close(stack<-1>(std::span(list)).eval(), {1, 3, 1, 2, 4, 2});
  // Parts of one symbolic shape must agree at run time.
  constexpr auto N = sym<"N">;
  std::vector<Tensor<float, N>> ragged{Tensor<float, N>(2), Tensor<float, N>(3)};
  CHECK_THROWS_WITH_AS(stack<0>(ragged), doctest::Contains("stack: operand 1 has size 3 at dim 0 but operand 0 has 2"),
                       ctrace::error);
  std::vector<Tensor<float, 2>> empty;
  CHECK_THROWS_WITH_AS(stack<0>(empty), doctest::Contains("stack: expected a non-empty list of tensors"),
                       ctrace::error);
  // Many small parts.
  std::vector<Tensor<int, 2>> many;
  std::vector<double> e;
  for (int k = 0; k < 3000; ++k) {
    many.push_back(make_tensor<int, 2>({k, 2 * k}));
    e.push_back(k);
  }
  for (int k = 0; k < 3000; ++k) e.push_back(2 * k);
  check_close(stack<1>(many).eval(), e, 0);
}
