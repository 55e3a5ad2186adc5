// expect: shape_mismatch<ctrace::op::gather, 0, 2, 3>
// gather's index may not be longer than x in a dim other than the gather axis.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/indexing.hpp>

int main() {
  ctrace::Tensor<float, 2, 4> x;
  ctrace::Tensor<std::int64_t, 3, 1> index;
  auto g = ctrace::gather<1>(x, index);
  (void)g;
}
