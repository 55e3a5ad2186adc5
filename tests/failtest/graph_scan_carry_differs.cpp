// expect: scan_carry_differs<
// scan's body must give back a carry of the init carry's shape (here f32[] for f32[3]).
#include <ctrace/ctrace.hpp>
using namespace ctrace;
int main() {
  auto g = trace([](auto init, auto xs) {
    return scan([](auto c, auto x) { return std::make_pair(sum(c + x), x); }, init, xs);
  }, spec<float, 3>{}, spec<float, sym<"T">, 3>{});
  (void)g;
}
