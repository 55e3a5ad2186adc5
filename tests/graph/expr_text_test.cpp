// Printing expressions: inputs once each, one line per node, constants inline.
#include "test_util.hpp"

using namespace ctrace;

TEST_CASE("an expression prints in the IR's text form") {
  constexpr auto N = sym<"N">;
  Tensor<float, N, 3> x(2, 3), y(2, 3);
  CHECK(to_text(sigmoid(tanh(x * (x + y)))) ==
        "expr(%0 : f32[N, 3], %1 : f32[N, 3]):\n"
        "  %2 : f32[N, 3] = add(%0, %1)\n"
        "  %3 : f32[N, 3] = mul(%0, %2)\n"
        "  %4 : f32[N, 3] = tanh(%3)\n"
        "  %5 : f32[N, 3] = sigmoid(%4)\n"
        "  return (%5)\n");
}

TEST_CASE("constants, casts, promotion and views in the text") {
  Tensor<std::int32_t, 2, 3> i;
  Tensor<float, 3> b;
  std::ostringstream os;
  os << clamp(i * 2.5 + b, 0.0, 1.0);
  CHECK(os.str() ==
        "expr(%0 : i32[2, 3], %1 : f32[3]):\n"
        "  %2 : f32[2, 3] = cast(%0)\n"
        "  %3 : f32[2, 3] = mul(%2, 2.5)\n"
        "  %4 : f32[2, 3] = add(%3, %1)\n"
        "  %5 : f32[2, 3] = clamp(%4, min=0, max=1)\n"
        "  return (%5)\n");
  // A transposed view of x is a different input from x itself.
  Tensor<float, 3, 3> x;
  CHECK(to_text(x + x.transpose()) ==
        "expr(%0 : f32[3, 3], %1 : f32[3, 3]):\n"
        "  %2 : f32[3, 3] = add(%0, %1)\n"
        "  return (%2)\n");
  CHECK(to_text(arange<float, 4>() * 2) ==
        "expr():\n"
        "  %0 : f32[4] = arange()\n"
        "  %1 : f32[4] = mul(%0, 2.0)\n"
        "  return (%1)\n");
}
