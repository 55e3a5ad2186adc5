// expect: element_count_mismatch<ctrace::op::reshape, 12, 5>
// A -1 that cannot divide the element count: 12 elements, the other dims make 5.
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 3, 4> a;
  auto r = a.reshape<-1, 5>();
  (void)r;
}
