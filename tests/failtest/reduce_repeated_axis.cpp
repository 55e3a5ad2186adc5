// expect: repeated_axis<ctrace::op::amax, 1>
// max over axes 1 and -1 of a rank-2 tensor: the same axis twice.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/reduce.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  auto m = ctrace::max<1, -1>(x);
  (void)m;
}
