// expect: axis_out_of_range<ctrace::op::transpose, 2, 2>
// A rank-2 expression has no axis 2.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/movement.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  auto t = ctrace::transpose<0, 2>(x * 2.0f);
  (void)t;
}
