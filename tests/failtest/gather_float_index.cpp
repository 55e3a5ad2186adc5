// expect: dtype_not_supported<ctrace::op::gather, float>
// gather needs an integer index (int64 or int32); a float index stops compilation.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/indexing.hpp>

int main() {
  ctrace::Tensor<float, 2, 3> x;
  ctrace::Tensor<float, 2, 3> index;
  auto g = ctrace::gather<1>(x, index);
  (void)g;
}
