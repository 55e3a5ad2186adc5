// Extents and shapes: canonical forms, arithmetic, run-time size checks.
#include <doctest/doctest.h>

#include <ctrace/core/broadcast.hpp>
#include <ctrace/core/shape.hpp>
#include <ctrace/core/shape_ops.hpp>
#include <ctrace/expr/ops/binary_ops.hpp>

using namespace ctrace;

namespace {
constexpr auto N = sym<"N">;
constexpr auto M = sym<"M">;
constexpr auto B = sym<"batch">;
}  // namespace

// Equal extents are equal types, whatever order they were written in.
static_assert(std::is_same_v<shape_of<2 * N, 3>, shape_of<N * 2, 3>>);
static_assert(std::is_same_v<shape_of<N + M>, shape_of<M + N>>);
static_assert(std::is_same_v<shape_of<N * M * 2>, shape_of<2 * M * N>>);
static_assert(!std::is_same_v<shape_of<N>, shape_of<M>>);
static_assert(std::is_same_v<shape_of<2, 3>, shape<fix<2>, fix<3>>>);
static_assert(std::is_same_v<shape_of<N - N + 4>, shape_of<4>>);  // folds to static
static_assert(shape_of<2, 3>::is_static && !shape_of<N, 3>::is_static);
static_assert(shape_of<N, 3>::numel_extent() == 3 * N);
static_assert(provably_equal((N + 1) * (N - 1), N * N - 1));
static_assert(provably_different(make_extent(2), make_extent(3)));
static_assert(!provably_different(N, make_extent(3)));
static_assert(divide_exact(6 * N * M, 3 * N) == 2 * M);
static_assert(divide_exact(6 * N, make_extent(4)).is_dynamic());
static_assert(divide_exact(N + M, N).is_dynamic());
static_assert(extent_of<dim_t<2 * N + M * N>> == 2 * N + M * N);
static_assert(std::is_same_v<shape_of<dyn>, shape<dyn_dim>>);
// Broadcasting at compile time.
static_assert(std::is_same_v<broadcast_shapes<op::add, shape_of<2, 1, 3>, shape_of<4, 1>>::type, shape_of<2, 4, 3>>);
static_assert(std::is_same_v<broadcast_shapes<op::add, shape_of<N, 3>, shape_of<3>>::type, shape_of<N, 3>>);
static_assert(std::is_same_v<broadcast_shapes<op::add, shape_of<N, 1>, shape_of<1, M>>::type, shape_of<N, M>>);
static_assert(std::is_same_v<broadcast_shapes<op::add, shape_of<dyn>, shape_of<N>>::type, shape_of<N>>);
static_assert(std::is_same_v<broadcast_shapes<op::add, shape_of<N>, shape_of<5>>::type, shape_of<5>>);
static_assert(std::is_same_v<broadcast_shapes<op::add, shape_of<>, shape_of<2, 2>>::type, shape_of<2, 2>>);
// Movement shapes.
static_assert(std::is_same_v<permute_shape<shape_of<2, N, 4>, 2, 0, 1>::type, shape_of<4, 2, N>>);
static_assert(std::is_same_v<reshape_shape<op::reshape, shape_of<N, 6>, -1, 3>::type, shape_of<2 * N, 3>>);
static_assert(std::is_same_v<reshape_shape<op::reshape, shape_of<4, 6>, 2, -1>::type, shape_of<2, 12>>);

TEST_CASE("extents print as canonical polynomials") {
  CHECK(to_string(N) == "N");
  CHECK(to_string(2 * N + 1) == "2*N + 1");
  CHECK(to_string((N + 1) * (M - 2)) == "M*N + M - 2*N - 2");
  CHECK(to_string(3 - N) == "-N + 3");
  CHECK(to_string(B * B) == "batch*batch");
  CHECK(to_string(dyn) == "?");
  CHECK(to_string(make_extent(0)) == "0");
  CHECK(shape_of<N, 2 * N + 1, dyn>::to_string() == "[N, 2*N + 1, ?]");
}

TEST_CASE("check_sizes binds each symbol once and reports disagreement with values") {
  CHECK_NOTHROW((check_sizes<shape_of<N, 2 * N>>({3, 6}, "t")));
  CHECK_NOTHROW((check_sizes<shape_of<N, dyn>>({3, 17}, "t")));
  CHECK_NOTHROW((check_sizes<shape_of<N, 3>>({0, 3}, "t")));
  CHECK_THROWS_WITH_AS((check_sizes<shape_of<N, 2 * N>>({3, 7}, "t")),
                       "ctrace: t: size 7 at dim 1 disagrees with the declared dim 2*N = 6 (symbols bound from the other dims)",
                       ctrace::error);
  CHECK_THROWS_WITH_AS((check_sizes<shape_of<N, 3>>({3, 4}, "t")), "ctrace: t: size 4 at dim 1 but the type says 3",
                       ctrace::error);
  CHECK_THROWS_WITH_AS((check_sizes<shape_of<N, N>>({3, 4}, "t")), doctest::Contains("declared dim N = 3"),
                       ctrace::error);
  CHECK_THROWS_WITH_AS((check_sizes<shape_of<2 * N>>({5}, "t")), doctest::Contains("not a multiple of 2"),
                       ctrace::error);
  CHECK_THROWS_WITH_AS((check_sizes<shape_of<N>>({-1}, "t")), doctest::Contains("negative"), ctrace::error);
}

TEST_CASE("run-time broadcasting names the op, dim and values") {
  using S1 = shape_of<N, 3>;
  using S2 = shape_of<M, 3>;
  using R = broadcast_shapes<op::add, S1, S2>::type;
  CHECK(broadcast_sizes<R, S1, S2>("add", {4, 3}, {4, 3}) == sizes_t<2>{4, 3});
  CHECK_THROWS_WITH_AS((broadcast_sizes<R, S1, S2>("add", {4, 3}, {5, 3})),
                       doctest::Contains("add: cannot broadcast dim 0: lhs N = 4, rhs M = 5"), ctrace::error);
  // A dynamic dim may be 1 at run time.
  using D = shape_of<dyn, 3>;
  using RD = broadcast_shapes<op::add, D, S1>::type;
  CHECK(broadcast_sizes<RD, D, S1>("add", {1, 3}, {7, 3}) == sizes_t<2>{7, 3});
  // A symbol labelling the result may not stand for 1 while the other side is larger.
  CHECK_THROWS_AS((broadcast_sizes<R, S1, S2>("add", {1, 3}, {5, 3})), ctrace::error);
}
