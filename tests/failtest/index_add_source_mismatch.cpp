// expect: shape_mismatch<ctrace::op::index_add, 1, 4, 3>
// index_add's source must have x's dims except along the axis: [2, 4] cannot be added into [5, 3].
#include <ctrace/ctrace.hpp>

int main() {
  ctrace::Tensor<float, 5, 3> x;
  ctrace::Tensor<std::int64_t, 2> index;
  ctrace::Tensor<float, 2, 4> source;
  auto r = ctrace::index_add<0>(x, index, source);
  (void)r;
}
