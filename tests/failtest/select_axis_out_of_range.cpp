// expect: axis_out_of_range<ctrace::op::select, 2, 2>
// select<2> on a rank-2 tensor: axes are 0, 1 (or -2, -1).
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 4, 3> a;
  auto row = a.select<2>(0);
  (void)row;
}
