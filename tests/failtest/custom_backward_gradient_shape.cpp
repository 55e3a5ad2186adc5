// expect: custom_backward_gradient_shape<.*row_sum, 0, ctrace::shape<ctrace::fix<2> ?>, ctrace::shape<ctrace::fix<2>, ctrace::fix<3> ?> ?>
// A custom function whose backward returns a gradient of the output's dims, not the input's.
#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>
struct row_sum {
  static auto forward(const auto& x) { return ctrace::sum<1>(x); }
  static auto backward(const auto&, const auto&, const auto& g) { return g; }
};
int main() {
  auto g = ctrace::trace([](auto x) { return ctrace::sum(ctrace::custom<row_sum>(x)); }, ctrace::spec<float, 2, 3>{});
  auto dg = ctrace::grad(g);
  (void)dg;
}
