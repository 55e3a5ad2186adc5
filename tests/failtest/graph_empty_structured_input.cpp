// expect: empty_structured_input<1, std::tuple<> ?>
// A structured graph input with no tensor spec in it.
#include <ctrace/ctrace.hpp>
int main() {
  auto g = ctrace::trace([](auto x, auto) { return x * 2.0; }, ctrace::spec<float, 3>{}, std::tuple<>{});
  (void)g;
}
