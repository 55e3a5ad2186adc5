// expect: shape_mismatch<ctrace::op::cat, 1, 3, 4>
// cat along dim 0 of [2, 3] and [2, 4]: dim 1 must agree.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/join.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> a;
  ctrace::Tensor<float, 2, 4> b;
  auto c = ctrace::cat<0>(a, b);
  (void)c;
}
