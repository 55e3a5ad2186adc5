// Reductions on the device: sum, mean, prod, max, min, argmax, argmin, var and
// std over every set of axes of rank-3 tensors, keepdim or not, with odd
// sizes, rows shorter than a warp, size-1 and empty dims, long rows split over
// blocks, NaN, strided and misaligned views, broadcast operands, elementwise
// producers and consumers; against references computed here in double and
// against the CPU backend.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cuda_test_util.hpp"
#include "reduce_reference.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {

using cube_shape = shape_of<dyn, dyn, dyn>;
using dcube = tensor<float, cube_shape, cuda>;
using hcube = tensor<float, cube_shape, cpu>;
using dline = tensor<float, shape_of<dyn>, cuda>;
using hline = tensor<float, shape_of<dyn>, cpu>;

enum class rop { sum, mean, prod, amax, amin, argmax, argmin, var, std };

// Expected values of op over the axes in `mask` of x (row-major, `sizes`), in
// the result's row-major order, each with the scale its rounding error is
// measured against (0: the value is exact).
struct reference_values {
  std::vector<double> value;
  std::vector<double> scale;
};

reference_values reference(rop op, const std::vector<double>& x, const std::vector<long>& sizes, unsigned mask,
                           double correction = 1) {
  const int rank = static_cast<int>(sizes.size());
  long outputs = 1;
  for (int d = 0; d < rank; ++d) {
    if (!((mask >> d) & 1u)) outputs *= sizes[static_cast<std::size_t>(d)];
  }
  // The reduced elements of each output, in their row-major order.
  std::vector<std::vector<double>> groups(static_cast<std::size_t>(outputs));
  std::vector<long> idx(static_cast<std::size_t>(rank), 0);
  for (double v : x) {
    long o = 0;
    for (int d = 0; d < rank; ++d) {
      if (!((mask >> d) & 1u)) o = o * sizes[static_cast<std::size_t>(d)] + idx[static_cast<std::size_t>(d)];
    }
    groups[static_cast<std::size_t>(o)].push_back(v);
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[static_cast<std::size_t>(d)] < sizes[static_cast<std::size_t>(d)]) break;
      idx[static_cast<std::size_t>(d)] = 0;
    }
  }
  reference_values r;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const auto& g : groups) {
    const double n = static_cast<double>(g.size());
    double sum = 0, abs_sum = 0, squares = 0, product = 1;
    bool has_nan = false;
    std::size_t first_nan = 0, best_max = 0, best_min = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
      sum += g[i];
      abs_sum += std::fabs(g[i]);
      squares += g[i] * g[i];
      product *= g[i];
      if (std::isnan(g[i]) && !has_nan) {
        has_nan = true;
        first_nan = i;
      }
      if (g[i] > g[best_max]) best_max = i;
      if (g[i] < g[best_min]) best_min = i;
    }
    const double mean = sum / n;
    double m2 = 0;
    for (double v : g) m2 += (v - mean) * (v - mean);
    const double dof = std::max(0.0, n - correction);
    switch (op) {
      case rop::sum: r.value.push_back(sum), r.scale.push_back(abs_sum); break;
      case rop::mean: r.value.push_back(mean), r.scale.push_back(abs_sum / n); break;
      case rop::prod: r.value.push_back(product), r.scale.push_back(std::fabs(product) * n); break;
      case rop::amax: r.value.push_back(has_nan ? nan : g[best_max]), r.scale.push_back(0); break;
      case rop::amin: r.value.push_back(has_nan ? nan : g[best_min]), r.scale.push_back(0); break;
      case rop::argmax:
        r.value.push_back(static_cast<double>(has_nan ? first_nan : best_max)), r.scale.push_back(0);
        break;
      case rop::argmin:
        r.value.push_back(static_cast<double>(has_nan ? first_nan : best_min)), r.scale.push_back(0);
        break;
      case rop::var: r.value.push_back(m2 / dof), r.scale.push_back(squares / std::max(dof, 1.0)); break;
      case rop::std: r.value.push_back(std::sqrt(m2 / dof)), r.scale.push_back(std::sqrt(squares / std::max(dof, 1.0))); break;
    }
  }
  return r;
}

