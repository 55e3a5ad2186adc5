// expect: input_does_not_match_spec<0, ctrace::spec<float, [^>]*>, ctrace::tensor<double,
// A captured graph called with a tensor of another dtype than its spec.
#include <ctrace/ctrace.hpp>
int main() {
  constexpr auto N = ctrace::sym<"N">;
  auto g = ctrace::trace([](auto x) { return x * 2.0; }, ctrace::spec<float, N>{});
  ctrace::Tensor<double, N> a(3);
  auto r = g(a);
  (void)r;
}
