// expect: shape_mismatch<ctrace::op::matmul, 1, 4, 3>
// [3, 4] · [3, 5]: the lhs's dim 1 (4) must equal the rhs's dim 0 (3).
#include <ctrace/ctrace.hpp>
#include <ctrace/api/linalg.hpp>

int main() {
  ctrace::Tensor<float, 3, 4> a;
  ctrace::Tensor<float, 3, 5> b;
  auto c = ctrace::matmul(a, b);
  (void)c;
}
