// expect: rank_not_supported<ctrace::op::diag, 3>
// diag takes a vector or a matrix.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/linalg.hpp>

int main() {
  ctrace::Tensor<float, 2, 2, 2> a;
  auto d = ctrace::diag(a);
  (void)d;
}
