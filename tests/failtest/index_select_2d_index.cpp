// expect: rank_mismatch<ctrace::op::index_select, 1, 2>
// index_select takes a 1-D index; the diagnostic names the rank it got.
#include <ctrace/ctrace.hpp>
#include <ctrace/api/indexing.hpp>

int main() {
  ctrace::Tensor<float, 4, 3> x;
  ctrace::Tensor<std::int64_t, 2, 2> index;
  auto r = ctrace::index_select<0>(x, index);
  (void)r;
}
