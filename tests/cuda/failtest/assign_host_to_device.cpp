// expect: assign: the source lives on another device
// Writing a host expression into device memory in place (to_device(h) copies).
#include <ctrace/api/elementwise.hpp>
#include <ctrace/tensor/tensor.hpp>
using S = ctrace::shape_of<2, 3>;
void f(const ctrace::tensor<float, S, ctrace::cpu>& h, ctrace::tensor<float, S, ctrace::cuda>& d) { d.assign(h + 1); }
int main() {}
