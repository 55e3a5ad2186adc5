// expect: element_count_mismatch<ctrace::op::view, 6, 8>
// A view of an expression keeps its element count: 6 cannot become [4, 2].
#include <ctrace/ctrace.hpp>
#include <ctrace/api/movement.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  auto v = ctrace::view<4, 2>(x + 1.0f);
  (void)v;
}
