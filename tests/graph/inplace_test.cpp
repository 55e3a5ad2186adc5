// In-place ops inside captured functions become pure nodes; the last version
// of each input is written back to the caller's tensor after the call.
#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::vector_n;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("add_ then mul_ on an input: outputs see each version, the caller's tensor gets the last") {
  auto g = trace([](auto x, auto y) {
    auto x1 = add_(x, y);
    auto x2 = mul_(x1, 2.0);
    return with_updates(std::make_tuple(x + 0.0, x1 * 1.0), x2);
  }, spec<float, N>{}, spec<float, N>{});
  static_assert(decltype(g)::update_count == 1);
  CHECK(g.to_text() ==
        "graph(%in0 : f32[N], %in1 : f32[N]):\n"
        "  %0 : f32[N] = add(%in0, 0.0)\n"
        "  %1 : f32[N] = add(%in0, %in1)\n"
        "  %2 : f32[N] = update(%1, of=%in0, version=1)\n"
        "  %3 : f32[N] = mul(%2, 1.0)\n"
        "  %4 : f32[N] = mul(%2, 2.0)\n"
        "  %5 : f32[N] = update(%4, of=%in0, version=2)\n"
        "  %in0 <- %5  (in place)\n"
        "  return (%0, %3)\n"
        "guards:\n"
        "  N = %in0.size(0)\n"
        "  %in1.size(0) == N\n");
  auto x = vector_n({1, 2});
  auto [before, after_add] = g(x, vector_n({10, 20}));
  check_close(before, {1, 2});
  check_close(after_add, {11, 22});
  check_close(x, {22, 44});
}

TEST_CASE("fill_, zero_, copy_ and masked_fill_ as updates") {
  auto g = trace([](auto x, auto y, auto z, auto w) {
    return with_updates(std::make_tuple(), fill_(x, 7), zero_(y), copy_(z, w * 2.0), masked_fill_(w, w > 1.5, -1));
  }, spec<float, N>{}, spec<float, N>{}, spec<float, N>{}, spec<float, N>{});
  static_assert(decltype(g)::update_count == 4);
  auto x = vector_n({1, 2}), y = vector_n({3, 4}), z = vector_n({0, 0}), w = vector_n({1, 2});
  g(x, y, z, w);
  check_close(x, {7, 7});
  check_close(y, {0, 0});
  check_close(z, {2, 4});  // copy_ read w before masked_fill_ wrote it back
  check_close(w, {1, -1});
}

TEST_CASE("slice and select assignment write through the view") {
  auto g = trace([](auto x, auto y) {
    auto x1 = assign_(select<1>(x, 2), y + 1.0);         // x[:, 2] = y + 1
    auto x2 = assign_(slice<1>(x1, 0, 2), 0.5);          // x[:, 0:2] = 0.5
    return with_updates(sum(x2), x2);
  }, spec<float, 2, 3>{}, spec<float, 2>{});
  auto x = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto y = make_tensor<float, 2>({10, 20});
  Tensor<float> total = g(x, y);
  check_close(x, {0.5, 0.5, 11, 0.5, 0.5, 21});
  CHECK(total.item() == doctest::Approx(34));
}

TEST_CASE("index_put_ writes rows and rejects out-of-range indices before writing") {
  auto g = trace([](auto x, auto idx, auto v) { return with_updates(std::make_tuple(), index_put_(x, idx, v)); },
                 spec<float, N, 2>{}, spec<std::int64_t, 2>{}, spec<float, 2, 2>{});
  auto x = make_tensor<float, N, 2>({3, 2}, {0, 0, 0, 0, 0, 0});
  auto idx = make_tensor<std::int64_t, 2>({2, 0});
  auto v = make_tensor<float, 2, 2>({1, 2, 3, 4});
  g(x, idx, v);
  check_close(x, {3, 4, 0, 0, 1, 2});
  auto bad = make_tensor<std::int64_t, 2>({1, 3});
  CHECK_THROWS_AS(g(x, bad, v), ctrace::error);
  check_close(x, {3, 4, 0, 0, 1, 2});
}

TEST_CASE("in-place ops on tensors write their memory (eager)") {
  auto x = vector_n({1, 2, 3});
  add_(x, 1.0f);
  mul_(x, vector_n({2, 2, 2}));
  check_close(x, {4, 6, 8});
  masked_fill_(x, x > 5.0f, 0);
  check_close(x, {4, 0, 0});
  auto m = make_tensor<float, 2, 2>({1, 2, 3, 4});
  assign_(select<0>(m, 1), 9.0f);
  check_close(m, {1, 2, 9, 9});
}

TEST_CASE("the same tensor passed twice and updated: outputs use the values as given") {
  auto g = trace([](auto a, auto b) { return with_updates(a * b, add_(a, b)); }, spec<float, N>{}, spec<float, N>{});
  auto x = vector_n({1, 2});
  Tensor<float, N> p = g(x, x);
  check_close(p, {1, 4});
  check_close(x, {2, 4});
}
