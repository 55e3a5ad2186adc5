// Uses ctrace as an installed package: builds an expression and checks a value.
#include <ctrace/ctrace.hpp>

#include <cmath>
#include <cstdio>

int main() {
  using namespace ctrace;
  Tensor<float, 2, 3> x, y;
  x.fill_(0.5f);
  y.fill_(1.0f);
  Tensor<float, 2, 3> z = sigmoid(tanh(x * (x + y)));
  const float expected = 1.0f / (1.0f + std::exp(-std::tanh(0.5f * 1.5f)));
  if (std::fabs(z(1, 2) - expected) > 1e-5f) {
    std::printf("consumer: wrong value %f, expected %f\n", z(1, 2), expected);
    return 1;
  }
  std::printf("consumer ok\n");
  return 0;
}
