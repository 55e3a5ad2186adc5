// expect: shape_mismatch<ctrace::op::where, 1, 3, 2>
// where() broadcasts its value operands: [2, 3] against [2, 2] fails on dim 1.
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 2, 3> a;
  ctrace::Tensor<float, 2, 2> b;
  auto c = ctrace::where(a > 0, a, b);
  (void)c;
}
