// The CPU backend's side of movement_sort_test.cu (see movement_reference.hpp).
#include "movement_reference.hpp"

#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>

namespace ctrace::testing::movement_reference {

namespace {
constexpr auto R = sym<"R">, C = sym<"C">;

template <class T>
tensor<T, shape_of<R, C>, cpu> matrix(const std::vector<T>& v, long rows, long cols) {
  return tensor<T, shape_of<R, C>, cpu>(nullptr, const_cast<T*>(v.data()), {rows, cols}, {cols > 0 ? cols : 1, 1});
}
template <class T, class S>
std::vector<T> values(const tensor<T, S, cpu>& t) {
  const tensor<T, S, cpu> c = t.contiguous();
  return std::vector<T>(c.data(), c.data() + c.numel());
}

template <int Axis, class T>
values_indices_of<T> topk_along(const std::vector<T>& x, long rows, long cols, long k) {
  const auto m = matrix(x, rows, cols);
  auto [v, i] = topk<Axis>(m, k);
  return {values(v.eval()), values(i.eval())};
}
template <class T>
values_indices_of<T> topk_of(const std::vector<T>& x, long rows, long cols, int axis, long k) {
  return axis == 0 ? topk_along<0>(x, rows, cols, k) : topk_along<1>(x, rows, cols, k);
}

template <int Axis, class T>
values_indices_of<T> cummax_along(const std::vector<T>& x, long rows, long cols) {
  const auto m = matrix(x, rows, cols);
  auto [v, i] = cummax<Axis>(m);
  return {values(v.eval()), values(i.eval())};
}
template <class T>
values_indices_of<T> cummax_of(const std::vector<T>& x, long rows, long cols, int axis) {
  return axis == 0 ? cummax_along<0>(x, rows, cols) : cummax_along<1>(x, rows, cols);
}
}  // namespace

values_indices_of<float> topk(const std::vector<float>& x, long rows, long cols, int axis, long k) {
  return topk_of(x, rows, cols, axis, k);
}
values_indices_of<double> topk(const std::vector<double>& x, long rows, long cols, int axis, long k) {
  return topk_of(x, rows, cols, axis, k);
}
values_indices_of<std::int32_t> topk(const std::vector<std::int32_t>& x, long rows, long cols, int axis, long k) {
  return topk_of(x, rows, cols, axis, k);
}

values_indices_of<float> cummax(const std::vector<float>& x, long rows, long cols, int axis) {
  return cummax_of(x, rows, cols, axis);
}
values_indices_of<std::int32_t> cummax(const std::vector<std::int32_t>& x, long rows, long cols, int axis) {
  return cummax_of(x, rows, cols, axis);
}

std::vector<float> masked_select(const std::vector<float>& x, long rows, long cols, const std::vector<std::uint8_t>& mask,
                                 bool row_mask) {
  const auto m = matrix(x, rows, cols);
  if (row_mask) {
    auto t = tensor<bool, shape_of<C>, cpu>::uninitialized({cols});
    for (long j = 0; j < cols; ++j) t.data()[j] = mask[static_cast<std::size_t>(j)] != 0;
    return values(ctrace::masked_select(m, t).eval());
  }
  auto t = tensor<bool, shape_of<R, C>, cpu>::uninitialized({rows, cols});
  for (long j = 0; j < rows * cols; ++j) t.data()[j] = mask[static_cast<std::size_t>(j)] != 0;
  return values(ctrace::masked_select(m, t).eval());
}

std::pair<std::vector<float>, std::vector<float>> movement_grad(const std::vector<float>& x, const std::vector<float>& y,
                                                                const std::vector<std::uint8_t>& mask, long n, long m) {
  auto t = tensor<bool, shape_of<C>, cpu>::uninitialized({m});
  for (long j = 0; j < m; ++j) t.data()[j] = mask[static_cast<std::size_t>(j)] != 0;
  auto g = grad(trace(movement_loss(t), spec<float, R, C>{}, spec<float, R, C>{}));
  auto [dx, dy] = g(matrix(x, n, m), matrix(y, n, m));
  return {values(dx), values(dy)};
}

std::pair<std::vector<double>, std::vector<double>> topk_of_cat_vjp(const std::vector<double>& x,
                                                                    const std::vector<double>& y,
                                                                    const std::vector<double>& c, long n, long m) {
  auto v = vjp(trace(topk_of_cat, spec<double, R, C>{}, spec<double, R, C>{}));
  const tensor<double, shape_of<R, 4>, cpu> tc(nullptr, const_cast<double*>(c.data()), {n, 4}, {4, 1});
  auto [dx, dy] = v(matrix(x, n, m), matrix(y, n, m), tc);
  return {values(dx), values(dy)};
}

}  // namespace ctrace::testing::movement_reference
