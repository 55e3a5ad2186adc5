// expect: custom_backward_gradient_count<.*two_inputs, 1, 2>
// A custom function whose backward returns one gradient for two inputs.
#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>
struct two_inputs {
  static auto forward(const auto& a, const auto& b) { return a * b; }
  static auto backward(const auto&, const auto& b, const auto&, const auto& g) { return g * b; }
};
int main() {
  auto g = ctrace::trace([](auto a, auto b) { return ctrace::sum(ctrace::custom<two_inputs>(a, b)); },
                         ctrace::spec<float, 3>{}, ctrace::spec<float, 3>{});
  auto dg = ctrace::grad(g);
  (void)dg;
}
