// expect: argument_out_of_range<ctrace::op::topk, 4, 3>
// topk<4> along a static dim of size 3.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/sort.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  auto r = ctrace::topk<4>(x);
  (void)r;
}
