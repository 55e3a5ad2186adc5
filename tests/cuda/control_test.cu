// Control flow on device tensors: cond, fori_loop and scan in graphs traced
// with spec_on<cuda, ...> from the same lambdas that the CPU backend runs
// (control_reference.hpp), against the CPU's results; cond's predicate errors
// and its gradient; eager loops and scans over device tensors, against plain
// loops on the host.
#include <cmath>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <ctrace/autodiff.hpp>
#include <ctrace/graph/control.hpp>
#include <ctrace/graph/graph.hpp>

#include "control_reference.hpp"
#include "cuda_test_util.hpp"

using namespace ctrace;
using namespace ctrace::testing;
namespace ref = ctrace::testing::control_reference;

namespace {
constexpr auto N = sym<"N">, T = sym<"T">;

std::vector<float> random_values(std::size_t n, double lo = -2.0, double hi = 2.0) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(u(test_rng()));
  return v;
}

template <class S, class V>
tensor<V, S, cuda> device_from(const std::vector<V>& values, const sizes_t<S::rank>& sizes) {
  auto h = tensor<V, S, cpu>::uninitialized(sizes);
  REQUIRE(static_cast<std::size_t>(h.numel()) == values.size());
  for (std::size_t i = 0; i < values.size(); ++i) h.data()[i] = values[i];
  return to_device(h);
}

template <class V>
std::vector<double> as_doubles(const std::vector<V>& v) {
  return std::vector<double>(v.begin(), v.end());
}

// The values of several device tensors, one after the other.
template <class... Tensors>
std::vector<double> joined(const Tensors&... t) {
  std::vector<double> out;
  (
      [&] {
        const auto v = to_vector(t);
        out.insert(out.end(), v.begin(), v.end());
      }(),
      ...);
  return out;
}

// Random [rows, 3] values whose sum has the given sign.
std::vector<float> with_sum_sign(long rows, float sign) {
  auto x = random_values(static_cast<std::size_t>(rows * 3));
  x[0] = sign * 100.0f;
  return x;
}
}  // namespace

TEST_CASE("cond on the device: the branch the predicate picks, as on the CPU") {
  auto g = trace(ref::cond_graph, spec_on<cuda, float, N, 3>{});
  for (float sign : {1.0f, -1.0f}) {
    CAPTURE(sign);
    const long rows = 7;
    const auto x = with_sum_sign(rows, sign);
    auto [c, d] = g(device_from<shape_of<N, 3>>(x, {rows, 3}));
    static_assert(std::is_same_v<decltype(c), tensor<float, shape_of<N, 3>, cuda>>);
    check_close(joined(c, d), as_doubles(ref::cond_values(x, rows)), 1e-6);
    // Against the branch itself, so that both backends agreeing on a wrong one fails.
    const double x1 = x[1];
    CHECK(to_vector(c)[1] == doctest::Approx(sign > 0 ? x1 * 2 + 1 : -(x1 * x1)).epsilon(1e-6));
  }
}

TEST_CASE("cond on the device computes only the chosen branch") {
  // The false branch gathers with out-of-range indices, which raises when it runs.
  auto g = trace([](auto flag, auto x, auto i) {
    return cond(flag, [](auto v, auto) { return v * 2.0f; }, [](auto v, auto j) { return gather<0>(v, j); }, x, i);
  }, spec_on<cuda, bool>{}, spec_on<cuda, float, N, 3>{}, spec_on<cuda, std::int64_t, N, 3>{});
  const long rows = 4;
  const auto hx = random_host<float, shape_of<N, 3>>({rows, 3});
  auto hi = tensor<std::int64_t, shape_of<N, 3>, cpu>(rows, 3);  // zeros
  hi.data()[5] = 99;
  const auto x = to_device(hx);
  const auto i = to_device(hi);
  const auto yes = to_device(make_tensor<bool>({true})), no = to_device(make_tensor<bool>({false}));
  check_close(g(yes, x, i), expected_from(static_cast<std::size_t>(rows * 3), [&](std::size_t e) {
    return 2.0 * static_cast<double>(hx.data()[e]);
  }), 1e-6);
  CHECK_THROWS_WITH_AS(g(no, x, i), doctest::Contains("gather"), ctrace::error);
  hi.data()[5] = 2;  // in range: the false branch runs and gives the gather
  const auto z = g(no, x, to_device(hi));
  CHECK(to_vector(z)[5] == doctest::Approx(static_cast<double>(hx.data()[2 * 3 + 2])));
}

