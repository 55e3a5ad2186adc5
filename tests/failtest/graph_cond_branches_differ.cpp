// expect: branch_results_differ<
// cond's branches must return the same structure, dtypes and shapes.
#include <ctrace/ctrace.hpp>
using namespace ctrace;
int main() {
  auto g = trace([](auto x) {
    return cond(sum(x) > 0.0, [](auto v) { return v * 2.0; }, [](auto v) { return sum(v); }, x);
  }, spec<float, 3>{});
  (void)g;
}
