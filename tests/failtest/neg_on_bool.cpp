// expect: dtype_not_supported<ctrace::op::neg, bool>
// Negating a bool tensor is an error; use logical_not (operator!).
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<bool, 4> a;
  auto n = -a;
  (void)n;
}
