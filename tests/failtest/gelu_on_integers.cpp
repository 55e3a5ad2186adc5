// expect: dtype_not_supported<ctrace::op::gelu, int>
// gelu is defined for floating types only (as in PyTorch).
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<int, 4> a;
  auto g = ctrace::gelu(a);
  (void)g;
}
