// expect: squeeze_non_unit_dim<ctrace::op::squeeze, 0, 4>
// Only a dim of size 1 can be squeezed away.
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 4, 3> a;
  auto s = a.squeeze<0>();
  (void)s;
}
