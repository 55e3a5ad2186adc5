// expect: dtype_not_supported<ctrace::op::mean, int>
// mean accepts floating types only (as torch.mean).
#include <ctrace/ctrace.hpp>
#include <ctrace/api/reduce.hpp>

int main() {
  ctrace::Tensor<int, 4> x;
  auto m = ctrace::mean(x);
  (void)m;
}