TEST_CASE("cond on the device: a predicate of more than one element raises the CPU's error") {
  const auto x = random_values(5);
  const std::string expected = ref::bad_predicate_error(x);
  CHECK(expected.find("cond: the predicate has 5 elements") != std::string::npos);
  auto g = trace(ref::bad_predicate_graph, spec_on<cuda, float, N>{});
  CHECK_THROWS_WITH_AS(g(device_from<shape_of<N>>(x, {5})), expected.c_str(), ctrace::error);
}

TEST_CASE("fori_loop on the device: a run-time trip count, zero included, as on the CPU") {
  auto g = trace(ref::loop_graph, spec_on<cuda, float, N>{}, spec_on<cuda, float, N>{}, spec_on<cuda, float, dyn>{});
  const index_t n = 9;
  const auto a = random_values(n), b = random_values(n);
  for (long trips : {0L, 1L, 6L}) {
    CAPTURE(trips);
    auto [x, y] = g(device_from<shape_of<N>>(a, {n}), device_from<shape_of<N>>(b, {n}),
                    tensor<float, shape_of<dyn>, cuda>(trips));
    static_assert(std::is_same_v<decltype(x), tensor<float, shape_of<N>, cuda>>);
    check_close(joined(x, y), as_doubles(ref::loop_values(a, b, trips)), 1e-5);
    if (trips == 0) check_close(joined(x, y), joined(device_from<shape_of<N>>(a, {n}), device_from<shape_of<N>>(b, {n})), 0);
  }
}

TEST_CASE("fori_loop over device tensors, called eagerly") {
  const auto h = random_host<double, shape_of<N>>({5});
  auto r = fori_loop(2, 5, [](auto i, auto acc) { return acc * 2.0 + i; }, to_device(h));
  const tensor<double, shape_of<N>, cuda> v = r;
  check_close(v, expected_from(5, [&](std::size_t e) {
    double a = h.data()[e];
    for (int i = 2; i < 5; ++i) a = a * 2 + i;
    return a;
  }), 1e-12);
}

TEST_CASE("scan on the device: tuple carries, tuple xs, tuple ys, zero-length xs, as on the CPU") {
  auto g = trace(ref::tuple_scan_graph, std::make_tuple(spec_on<cuda, float, 3>{}, spec_on<cuda, double>{}),
                 std::make_tuple(spec_on<cuda, float, T, 3>{}, spec_on<cuda, float, T>{}));
  const auto product0 = random_values(3, 0.5, 1.5);
  const double count0 = 10.0;
  for (long steps : {5L, 1L, 0L}) {
    CAPTURE(steps);
    const auto factors = random_values(static_cast<std::size_t>(steps * 3), 0.5, 1.5);
    const auto weights = random_values(static_cast<std::size_t>(steps), 0.0, 2.0);
    auto [carry, ys] = g(std::make_tuple(device_from<shape_of<3>>(product0, {3}), to_device(make_tensor<double>({count0}))),
                         std::make_tuple(device_from<shape_of<T, 3>>(factors, {steps, 3}),
                                         device_from<shape_of<T>>(weights, {steps})));
    auto [product, n] = carry;
    auto [scaled, counts] = ys;
    static_assert(std::is_same_v<decltype(n), tensor<double, shape<>, cuda>>);
    static_assert(std::is_same_v<decltype(counts), tensor<double, shape_of<T>, cuda>>);
    CHECK(scaled.sizes() == sizes_t<2>{steps, 3});
    CHECK(counts.sizes() == sizes_t<1>{steps});
    const auto expected = ref::tuple_scan(product0, count0, factors, weights, steps);
    check_close(product, expected.product, 1e-6);
    check_close(n, expected.count, 1e-12);
    check_close(scaled, expected.scaled, 1e-6);
    check_close(counts, expected.counts, 1e-12);
    if (steps == 0) {
      check_close(product, as_doubles(product0), 0);  // the init carry
      check_close(n, {count0}, 0);
    }
  }
}

