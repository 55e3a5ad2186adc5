// expect: rank_mismatch<ctrace::op::cat, 2, 1>
// cat of a 2-D and a 1-D tensor.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/join.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> a;
  ctrace::Tensor<float, 3> b;
  auto c = ctrace::cat<0>(a, b);
  (void)c;
}
