// expect: element_count_mismatch<ctrace::op::reshape, 12, 10>
// Reshaping 12 elements into [5, 2].
#include <ctrace/ctrace.hpp>
int main() {
  ctrace::Tensor<float, 3, 4> a;
  auto r = a.reshape<5, 2>();
  (void)r;
}