// got within tol * scale (plus a little of the value itself); NaN for NaN,
// infinities exactly. Reports the first mismatches.
void check_against(const std::vector<double>& got, const reference_values& ref, double tol, const char* what) {
  INFO(what);
  REQUIRE(got.size() == ref.value.size());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double e = ref.value[i], g = got[i];
    const bool ok = std::isnan(e)   ? std::isnan(g)
                    : std::isinf(e) ? g == e
                                    : std::fabs(g - e) <= tol * ref.scale[i] + 2e-6 * std::fabs(e) + 1e-12;
    if (!ok && bad++ < 3) {
      INFO("output " << i << ": got " << g << ", expected " << e << " (scale " << ref.scale[i] << ")");
      CHECK(ok);
    }
  }
  INFO(bad << " of " << got.size() << " outputs differ");
  CHECK(bad == 0);
}

template <class Node>
std::vector<double> device_values(const Node& n) {
  const tensor<typename Node::value_type, typename Node::shape_type, cuda> t(n);
  return to_vector(t);
}

template <class Node>
auto sizes_of(const Node& n) {
  return n.sizes();
}

// The bit mask of Axes in a rank-3 tensor (none: all).
template <int... Axes>
constexpr unsigned mask_of() {
  if constexpr (sizeof...(Axes) == 0) return 7u;
  else return (0u | ... | (1u << (Axes < 0 ? Axes + 3 : Axes)));
}

// Every op over Axes of x (a device operand of rank 3 whose values, row-major,
// are hx), keepdim or not, against the references.
template <int... Axes, class X>
void check_all_ops(const X& x, const std::vector<double>& hx, const std::vector<long>& sizes) {
  constexpr unsigned mask = mask_of<Axes...>();
  long count = 1;
  for (int d = 0; d < 3; ++d) {
    if ((mask >> d) & 1u) count *= sizes[static_cast<std::size_t>(d)];
  }
  INFO("sizes [" << sizes[0] << ", " << sizes[1] << ", " << sizes[2] << "], axes mask " << mask);
  const double tol = 2e-5;
  auto both = [&](rop op, const auto& plain, const auto& kept, const char* what, double correction = 1) {
    const auto ref = reference(op, hx, sizes, mask, correction);
    check_against(device_values(plain), ref, tol, what);
    check_against(device_values(kept), ref, tol, what);
    const auto ks = sizes_of(kept);
    for (int d = 0; d < 3; ++d) CHECK(ks[static_cast<std::size_t>(d)] == ((mask >> d) & 1u ? 1 : sizes[static_cast<std::size_t>(d)]));
  };
  both(rop::sum, sum<Axes...>(x), sum<Axes...>(x, keepdim), "sum");
  both(rop::mean, mean<Axes...>(x), mean<Axes...>(x, keepdim), "mean");
  both(rop::var, var<Axes...>(x), var<Axes...>(x, keepdim), "var");
  both(rop::var, var<Axes...>(x, 0.0), var<Axes...>(x, keepdim, 0.0), "var, correction 0", 0.0);
  both(rop::std, ctrace::std<Axes...>(x), ctrace::std<Axes...>(x, keepdim), "std");
  if (count > 0) {
    both(rop::amax, max<Axes...>(x), max<Axes...>(x, keepdim), "max");
    both(rop::amin, min<Axes...>(x), min<Axes...>(x, keepdim), "min");
    if constexpr (sizeof...(Axes) == 0) {
      both(rop::argmax, argmax(x), argmax(x, keepdim), "argmax");
      both(rop::argmin, argmin(x), argmin(x, keepdim), "argmin");
    } else if constexpr (sizeof...(Axes) == 1) {
      both(rop::argmax, argmax<Axes...>(x), argmax<Axes...>(x, keepdim), "argmax");
      both(rop::argmin, argmin<Axes...>(x), argmin<Axes...>(x, keepdim), "argmin");
    }
  }
  // prod of values near 1 (x * 0.05 + 1, a producer), so that long rows stay finite.
  std::vector<double> near_one(hx.size());
  for (std::size_t i = 0; i < hx.size(); ++i) near_one[i] = static_cast<float>(static_cast<float>(hx[i]) * 0.05f + 1.0f);
  const auto ref = reference(rop::prod, near_one, sizes, mask);
  check_against(device_values(prod<Axes...>(x * 0.05f + 1)), ref, tol, "prod of x * 0.05 + 1");
}

