// expect: dtype_mismatch<ctrace::op::assign, float, double>
// Assigning a float expression to a double tensor needs an explicit .to<double>().
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 2> a;
  ctrace::Tensor<double, 2> d = a * 2;
  (void)d;
}