TEST_CASE("a scan inside a scan's body, on the device, as on the CPU") {
  auto g = trace(ref::nested_scan_graph, spec_on<cuda, float, 3>{}, spec_on<cuda, float, T, 2, 3>{});
  const auto init = random_values(3);
  for (long steps : {4L, 1L}) {
    CAPTURE(steps);
    const auto xs = random_values(static_cast<std::size_t>(steps * 6));
    auto [total, ys] = g(device_from<shape_of<3>>(init, {3}), device_from<shape_of<T, 2, 3>>(xs, {steps, 2, 3}));
    CHECK(ys.sizes() == sizes_t<1>{steps});
    check_close(joined(total, ys), as_doubles(ref::nested_scan(init, xs, steps)), 1e-5);
  }
}

TEST_CASE("scan over device tensors, called eagerly; the init carry is not written") {
  const auto hx = random_host<float, shape_of<T, 3>>({4, 3});
  const auto init = to_device(make_tensor<float, 3>({1, 2, 3}));
  auto [total, sums] = scan([](auto c, auto x) {
    auto next = c + x;
    return std::make_pair(next, next * 2.0f);
  }, init, to_device(hx));
  const tensor<float, shape_of<T, 3>, cuda> s = sums;
  const tensor<float, shape_of<3>, cuda> t = total;
  std::vector<double> running{1, 2, 3}, stacked;
  for (index_t r = 0; r < 4; ++r) {
    for (std::size_t j = 0; j < 3; ++j) {
      running[j] += static_cast<double>(hx.data()[r * 3 + static_cast<index_t>(j)]);
      stacked.push_back(2 * running[j]);
    }
  }
  check_close(s, stacked, 1e-6);
  check_close(t, running, 1e-6);
  check_close(init, {1, 2, 3}, 0);
}

TEST_CASE("gradients through cond on the device") {
  // grad of a loss through cond, both branches, against the CPU's.
  auto g = grad(trace(ref::cond_loss_graph, spec_on<cuda, float, N, 3>{}, spec_on<cuda, float, N, 3>{}));
  for (float sign : {1.0f, -1.0f}) {
    CAPTURE(sign);
    const long rows = 6;
    const auto x = with_sum_sign(rows, sign);
    const auto w = random_values(static_cast<std::size_t>(rows * 3));
    auto [dx, dw] = g(device_from<shape_of<N, 3>>(x, {rows, 3}), device_from<shape_of<N, 3>>(w, {rows, 3}));
    check_close(joined(dx, dw), as_doubles(ref::cond_loss_grad(x, w, rows)), 1e-5);
  }

  // vjp with a cotangent, against the derivative of the branch taken.
  auto v = vjp(trace([](auto x) {
    return cond(sum(x) > 0.0, [](auto u) { return u * u; }, [](auto u) { return sin(u); }, x);
  }, spec_on<cuda, double, N>{}));
  for (double sign : {1.0, -1.0}) {
    CAPTURE(sign);
    auto hx = random_host<double, shape_of<N>>({8});
    hx.data()[0] = sign * 100;
    const auto hc = random_host<double, shape_of<N>>({8});
    const auto dx = v(to_device(hx), to_device(hc));
    check_close(dx, expected_from(8, [&](std::size_t e) {
      const double x = hx.data()[e], c = hc.data()[e];
      return sign > 0 ? 2 * x * c : std::cos(x) * c;
    }), 1e-12);
  }
}
