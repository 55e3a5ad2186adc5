// expect: dtype_not_supported<ctrace::op::var, long( int)?>
// var accepts floating types only (as torch.var).
#include <ctrace/ctrace.hpp>
#include <ctrace/api/reduce.hpp>

int main() {
  ctrace::Tensor<std::int64_t, 4> x;
  auto v = ctrace::var<0>(x, ctrace::keepdim);
  (void)v;
}
