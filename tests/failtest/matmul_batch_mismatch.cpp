// expect: shape_mismatch<ctrace::op::matmul, 0, 2, 5>
// Batch dims broadcast: 2 and 5 cannot (batch dim 0 of the result).
#include <ctrace/ctrace.hpp>
#include <ctrace/api/linalg.hpp>

int main() {
  ctrace::Tensor<float, 2, 3, 4> a;
  ctrace::Tensor<float, 5, 4, 6> b;
  auto c = ctrace::matmul(a, b);
  (void)c;
}
