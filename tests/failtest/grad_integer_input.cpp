// expect: the gradient of an integer, bool or generator input is not defined
// grad with respect to an integer input.
#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>
int main() {
  auto g = ctrace::trace([](auto x, auto i) { return ctrace::sum(x * i); }, ctrace::spec<float, 3>{},
                         ctrace::spec<std::int64_t, 3>{});
  auto dg = ctrace::grad<1>(g);
  (void)dg;
}
