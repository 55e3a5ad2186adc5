// expect: dtype_not_supported<ctrace::op::softmax, int>
// softmax accepts floating types only.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/nn.hpp>

int main() {
  ctrace::Tensor<int, 2, 3> x;
  auto s = ctrace::softmax(x);
  (void)s;
}
