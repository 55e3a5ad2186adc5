// expect: two in-place updates of one graph input were made from the same version
// add_ and mul_ both applied to the original x: the second must use the first's result.
#include <ctrace/ctrace.hpp>
using namespace ctrace;
int main() {
  auto g = trace([](auto x) { return with_updates(x * 1.0, add_(x, 1.0), mul_(x, 2.0)); }, spec<float, 3>{});
  (void)g;
}
