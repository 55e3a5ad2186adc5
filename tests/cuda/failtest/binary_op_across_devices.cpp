// expect: operands live on different devices
// A host tensor and a device tensor in one op.
#include <ctrace/api/elementwise.hpp>
#include <ctrace/tensor/tensor.hpp>
using S = ctrace::shape_of<2, 3>;
void f(const ctrace::tensor<float, S, ctrace::cpu>& h, const ctrace::tensor<float, S, ctrace::cuda>& d) {
  auto e = h * d;
  (void)e;
}
int main() {}
