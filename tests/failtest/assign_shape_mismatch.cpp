// expect: shape_mismatch<ctrace::op::assign, 0, 2, 3>
// The expression is [2, 3]; the tensor is declared [3, 2].
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 2, 3> a;
  ctrace::Tensor<float, 3, 2> t = a + 1;
  (void)t;
}
