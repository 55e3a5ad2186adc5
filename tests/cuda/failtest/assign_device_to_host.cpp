// expect: assign: the source lives on another device
// Writing a device tensor into host memory in place (to_host(d) copies).
#include <ctrace/api/elementwise.hpp>
#include <ctrace/tensor/tensor.hpp>
using S = ctrace::shape_of<2, 3>;
void f(ctrace::tensor<float, S, ctrace::cpu>& h, const ctrace::tensor<float, S, ctrace::cuda>& d) { h.assign(d); }
int main() {}
