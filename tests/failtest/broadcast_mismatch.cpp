// expect: shape_mismatch<ctrace::op::add, 0, 4, 3>
// Adding [4, 3] and [3, 4]: dim 0 is 4 against 3 (dims align from the right).
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 4, 3> a;
  ctrace::Tensor<float, 3, 4> b;
  auto c = a + b;
  (void)c;
}
