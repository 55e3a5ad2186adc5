// The CPU backend's side of control_test.cu (see control_reference.hpp).
#include "control_reference.hpp"

#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>

namespace ctrace::testing::control_reference {

namespace {
constexpr auto N = sym<"N">, T = sym<"T">;

template <class S>
tensor<float, S, cpu> view(const std::vector<float>& v, const sizes_t<S::rank>& sizes) {
  return tensor<float, S, cpu>(nullptr, const_cast<float*>(v.data()), sizes, contiguous_strides<S::rank>(sizes));
}
template <class V, class S>
void append(std::vector<V>& out, const tensor<V, S, cpu>& t) {
  const tensor<V, S, cpu> c = t.contiguous();
  out.insert(out.end(), c.data(), c.data() + c.numel());
}
template <class V, class S>
std::vector<double> doubles(const tensor<V, S, cpu>& t) {
  const tensor<V, S, cpu> c = t.contiguous();
  return std::vector<double>(c.data(), c.data() + c.numel());
}
}  // namespace

std::vector<float> cond_values(const std::vector<float>& x, long rows) {
  auto g = trace(cond_graph, spec<float, N, 3>{});
  auto [c, d] = g(view<shape_of<N, 3>>(x, {rows, 3}));
  std::vector<float> out;
  append(out, c);
  append(out, d);
  return out;
}

std::string bad_predicate_error(const std::vector<float>& x) {
  auto g = trace(bad_predicate_graph, spec<float, N>{});
  try {
    g(view<shape_of<N>>(x, {static_cast<index_t>(x.size())}));
  } catch (const ctrace::error& e) {
    return e.what();
  }
  return "no error";
}

std::vector<float> loop_values(const std::vector<float>& a, const std::vector<float>& b, long trips) {
  auto g = trace(loop_graph, spec<float, N>{}, spec<float, N>{}, spec<float, dyn>{});
  const index_t n = static_cast<index_t>(a.size());
  auto [x, y] = g(view<shape_of<N>>(a, {n}), view<shape_of<N>>(b, {n}), Tensor<float, dyn>(trips));
  std::vector<float> out;
  append(out, x);
  append(out, y);
  return out;
}

tuple_scan_result tuple_scan(const std::vector<float>& product0, double count0, const std::vector<float>& factors,
                             const std::vector<float>& weights, long steps) {
  auto g = trace(tuple_scan_graph, std::make_tuple(spec<float, 3>{}, spec<double>{}),
                 std::make_tuple(spec<float, T, 3>{}, spec<float, T>{}));
  auto count = Tensor<double>();
  count.fill_(count0);
  auto [carry, ys] = g(std::make_tuple(view<shape_of<3>>(product0, {3}), count),
                       std::make_tuple(view<shape_of<T, 3>>(factors, {steps, 3}), view<shape_of<T>>(weights, {steps})));
  return {doubles(std::get<0>(carry)), doubles(std::get<1>(carry)), doubles(std::get<0>(ys)), doubles(std::get<1>(ys))};
}

std::vector<float> nested_scan(const std::vector<float>& init, const std::vector<float>& xs, long steps) {
  auto g = trace(nested_scan_graph, spec<float, 3>{}, spec<float, T, 2, 3>{});
  auto [total, ys] = g(view<shape_of<3>>(init, {3}), view<shape_of<T, 2, 3>>(xs, {steps, 2, 3}));
  std::vector<float> out;
  append(out, total);
  append(out, ys);
  return out;
}

std::vector<float> cond_loss_grad(const std::vector<float>& x, const std::vector<float>& w, long rows) {
  auto g = grad(trace(cond_loss_graph, spec<float, N, 3>{}, spec<float, N, 3>{}));
  auto [dx, dw] = g(view<shape_of<N, 3>>(x, {rows, 3}), view<shape_of<N, 3>>(w, {rows, 3}));
  std::vector<float> out;
  append(out, dx);
  append(out, dw);
  return out;
}

}  // namespace ctrace::testing::control_reference
