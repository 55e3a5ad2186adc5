#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;

namespace {
constexpr auto N = sym<"N">;
}

TEST_CASE("trace: simple chain captured, printed and run fused") {
  auto f = [](auto x, auto y) { return sigmoid(tanh(x * (x + y))); };
  auto g = trace(f, spec<float, N, 3>{}, spec<float, N, 3>{});
  static_assert(decltype(g)::input_count == 2);
  static_assert(decltype(g)::output_count == 1);
  static_assert(decltype(g)::node_count == 6);  // two inputs, add, mul, tanh, sigmoid
  CHECK(g.to_text() ==
        "graph(%in0 : f32[N, 3], %in1 : f32[N, 3]):\n"
        "  %0 : f32[N, 3] = add(%in0, %in1)\n"
        "  %1 : f32[N, 3] = mul(%in0, %0)\n"
        "  %2 : f32[N, 3] = tanh(%1)\n"
        "  %3 : f32[N, 3] = sigmoid(%2)\n"
        "  return (%3)\n"
        "guards:\n"
        "  N = %in0.size(0)\n"
        "  %in1.size(0) == N\n");
  Tensor<float, N, 3> x(2, 3), y(2, 3);
  for (int i = 0; i < 6; ++i) {
    x.data()[i] = 0.1f * static_cast<float>(i);
    y.data()[i] = 1.0f - 0.2f * static_cast<float>(i);
  }
  Tensor<float, N, 3> z = g(x, y);
  for (int i = 0; i < 6; ++i) {
    const double xv = x.data()[i], yv = y.data()[i];
    CHECK(z.data()[i] == doctest::Approx(1.0 / (1.0 + std::exp(-std::tanh(xv * (xv + yv))))).epsilon(1e-6));
  }
}
