// expect: dtype_not_supported<ctrace::op::sub, bool>
// Subtracting bool tensors is an error in PyTorch; use logical ops.
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<bool, 4> a, b;
  auto d = a - b;
  (void)d;
}
