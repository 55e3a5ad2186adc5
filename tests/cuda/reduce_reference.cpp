// The CPU backend's side of the reduction agreement tests (see reduce_reference.hpp).
#include "reduce_reference.hpp"

#include <ctrace/ctrace.hpp>

#include <stdexcept>

namespace ctrace::testing::cpu_reference {

namespace {
using cube = tensor<float, shape_of<dyn, dyn, dyn>, cpu>;
using line = tensor<float, shape_of<dyn>, cpu>;

cube view3(const std::vector<float>& v, dims3 s) {
  return cube(nullptr, const_cast<float*>(v.data()), {s[0], s[1], s[2]}, {s[1] * s[2], s[2], 1});
}
line view1(const std::vector<float>& v) {
  return line(nullptr, const_cast<float*>(v.data()), {static_cast<long>(v.size())}, {1});
}
template <class T, class S>
std::vector<T> values(const tensor<T, S, cpu>& t) {
  const tensor<T, S, cpu> c = t.contiguous();
  return std::vector<T>(c.data(), c.data() + c.numel());
}
template <class T, class S>
std::vector<double> doubles(const tensor<T, S, cpu>& t) {
  const tensor<T, S, cpu> c = t.contiguous();
  return std::vector<double>(c.data(), c.data() + c.numel());
}

template <int Axis>
std::vector<float> softmax_axis(const cube& x, bool log) {
  if (log) return values(cube(log_softmax<Axis>(x * 2)));
  return values(cube(softmax<Axis>(x * 2)));
}

template <int Axis>
std::vector<float> layer_norm_axis(const cube& x, const line& w, const line& b, bool affine) {
  if (affine) return values(cube(layer_norm<Axis>(x + 1, w, b, 1e-5)));
  return values(cube(layer_norm<Axis>(x + 1, 1e-5)));
}

template <class Node>
auto evaluate(const Node& n) {
  return tensor<typename Node::value_type, typename Node::shape_type, cpu>(n);
}

template <int... Axes, class X>
std::vector<double> reduce_axes(reduce_op op, const X& x) {
  switch (op) {
    case reduce_op::sum: return doubles(evaluate(sum<Axes...>(x)));
    case reduce_op::mean: return doubles(evaluate(mean<Axes...>(x)));
    case reduce_op::amax: return doubles(evaluate(max<Axes...>(x)));
    case reduce_op::var: return doubles(evaluate(var<Axes...>(x)));
    case reduce_op::argmax:
      if constexpr (sizeof...(Axes) == 1) return doubles(evaluate(argmax<Axes...>(x)));
      break;
  }
  throw std::invalid_argument("reduce_of_product: argmax over one axis only");
}
}  // namespace

std::vector<float> softmax_of_twice(const std::vector<float>& x, dims3 sizes, int axis, bool log) {
  const cube t = view3(x, sizes);
  switch (axis) {
    case 0: return softmax_axis<0>(t, log);
    case 1: return softmax_axis<1>(t, log);
    default: return softmax_axis<2>(t, log);
  }
}

std::vector<float> layer_norm_of_shifted(const std::vector<float>& x, const std::vector<float>& weight,
                                         const std::vector<float>& bias, dims3 sizes, int axis, bool affine) {
  const cube t = view3(x, sizes);
  const line w = view1(weight), b = view1(bias);
  switch (axis) {
    case 0: return layer_norm_axis<0>(t, w, b, affine);
    case 1: return layer_norm_axis<1>(t, w, b, affine);
    default: return layer_norm_axis<2>(t, w, b, affine);
  }
}

std::vector<double> reduce_of_product(reduce_op op, const std::vector<float>& x, const std::vector<float>& y,
                                      dims3 sizes, unsigned mask) {
  const cube t = view3(x, sizes);
  const line u = view1(y);
  const auto p = t * u;
  switch (mask) {
    case 1: return reduce_axes<0>(op, p);
    case 4: return reduce_axes<2>(op, p);
    case 5: return reduce_axes<0, 2>(op, p);
    case 7: return reduce_axes<0, 1, 2>(op, p);
    default: throw std::invalid_argument("reduce_of_product: masks 1, 4, 5 and 7 only");
  }
}

}  // namespace ctrace::testing::cpu_reference
