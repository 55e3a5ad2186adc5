// expect: graph_without_tensor_inputs<
// trace() of a function with no tensor input (an empty structure).
#include <ctrace/ctrace.hpp>
int main() {
  auto g = ctrace::trace([](auto) { return ctrace::full<float, 2>(1.0f); }, std::tuple<>{});
  (void)g;
}
