// expect: grad needs a function with one scalar \(rank-0\) output
// grad of a graph whose output is not a scalar, without a cotangent.
#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>
int main() {
  auto g = ctrace::trace([](auto x) { return x * x; }, ctrace::spec<float, 3>{});
  auto dg = ctrace::grad(g);
  (void)dg;
}
