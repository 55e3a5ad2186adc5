// Captured graphs and their gradients on device tensors: the same trace() and
// grad() as on the CPU, with specs on the cuda device; results agree with the
// formulas computed on the host.
#include <cmath>
#include <tuple>
#include <vector>

#include <ctrace/autodiff.hpp>
#include <ctrace/graph/graph.hpp>

#include "cpu_reference.hpp"
#include "cuda_test_util.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {
constexpr auto N = sym<"N">;
}

TEST_CASE("a captured graph runs on device tensors, printed like any graph") {
  auto f = [](auto x, auto y) { return sigmoid(tanh(x * (x + y))); };
  auto g = trace(f, spec_on<cuda, float, N, 3>{}, spec_on<cuda, float, N, 3>{});
  CHECK(g.to_text().find("%1 : f32[N, 3] = mul(%in0, %0)") != std::string::npos);
  const auto hx = random_host<float, shape_of<N, 3>>({5, 3});
  const auto hy = random_host<float, shape_of<N, 3>>({5, 3});
  auto z = g(to_device(hx), to_device(hy));
  static_assert(std::is_same_v<decltype(z), tensor<float, shape_of<N, 3>, cuda>>);
  const auto got = to_vector(z), x = to_vector(hx), y = to_vector(hy);
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double expected = 1 / (1 + std::exp(-std::tanh(x[i] * (x[i] + y[i]))));
    CHECK(got[i] == doctest::Approx(expected).epsilon(1e-5));
  }
}

TEST_CASE("gradients of an elementwise graph on the device") {
  auto g = trace([](auto x, auto y) { return exp(x) * y + x * x; }, spec_on<cuda, double, N>{}, spec_on<cuda, double, N>{});
  auto v = vjp(g);
  const auto hx = random_host<double, shape_of<N>>({7});
  const auto hy = random_host<double, shape_of<N>>({7});
  const auto hc = random_host<double, shape_of<N>>({7});
  auto [dx, dy] = v(to_device(hx), to_device(hy), to_device(hc));
  const auto gx = to_vector(dx), gy = to_vector(dy);
  const auto x = to_vector(hx), y = to_vector(hy), c = to_vector(hc);
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(gx[i] == doctest::Approx((std::exp(x[i]) * y[i] + 2 * x[i]) * c[i]).epsilon(1e-12));
    CHECK(gy[i] == doctest::Approx(std::exp(x[i]) * c[i]).epsilon(1e-12));
  }
}

TEST_CASE("views of device expressions and of device inputs inside a graph") {
  auto g = trace([](auto x) { return transpose(x * flit<2>) + transpose(x); }, spec_on<cuda, float, 2, 3>{});
  const auto hx = random_host<float, shape_of<2, 3>>({2, 3});
  auto z = g(to_device(hx));
  const auto got = to_vector(z), x = to_vector(hx);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) CHECK(got[i * 2 + j] == doctest::Approx(3 * x[j * 3 + i]));
  }
}

TEST_CASE("generators in a device graph give the CPU's values: rand, randn, dropout, bernoulli, arange, eye, linspace") {
  // The same graph on the CPU (cpu_reference.cpp) and here, with generators of
  // one seed: the random values are the same Philox draws, element for element.
  constexpr auto R = sym<"R">;
  auto g = trace(cpu_reference::generators_graph, spec_on<cuda, float, R, 3>{}, rng_spec{});
  for (const long n : {1L, 5L, 67L}) {
    const auto hx = random_host<float, shape_of<R, 3>>({n, 3});
    const auto x = to_vector(hx);
    std::vector<float> xf(x.begin(), x.end());
    const auto expected = cpu_reference::generators(xf, n, 1234);
    generator rng(1234);
    auto [noisy, dropped, coin, ramp, grid] = g(to_device(hx), rng);
    CHECK(rng.offset() == expected.offset);
    const auto same = [](const std::vector<double>& got, const std::vector<float>& want, double tolerance) {
      REQUIRE(got.size() == want.size());
      for (std::size_t i = 0; i < got.size(); ++i) {
        if (tolerance == 0) CHECK(got[i] == static_cast<double>(want[i]));
        else CHECK(got[i] == doctest::Approx(want[i]).epsilon(tolerance));
      }
    };
    same(to_vector(noisy), expected.noisy, 1e-6);  // Box-Muller's log/cos/sin: the device's libm
    same(to_vector(dropped), expected.dropped, 0);
    same(to_vector(coin), expected.coin, 0);
    same(to_vector(ramp), expected.ramp, 0);
    same(to_vector(grid), expected.grid, 0);
  }
  // Not a constant: the next call draws new values.
  generator rng(1234);
  const auto hx = random_host<float, shape_of<R, 3>>({64, 3});
  auto first = to_vector(std::get<2>(g(to_device(hx), rng)));
  auto second = to_vector(std::get<2>(g(to_device(hx), rng)));
  CHECK(first != second);
}

TEST_CASE("slice assignment, index_put_ and gradients through views on the device agree with the CPU") {
  // The forward call writes x[:, 2] and x[idx] back into x; the gradient
  // graph scatters (select, slice, the slice assignment) and puts rows.
  constexpr auto R = sym<"R">;
  auto g = trace(cpu_reference::update_loss, spec_on<cuda, float, R, 4>{}, spec_on<cuda, float, R>{},
                 spec_on<cuda, std::int64_t, 2>{}, spec_on<cuda, float, 2, 4>{});
  const long n = 6;
  const auto hx = random_host<float, shape_of<R, 4>>({n, 4});
  const auto hv = random_host<float, shape_of<R>>({n});
  const auto hr = random_host<float, shape_of<2, 4>>({2, 4});
  auto hi = tensor<std::int64_t, shape_of<2>, cpu>::uninitialized({2});
  hi.data()[0] = 4;
  hi.data()[1] = 1;
  const auto as_floats = [](const std::vector<double>& d) { return std::vector<float>(d.begin(), d.end()); };
  const std::vector<std::int64_t> idx{4, 1};
  const auto expected = cpu_reference::updates(as_floats(to_vector(hx)), as_floats(to_vector(hv)), idx,
                                               as_floats(to_vector(hr)), n);
  const auto same = [](const std::vector<double>& got, const std::vector<float>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
  };
  const auto dx0 = to_device(hx);
  const auto dv0 = to_device(hv);
  const auto di = to_device(hi);
  const auto dr = to_device(hr);
  auto [gx, gv, grows] = grad(g)(dx0, dv0, di, dr);
  same(to_vector(gx), expected.dx);
  same(to_vector(gv), expected.dv);
  same(to_vector(grows), expected.drows);
  same(to_vector(dx0), as_floats(to_vector(hx)));  // the gradient graph writes nothing back
  auto x = to_device(hx);
  auto loss = g(x, dv0, di, dr);
  CHECK(to_vector(loss)[0] == doctest::Approx(expected.loss).epsilon(1e-5));
  same(to_vector(x), expected.x_after);
  // An index out of range is refused before anything is written.
  auto bad = to_device(hi);
  auto hbad = to_host(bad);
  hbad.data()[1] = n;
  auto before = to_vector(x);
  CHECK_THROWS_WITH_AS(g(x, dv0, to_device(hbad), dr), "ctrace: index_put_: index 6 is out of range for dim 0 of size 6",
                       ctrace::error);
  CHECK(to_vector(x) == before);
}
