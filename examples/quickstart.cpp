// ctrace in a few lines: build an expression from tensors, look at it, run it.
#include <ctrace/ctrace.hpp>

#include <iostream>

int main() {
  using namespace ctrace;

  Tensor<float, 2, 3> x = make_tensor<float, 2, 3>({0.0f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f});
  Tensor<float, 2, 3> y = full<float, 2, 3>(1.0f);

  // Nothing runs yet: `e` is a typed expression, its shape checked while compiling.
  auto e = sigmoid(tanh(x * (x + y)));

  // Assigning it runs one fused loop over the 6 elements, with no temporaries.
  Tensor<float, 2, 3> z = e;
  std::cout << "z = " << z << "\n";
}