template <class X>
void check_every_axis_set(const X& x, const std::vector<double>& hx, const std::vector<long>& sizes) {
  check_all_ops<>(x, hx, sizes);
  check_all_ops<0>(x, hx, sizes);
  check_all_ops<1>(x, hx, sizes);
  check_all_ops<2>(x, hx, sizes);
  check_all_ops<-1>(x, hx, sizes);
  check_all_ops<0, 1>(x, hx, sizes);
  check_all_ops<0, 2>(x, hx, sizes);
  check_all_ops<1, 2>(x, hx, sizes);
}

std::vector<long> sizes_vector(const hcube& h) { return {h.sizes()[0], h.sizes()[1], h.sizes()[2]}; }

}  // namespace

TEST_CASE("every reduction over every set of axes, keepdim or not, matches a double reference") {
  const std::vector<std::vector<long>> shapes = {
      {2, 3, 4},   {4, 33, 65}, {3, 1, 5},   {1, 1, 1}, {1, 7, 1},     {5, 0, 3},
      {0, 2, 3},   {16, 5, 1000}, {3, 2, 40000}, {2, 70, 3}, {1, 3, 200001}, {300, 2, 17},
  };
  for (const auto& s : shapes) {
    const hcube h = random_host<float, cube_shape>({s[0], s[1], s[2]});
    const dcube x = to_device(h);
    check_every_axis_set(x, to_vector(h), s);
  }
}

TEST_CASE("reductions of strided, misaligned and permuted views") {
  const hcube h = random_host<float, cube_shape>({6, 9, 130});
  const dcube x = to_device(h);
  // A permuted view: the last dim is the original first (stride 9 * 130).
  const auto p = x.permute<2, 0, 1>();
  const hcube hp = h.permute<2, 0, 1>();
  check_every_axis_set(p, to_vector(hp), sizes_vector(hp));
  // Rows that start one element in: no 16-byte vectors.
  const auto s = x.slice<2>(1, 130);
  const hcube hs = h.slice<2>(1, 130);
  check_every_axis_set(s, to_vector(hs), sizes_vector(hs));
}

TEST_CASE("NaN propagates through sum, max and min; argmax and argmin find the first NaN") {
  hcube h = random_host<float, cube_shape>({3, 4, 37});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  h.data()[5] = nan;
  h.data()[4 * 37 + 36] = nan;
  h.data()[4 * 37 + 20] = nan;
  h.data()[2 * 4 * 37 + 3 * 37] = std::numeric_limits<float>::infinity();
  const dcube x = to_device(h);
  check_every_axis_set(x, to_vector(h), sizes_vector(h));
}

TEST_CASE("reductions of expressions: broadcast producers, and reductions read by expressions") {
  const hcube hx = random_host<float, cube_shape>({5, 7, 131});
  const hline hy = random_host<float, shape_of<dyn>>({131});
  const dcube x = to_device(hx);
  const dline y = to_device(hy);
  std::vector<double> product(static_cast<std::size_t>(hx.numel()));
  for (std::size_t i = 0; i < product.size(); ++i) {
    product[i] = static_cast<float>(static_cast<float>(at_index(hx, i)) * static_cast<float>(at_index(hy, i % 131)));
  }
  check_every_axis_set(x * y, product, {5, 7, 131});

  // x - max over the last axis (keepdim), as softmax starts: the reduction is a
  // root kernel read by the elementwise kernel.
  const dcube shifted = x - max<-1>(x, keepdim);
  const auto m = reference(rop::amax, to_vector(hx), {5, 7, 131}, 4u);
  check_close(shifted, expected_from(static_cast<std::size_t>(hx.numel()), [&](std::size_t k) {
                return static_cast<double>(static_cast<float>(at_index(hx, k)) - static_cast<float>(m.value[k / 131]));
              }),
              0.0);
  // A reduction assigned into a larger tensor broadcasts, and into a view.
  auto wide = dcube::uninitialized({5, 7, 131});
  wide.assign(sum<-1>(x, keepdim));
  const auto s = reference(rop::sum, to_vector(hx), {5, 7, 131}, 4u);
  std::vector<double> got = to_vector(wide);
  std::vector<double> per_row(got.size() / 131);
  for (std::size_t r = 0; r < per_row.size(); ++r) {
    per_row[r] = got[r * 131];
    for (std::size_t j = 0; j < 131; ++j) CHECK(got[r * 131 + j] == per_row[r]);
  }
  check_against(per_row, s, 2e-5, "sum broadcast into a larger tensor");
  auto t = tensor<float, shape_of<dyn, dyn>, cuda>::uninitialized({7, 5});
  t.transpose().assign(mean<-1>(x));
  const auto mt = reference(rop::mean, to_vector(hx), {5, 7, 131}, 4u);
  const auto tv = to_vector(t);
  std::vector<double> back(tv.size());
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 0; j < 7; ++j) back[i * 7 + j] = tv[j * 5 + i];
  }
  check_against(back, mt, 2e-5, "mean into a transposed view");
}

