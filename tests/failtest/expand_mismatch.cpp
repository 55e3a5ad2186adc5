// expect: expand_mismatch<ctrace::op::expand, 0, 3, 4>
// expand broadcasts size-1 dims only: 3 cannot become 4.
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 3, 1> a;
  auto e = a.expand<4, 2>();
  (void)e;
}
