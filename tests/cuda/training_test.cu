// A training step on the device: the loss of a two-layer MLP (products, relu,
// mean of squares) and its gradients for both weights, as a captured graph on
// device tensors, against the same graph run by the CPU backend
// (cpu_reference.cpp), with the f32 products on either kernel.
#include <cmath>
#include <tuple>

#include <ctrace/autodiff.hpp>
#include <ctrace/graph/graph.hpp>

#include "cpu_reference.hpp"
#include "gemm_test_util.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {
constexpr auto Batch = sym<"B">;
using cpu_reference::mlp_hidden;
using cpu_reference::mlp_in;
using cpu_reference::mlp_out;

std::vector<float> floats(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

// Every element within tol of the reference, relative to the reference's largest magnitude.
void check_same(const std::vector<double>& got, const std::vector<float>& expected, double tol) {
  REQUIRE(got.size() == expected.size());
  double scale = 0;
  for (float e : expected) scale = std::max(scale, std::fabs(static_cast<double>(e)));
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) bad += !(std::fabs(got[i] - expected[i]) <= tol * scale);
  INFO(bad << " of " << got.size() << " elements differ (scale " << scale << ")");
  CHECK(bad == 0);
}
}  // namespace

TEST_CASE("the loss and weight gradients of a two-layer MLP on the device agree with the CPU's") {
  auto step = value_and_grad<2, 3>(trace(cpu_reference::mlp_loss, spec_on<cuda, float, Batch, mlp_in>{},
                                         spec_on<cuda, float, Batch, mlp_out>{},
                                         spec_on<cuda, float, mlp_in, mlp_hidden>{},
                                         spec_on<cuda, float, mlp_hidden, mlp_out>{}));
  for (const index_t batch : {index_t{200}, index_t{7}}) {
    CAPTURE(batch);
    const auto x = random_host<float, shape_of<Batch, mlp_in>>({batch, mlp_in});
    const auto t = random_host<float, shape_of<Batch, mlp_out>>({batch, mlp_out});
    const auto w1 = random_host<float, shape_of<mlp_in, mlp_hidden>>({mlp_in, mlp_hidden}, -0.2, 0.2);
    const auto w2 = random_host<float, shape_of<mlp_hidden, mlp_out>>({mlp_hidden, mlp_out}, -0.2, 0.2);
    const cpu_reference::mlp_gradients expected = cpu_reference::mlp_step(
        floats(to_vector(x)), floats(to_vector(t)), floats(to_vector(w1)), floats(to_vector(w2)), batch);
    for (const bool tensor_cores : {true, false}) {
      CAPTURE(tensor_cores);
      const f32_tensor_cores_scope scope(tensor_cores);
      const auto dx = to_device(x);
      const auto dt = to_device(t);
      const auto dw1 = to_device(w1);
      const auto dw2 = to_device(w2);
      const std::size_t products_before = cuda_backend::gemm_count();
      auto [loss, grads] = step(dx, dt, dw1, dw2);
      // x w1 and (relu of it) w2 forward, three backward; none computed twice.
      CHECK(cuda_backend::gemm_count() - products_before == 5);
      static_assert(std::is_same_v<std::remove_cvref_t<decltype(std::get<0>(grads))>,
                                   tensor<float, shape_of<mlp_in, mlp_hidden>, cuda>>);
      CHECK(to_vector(loss)[0] == doctest::Approx(expected.loss).epsilon(1e-5));
      check_same(to_vector(std::get<0>(grads)), expected.w1, 1e-5);
      check_same(to_vector(std::get<1>(grads)), expected.w2, 1e-5);
    }
  }
}
