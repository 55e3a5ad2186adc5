// expect: dtype_not_supported<ctrace::op::matmul, bool>
// matmul has no bool form (as torch.matmul on CPU).
#include <ctrace/ctrace.hpp>
#include <ctrace/api/linalg.hpp>

int main() {
  ctrace::Tensor<bool, 2, 2> a, b;
  auto c = ctrace::matmul(a, b);
  (void)c;
}
