// expect: input_does_not_match_spec<1, ctrace::spec<float, 3>, ctrace::tensor<float, ctrace::shape<ctrace::fix<4> ?>
// A captured graph called with a tensor whose static shape differs from its spec.
#include <ctrace/ctrace.hpp>
int main() {
  auto g = ctrace::trace([](auto x, auto y) { return x + y; }, ctrace::spec<float, 3>{}, ctrace::spec<float, 3>{});
  ctrace::Tensor<float, 3> a;
  ctrace::Tensor<float, 4> b;
  auto r = g(a, b);
  (void)r;
}