TEST_CASE("integer and boolean reductions: int64 sums, exact extremes") {
  using icube = tensor<std::int32_t, cube_shape, cpu>;
  const icube h = random_host<std::int32_t, cube_shape>({4, 5, 67}, -100, 100);
  const auto x = to_device(h);
  const auto s = device_values(sum<-1>(x));
  const auto ref = reference(rop::sum, to_vector(h), {4, 5, 67}, 4u);
  check_against(s, ref, 0.0, "int32 sum");
  static_assert(std::is_same_v<decltype(sum<-1>(x))::value_type, std::int64_t>);
  check_against(device_values(max<0, 2>(x)), reference(rop::amax, to_vector(h), {4, 5, 67}, 5u), 0.0, "int32 max");
  check_against(device_values(argmin<1>(x)), reference(rop::argmin, to_vector(h), {4, 5, 67}, 2u), 0.0, "int32 argmin");
  const auto positive = device_values(sum<-1>(x > 0));
  std::vector<double> hx = to_vector(h);
  for (auto& v : hx) v = v > 0 ? 1 : 0;
  check_against(positive, reference(rop::sum, hx, {4, 5, 67}, 4u), 0.0, "sum of a bool expression");
}

TEST_CASE("reductions of x * y agree with the CPU backend") {
  using cpu_reference::reduce_op;
  for (const auto& s : std::vector<cpu_reference::dims3>{{3, 5, 129}, {2, 40, 7}, {1, 1, 70000}, {64, 3, 1}}) {
    const hcube hx = random_host<float, cube_shape>({s[0], s[1], s[2]});
    const hline hy = random_host<float, shape_of<dyn>>({s[2]});
    const std::vector<float> vx(hx.data(), hx.data() + hx.numel()), vy(hy.data(), hy.data() + hy.numel());
    const dcube x = to_device(hx);
    const dline y = to_device(hy);
    const auto p = x * y;
    INFO("sizes " << s[0] << " " << s[1] << " " << s[2]);
    auto cpu = [&](reduce_op op, unsigned mask) { return cpu_reference::reduce_of_product(op, vx, vy, s, mask); };
    auto close = [](const std::vector<double>& got, const std::vector<double>& want, double tol) {
      check_close(got, want, tol);
    };
    close(device_values(sum<-1>(p)), cpu(reduce_op::sum, 4), 1e-4);
    close(device_values(sum<0>(p)), cpu(reduce_op::sum, 1), 1e-4);
    close(device_values(sum<0, 2>(p)), cpu(reduce_op::sum, 5), 1e-4);
    close(device_values(mean(p)), cpu(reduce_op::mean, 7), 1e-5);
    close(device_values(max<-1>(p)), cpu(reduce_op::amax, 4), 0.0);
    close(device_values(max<0, 2>(p)), cpu(reduce_op::amax, 5), 0.0);
    close(device_values(argmax<-1>(p)), cpu(reduce_op::argmax, 4), 0.0);
    close(device_values(argmax<0>(p)), cpu(reduce_op::argmax, 1), 0.0);
    close(device_values(var<-1>(p)), cpu(reduce_op::var, 4), 1e-4);
    close(device_values(var<0, 2>(p)), cpu(reduce_op::var, 5), 1e-4);
  }
}
