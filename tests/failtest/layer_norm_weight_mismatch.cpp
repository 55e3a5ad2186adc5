// expect: shape_mismatch<ctrace::op::layer_norm, 1, 3, 4>
// layer_norm's weight must have the size of the normalized dim.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/nn.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  ctrace::Tensor<float, 4> w;
  ctrace::Tensor<float, 3> b;
  auto y = ctrace::layer_norm(x, w, b);
  (void)y;
}
