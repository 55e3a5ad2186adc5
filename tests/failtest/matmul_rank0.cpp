// expect: rank_mismatch<ctrace::op::matmul, 0, 2>
// A rank-0 operand has no dim to contract.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/linalg.hpp>

int main() {
  ctrace::Tensor<float> a;
  ctrace::Tensor<float, 2, 2> b;
  auto c = ctrace::matmul(a, b);
  (void)c;
}
