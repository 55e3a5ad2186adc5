// expect: rank_mismatch<ctrace::op::assign, 2, 1>
// A rank-2 expression assigned to a rank-1 tensor.
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 2, 3> a;
  ctrace::Tensor<float, 6> t = a + 1;
  (void)t;
}
