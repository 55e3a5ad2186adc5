// Shapes never freeze: sizes read from inputs keep their symbols in types
// and take this call's values (PyTorch's tracer bakes them as constants).
#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;

namespace {
constexpr auto N = sym<"N">;
constexpr auto M = sym<"M">;
}  // namespace

TEST_CASE("arange over a dim size is f32[N] and follows each call's N") {
  auto g = trace([](auto x) { return x + arange<float>(size<0>(x)); }, spec<float, N>{});
  CHECK(g.to_text() ==
        "graph(%in0 : f32[N]):\n"
        "  %0 : f32[N] = arange()\n"
        "  %1 : f32[N] = add(%in0, %0)\n"
        "  return (%1)\n"
        "guards:\n"
        "  N = %in0.size(0)\n");
  check_close(g(Tensor<float, N>(3)), {0, 1, 2});
  check_close(g(Tensor<float, N>(5)), {0, 1, 2, 3, 4});
}

TEST_CASE("full over x.shape() keeps x's dims; numel stays symbolic") {
  auto g = trace([](auto x) { return std::make_tuple(x * full(x.shape(), 2.0f), arange<float>(numel(x))); },
                 spec<float, N, M>{});
  Tensor<float, N, M> ones_2x3 = Tensor<float, N, M>(2, 3) + 1.0f;
  auto [twice, counts] = g(ones_2x3);
  static_assert(std::is_same_v<decltype(twice), Tensor<float, N, M>>);
  static_assert(std::is_same_v<typename decltype(counts)::shape_type, shape_of<M * N>>);
  check_close(twice, {2, 2, 2, 2, 2, 2});
  CHECK(counts.size(0) == 6);
}

TEST_CASE("reshape to sizes computed from the input's sizes") {
  auto g = trace([](auto x) { return reshape(x, size<1>(x) * size<0>(x)); }, spec<float, N, M>{});
  CHECK(g.to_text().find("f32[M*N] = reshape(%in0") != std::string::npos);
  auto x = make_tensor<float, N, M>({2, 2}, {1, 2, 3, 4});
  Tensor<float, N * M> flat = g(x);
  check_close(flat, {1, 2, 3, 4});
  auto y = make_tensor<float, N, M>({3, 1}, {5, 6, 7});
  check_close(g(y), {5, 6, 7});
}

TEST_CASE("a slice to n - 1 is recomputed on every call") {
  auto g = trace([](auto x, auto y) { return slice<0>(x, 0, x.sizes()[0] - 1) * 10.0f + sum(y); },
                 spec<float, N>{}, spec<float, M>{});
  auto a = make_tensor<float, N>({4}, {1, 2, 3, 4});
  check_close(g(a, Tensor<float, M>(2)), {10, 20, 30});
  auto b = make_tensor<float, N>({2}, {5, 6});
  check_close(g(b, Tensor<float, M>(1)), {50});
}
