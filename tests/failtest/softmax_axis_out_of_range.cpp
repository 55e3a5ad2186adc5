// expect: axis_out_of_range<ctrace::op::log_softmax, -3, 2>
// log_softmax along an axis that a rank-2 tensor does not have.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/nn.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  auto s = ctrace::log_softmax<-3>(x);
  (void)s;
}
