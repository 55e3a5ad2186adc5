// The fused elementwise program: one slot per node, and an operand that repeats
// earlier memory (x in x * (x + y)) takes the earlier value instead of a load.
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;

namespace {
template <class Node, class T, class S>
auto evaluator_for(const Node& node, const tensor<T, S, cpu>& like) {
  return cpu_backend::evaluator<Node, S::rank>(node, like.sizes());
}
}  // namespace

TEST_CASE("x * (x + y) is one program of 5 slots reading x once") {
  Tensor<float, 4, 8> x = rand<float, 4, 8>(), y = rand<float, 4, 8>();
  auto e = x * (x + y);
  auto ev = evaluator_for(e, x);
  static_assert(decltype(ev)::slots == 5);  // x, x, y, add, mul
  static_assert(decltype(ev)::leaf_count == 3);
  CHECK(ev.same_as[0] == -1);
  CHECK(ev.same_as[1] == 0);  // the second x repeats the first: no load
  CHECK(ev.same_as[2] == -1);
  Tensor<float, 4, 8> z = e;
  check_close(z, expected_from(32, [&](std::size_t k) {
                const double a = x.data()[k], b = y.data()[k];
                return a * (a + b);
              }));
}

TEST_CASE("the same memory read another way is a different operand") {
  Tensor<float, 8, 8> x = rand<float, 8, 8>();
  auto t = x * x.transpose();  // same pointer, other strides
  auto ev = evaluator_for(t, x);
  CHECK(ev.same_as[1] == -1);
  auto s = x.slice<0>(0, 4) + x.slice<0>(4, 8);  // same storage, other offsets
  Tensor<float, dyn, 8> like(4, 8);
  auto ev2 = evaluator_for(s, like);
  CHECK(ev2.same_as[1] == -1);
  Tensor<float, 8, 8> r = t;
  CHECK(r(2, 5) == x(2, 5) * x(5, 2));
  // Equal views of one tensor taken separately are recognized as the same.
  auto u = x.slice<0>(0, 4) * x.slice<0>(0, 4);
  auto ev3 = evaluator_for(u, like);
  CHECK(ev3.same_as[1] == 0);
}

TEST_CASE("repeats across types and broadcast operands stay correct") {
  Tensor<float, 3, 4> x = rand<float, 3, 4>();
  Tensor<float, 4> b = rand<float, 4>();
  Tensor<std::int32_t, 3, 4> i = full<std::int32_t, 3, 4>(2);
  auto e = (x + b) * (x - b) + i * x + b;  // x three times, b three times
  auto ev = evaluator_for(e, x);
  int repeats = 0;
  for (int s : ev.same_as) repeats += s >= 0;
  CHECK(repeats == 4);  // x and b are each read once; their 2 + 2 repeats are not
  Tensor<float, 3, 4> z = e;
  check_close(z, expected_from(12, [&](std::size_t k) {
                const double xv = x.data()[k], bv = b.data()[k % 4];
                return (xv + bv) * (xv - bv) + 2 * xv + bv;
              }));
}
