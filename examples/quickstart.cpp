// ctrace in a few lines: build an expression from tensors, look at it, run it.
#include <ctrace/ctrace.hpp>

#include <iostream>

int main() {
  using namespace ctrace;

  constexpr auto N = sym<"N">;  // a symbolic dim: its value is bound at run time
  Tensor<float, N, 3> x = make_tensor<float, 2, 3>({0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f});
  Tensor<float, N, 3> y = full<float, 2, 3>(1.0f);

  // Nothing runs yet: `e` is a typed expression whose shape, f32[N, 3], was
  // checked while compiling. Printing it shows what was captured.
  auto e = sigmoid(tanh(x * (x + y)));
  std::cout << e;

  // Assigning it runs one fused loop over the elements, with no temporaries.
  Tensor<float, N, 3> z = e;
  std::cout << "z = " << z << "\n";

  // The same function captured as a graph: inputs described by specs, nodes
  // in topological order, and the guards a call checks (N bound per call).
  auto f = [](auto a, auto b) { return sigmoid(tanh(a * (a + b))); };
  auto g = trace(f, spec<float, N, 3>{}, spec<float, N, 3>{});
  std::cout << g;
  Tensor<float, N, 3> w = g(x, y);
  std::cout << "g(x, y) = " << w << "\n";
}
