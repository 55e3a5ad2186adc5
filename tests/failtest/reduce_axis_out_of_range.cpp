// expect: axis_out_of_range<ctrace::op::sum, 2, 2>
// sum over an axis that a rank-2 tensor does not have.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/reduce.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  auto s = ctrace::sum<0, 2>(x);
  (void)s;
}
