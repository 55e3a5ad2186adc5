// expect: invalid_permutation<ctrace::op::permute, 2, 0, 0>
// A permutation must name each axis once.
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 4, 3> a;
  auto p = a.permute<0, 0>();
  (void)p;
}
