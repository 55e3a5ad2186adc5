// expect: live on another device than the tensor it is assigned to
// A device expression evaluated into a new host tensor.
#include <ctrace/api/elementwise.hpp>
#include <ctrace/tensor/tensor.hpp>
using S = ctrace::shape_of<2, 3>;
void f(const ctrace::tensor<float, S, ctrace::cuda>& d) {
  ctrace::tensor<float, S, ctrace::cpu> h = d * 2;
  (void)h;
}
int main() {}
