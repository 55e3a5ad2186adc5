// expect: tensors on this device need its backend
// A device tensor made in a source that does not include the CUDA backend.
#include <ctrace/tensor/tensor.hpp>
int main() {
  ctrace::tensor<float, ctrace::shape_of<2, 3>, ctrace::cuda> d;
  (void)d;
}
