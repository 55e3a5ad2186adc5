// expect: shape_mismatch<ctrace::op::stack, 0, 2, 3>
// stack needs operands of one shape: [2, 3] and [3, 3] differ at dim 0.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/join.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> a;
  ctrace::Tensor<float, 3, 3> b;
  auto s = ctrace::stack<0>(a, b);
  (void)s;
}
