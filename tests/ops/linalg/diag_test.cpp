// diag_embed, diagonal and diag (torch.diag): both directions, with
// offsets, on tensors, strided views and expressions. Expected values are
// written by hand.
#include "test_util.hpp"

#include <ctrace/api/linalg.hpp>
#include <ctrace/api/movement.hpp>

#include <cstdint>
#include <type_traits>

using namespace ctrace;
using ctrace::testing::check_close;

TEST_CASE("diag_embed puts a vector on a diagonal") {
  auto v = make_tensor<float, 3>({1, 2, 3});
  auto m = diag_embed(v);
  static_assert(std::is_same_v<decltype(m)::shape_type, shape_of<3, 3>>);
  check_close(m.eval(), {1, 0, 0, 0, 2, 0, 0, 0, 3});
  auto up = diag_embed<1>(v);
  static_assert(std::is_same_v<decltype(up)::shape_type, shape_of<4, 4>>);
  check_close(up.eval(), {0, 1, 0, 0,  //
                          0, 0, 2, 0,  //
                          0, 0, 0, 3,  //
                          0, 0, 0, 0});
  auto down = diag_embed<-2>(v);
  static_assert(std::is_same_v<decltype(down)::shape_type, shape_of<5, 5>>);
  check_close(down.eval(), {0, 0, 0, 0, 0,  //
                            0, 0, 0, 0, 0,  //
                            1, 0, 0, 0, 0,  //
                            0, 2, 0, 0, 0,  //
                            0, 0, 3, 0, 0});
  CHECK(m.attributes() == "offset=0");
}

TEST_CASE("diag_embed of strided vectors and expressions, other dtypes") {
  auto x = make_tensor<std::int32_t, 2, 3>({1, 2, 3, 4, 5, 6});
  auto col = x.select<1>(1);  // [2, 5], stride 3
  check_close(diag_embed(col).eval(), {2, 0, 0, 5}, 0);
  auto e = diag_embed<1>(x.select<0>(1) * 2);
  static_assert(std::is_same_v<decltype(e)::value_type, std::int32_t>);
  check_close(e.eval(), {0, 8, 0, 0, 0, 0, 10, 0, 0, 0, 0, 12, 0, 0, 0, 0}, 0);
  // As an operand of elementwise work: materialized once, then fused.
  Tensor<double, 2, 2> plus = diag_embed(make_tensor<double, 2>({1, 2})) + 0.5;
  check_close(plus, {1.5, 0.5, 0.5, 2.5});
  auto b = diag_embed(make_tensor<bool, 2>({true, true}));
  check_close(b.eval(), {1, 0, 0, 1}, 0);
  Tensor<float, 0> empty;
  CHECK(diag_embed<2>(empty).eval().sizes() == sizes_t<2>{2, 2});
  check_close(diag_embed<2>(empty).eval(), {0, 0, 0, 0});
}

TEST_CASE("symbolic lengths") {
  constexpr auto N = sym<"N">;
  Tensor<float, N> v = make_tensor<float, 2>({4, 5});
  auto m = diag_embed<-1>(v);
  static_assert(std::is_same_v<decltype(m)::shape_type, shape_of<N + 1, N + 1>>);
  check_close(m.eval(), {0, 0, 0, 4, 0, 0, 0, 5, 0});
  Tensor<float, N, N> sq = make_tensor<float, 2, 2>({1, 2, 3, 4});
  auto d = diagonal(sq);
  static_assert(std::is_same_v<decltype(d)::shape_type, shape_of<N>>);
  check_close(d.eval(), {1, 4});
  auto d1 = diagonal<1>(sq);
  static_assert(std::is_same_v<decltype(d1)::shape_type, shape_of<dyn>>);
  check_close(d1.eval(), {2});
}

TEST_CASE("diag as torch.diag") {
  auto v = make_tensor<float, 2>({7, 8});
  auto m = diag(v);
  static_assert(std::is_same_v<decltype(m)::shape_type, shape_of<2, 2>>);
  check_close(m.eval(), {7, 0, 0, 8});
  check_close(diag<1>(v).eval(), {0, 7, 0, 0, 0, 8, 0, 0, 0});

  auto a = make_tensor<float, 3, 4>({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  auto d = diag(a);
  static_assert(std::is_same_v<decltype(d)::shape_type, shape_of<3>>);
  check_close(d.eval(), {1, 6, 11});
  check_close(diag<2>(a).eval(), {3, 8});
  check_close(diag<-2>(a).eval(), {9});
  check_close(diag<-1>(a.transpose()).eval(), {2, 7, 12});
  // Round trip: the diagonal of the embedded vector is the vector.
  check_close(diag<-1>(diag<-1>(v)).eval(), {7, 8});
  // Of an expression.
  check_close(diag(a * 2.0f).eval(), {2, 12, 22});
  Tensor<float, 3> copy = diag(a);
  copy(0) = 100;
  CHECK(a(0, 0) == 1);
}
