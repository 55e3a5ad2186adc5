// The control-flow graphs of control_test.cu and the CPU backend's results for
// them (control_reference.cpp, compiled by the host compiler): each graph is
// one lambda, traced with spec<...> there and with spec_on<cuda, ...> in the
// test, so the same user code runs on both backends, which must agree. Plain
// vectors cross the boundary (see cpu_reference.hpp); tensors are row-major.
#pragma once

#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ctrace::testing::control_reference {

// x: [rows, 3]. Both outputs hold the branch the sign of sum(x) picks; the
// second reads the cond as an operand of an elementwise expression.
inline const auto cond_graph = [](auto x) {
  auto c = cond(sum(x) > 0.0f, [](auto v) { return v * 2.0f + 1.0f; }, [](auto v) { return -(v * v); }, x);
  return std::make_pair(c, c * 3.0f + x);
};
std::vector<float> cond_values(const std::vector<float>& x, long rows);  // both outputs, one after the other

// A predicate of x's elements (not one): the error message the CPU raises.
inline const auto bad_predicate_graph = [](auto x) {
  return cond(x > 0.0f, [](auto v) { return v + 1.0f; }, [](auto v) { return v - 1.0f; }, x);
};
std::string bad_predicate_error(const std::vector<float>& x);

// Two carries, a: [N] and b: [N], over n.size(0) iterations (a run-time trip
// count; n's values are not read). The body reduces, and reads the index.
inline const auto loop_graph = [](auto a, auto b, auto n) {
  return fori_loop(0, n.sizes()[0], [](auto i, auto x, auto y) {
    return std::make_tuple(x * 0.5f + tanh(y) * i, y + sum(x) * 0.25f);
  }, a, b);
};
std::vector<float> loop_values(const std::vector<float>& a, const std::vector<float>& b, long trips);  // a, then b

// A running product and a running count: a tuple carry (f32 [3], f64 []),
// tuple xs (f32 [T, 3], f32 [T]) and a tuple y (f32 [3], f64 []).
inline const auto tuple_scan_graph = [](auto init, auto xs) {
  return scan([](auto carry, auto x) {
    auto [product, count] = carry;
    auto [factor, weight] = x;
    auto p = product * factor;
    auto n = count + weight;
    return std::make_pair(std::make_tuple(p, n), std::make_tuple(p * n, n));
  }, init, xs);
};
struct tuple_scan_result {
  std::vector<double> product, count, scaled, counts;
};
tuple_scan_result tuple_scan(const std::vector<float>& product0, double count0, const std::vector<float>& factors,
                             const std::vector<float>& weights, long steps);

// A scan inside a scan's body: xs [T, 2, 3], the inner scan over each x_t's
// two rows; y_t a reduction of the inner ys.
inline const auto nested_scan_graph = [](auto init, auto xs) {
  return scan([](auto c, auto x) {
    auto [inner_total, inner_ys] = scan([](auto ic, auto r) { return std::make_pair(ic + r, ic * r); }, c, x);
    return std::make_pair(inner_total, sum(inner_ys));
  }, init, xs);
};
std::vector<float> nested_scan(const std::vector<float>& init, const std::vector<float>& xs, long steps);  // total, ys

// The loss of a cond whose branches read both inputs; its gradient for x and
// w ([rows, 3] each) flows through the branch sum(x) picks.
inline const auto cond_loss_graph = [](auto x, auto w) {
  return sum(cond(sum(x) > 0.0f, [](auto v, auto u) { return v * u + sin(v); }, [](auto v, auto u) { return v * v * u; },
                  x, w));
};
std::vector<float> cond_loss_grad(const std::vector<float>& x, const std::vector<float>& w, long rows);  // dx, dw

}  // namespace ctrace::testing::control_reference
