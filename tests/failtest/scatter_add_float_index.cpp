// expect: dtype_not_supported<ctrace::op::scatter_add, float>
// scatter_add needs an integer index (int64 or int32); a float index stops compilation.
#include <ctrace/ctrace.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  ctrace::Tensor<float, 2, 3> index;
  auto r = ctrace::scatter_add<1>(x, index, x);
  (void)r;
}
