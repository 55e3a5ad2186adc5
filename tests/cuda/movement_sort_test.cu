// cat, stack, diag_embed, topk, cummax and masked_select on device tensors:
// strided (transposed) operands, operands that are expressions, empty dims,
// ties and NaN. cat, stack and diag_embed against plain loops on the host;
// topk, cummax and masked_select against the CPU backend (movement_reference:
// the same tie order, NaN placement and indices); gradients through all of
// them (vjp and grad of captured graphs on the device) against the CPU backend.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <ctrace/autodiff.hpp>
#include <ctrace/graph/graph.hpp>

#include "cuda_test_util.hpp"
#include "movement_reference.hpp"

using namespace ctrace;
using namespace ctrace::testing;
namespace ref = ctrace::testing::movement_reference;

namespace {
constexpr auto N = sym<"N">, M = sym<"M">, K = sym<"K">;

// A device [rows, cols] matrix stored transposed (a strided view) and its
// values in row-major order, for the references.
template <class T>
struct strided_matrix {
  tensor<T, shape_of<N, M>, cuda> device;
  std::vector<T> values;
};

// Values rounded to quarters (many ties), NaN at about one place in `nan_every`
// (0: none) for floating types.
template <class T>
strided_matrix<T> make_matrix(index_t rows, index_t cols, int nan_every = 0) {
  auto h = random_host<T, shape_of<M, N>>({cols, rows}, -3.0, 3.0);  // [cols, rows]
  T* p = h.data();
  for (index_t e = 0; e < rows * cols; ++e) {
    if constexpr (std::is_floating_point_v<T>) {
      p[e] = static_cast<T>(std::round(static_cast<double>(p[e]) * 4) / 4);
      if (nan_every > 0 && (test_rng()() % static_cast<unsigned>(nan_every)) == 0) {
        p[e] = std::numeric_limits<T>::quiet_NaN();
      }
    }
  }
  std::vector<T> values(static_cast<std::size_t>(rows * cols));
  for (index_t r = 0; r < rows; ++r)
    for (index_t c = 0; c < cols; ++c) values[static_cast<std::size_t>(r * cols + c)] = p[c * rows + r];
  return {to_device(h).transpose(), std::move(values)};
}

template <class T>
std::vector<double> as_doubles(const std::vector<T>& v) {
  return std::vector<double>(v.begin(), v.end());
}

// Device results equal to the reference exactly (NaN where it has NaN).
template <class T, class S, class U>
void check_equal(const tensor<T, S, cuda>& got, const std::vector<U>& expected) {
  check_close(got, as_doubles(expected), 0);
}
}  // namespace

TEST_CASE("cat and stack on the device: strided and expression operands, promotion, empty parts") {
  const index_t n = 7, m = 5, k = 3;
  const auto x = make_matrix<float>(n, m);                                      // transposed storage
  const auto hy = random_host<std::int32_t, shape_of<N, K>>({n, k}, -9, 9);     // int32: promoted to float
  const auto y = to_device(hy);
  const tensor<float, shape_of<N, M + K + M>, cuda> c1 = cat<1>(x.device, y, x.device * 2.0f);
  check_close(c1, expected_from(static_cast<std::size_t>(n * (2 * m + k)), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / (2 * m + k), c = static_cast<index_t>(e) % (2 * m + k);
    const float v = x.values[static_cast<std::size_t>(r * m + (c < m ? c : c - m - k))];
    return c < m ? v : c < m + k ? static_cast<double>(hy.data()[r * k + c - m]) : static_cast<double>(2.0f * v);
  }), 0);

  // Along dim 0 with an empty part; read inside an expression (a temporary).
  const auto empty = to_device(random_host<float, shape_of<K, M>>({0, m}));
  const tensor<float, shape_of<N + K + N, M>, cuda> c0 = exp(cat<0>(x.device, empty, -x.device));
  check_close(c0, expected_from(static_cast<std::size_t>(2 * n * m), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / m, c = static_cast<index_t>(e) % m;
    const float v = x.values[static_cast<std::size_t>((r % n) * m + c)];
    return static_cast<double>(std::exp(r < n ? v : -v));
  }), 1e-6);

  // Into a destination of another rank (broadcast over a leading dim).
  auto wide = tensor<float, shape_of<2, N, M + M>, cuda>::uninitialized({2, n, 2 * m});
  wide.assign(cat<1>(x.device, x.device + 1.0f));
  check_close(wide, expected_from(static_cast<std::size_t>(2 * n * 2 * m), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / (2 * m) % n, c = static_cast<index_t>(e) % (2 * m);
    const float v = x.values[static_cast<std::size_t>(r * m + c % m)];
    return static_cast<double>(c < m ? v : v + 1.0f);
  }), 0);

  // stack: a new middle and a new last dim, int64 operands.
  const tensor<float, shape_of<N, 2, M>, cuda> s1 = stack<1>(x.device, x.device * x.device);
  check_close(s1, expected_from(static_cast<std::size_t>(n * 2 * m), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / (2 * m), which = static_cast<index_t>(e) / m % 2, c = static_cast<index_t>(e) % m;
    const float v = x.values[static_cast<std::size_t>(r * m + c)];
    return static_cast<double>(which == 0 ? v : v * v);
  }), 0);
  const auto hl = random_host<std::int64_t, shape_of<N, K>>({n, k}, -100, 100);
  const auto l = to_device(hl);
  const tensor<std::int64_t, shape_of<N, K, 3>, cuda> s2 = stack<2>(l, l * std::int64_t{3}, l.transpose().transpose());
  check_close(s2, expected_from(static_cast<std::size_t>(n * k * 3), [&](std::size_t e) {
    const double v = static_cast<double>(hl.data()[e / 3]);
    return e % 3 == 1 ? 3 * v : v;
  }), 0);

  // Empty results.
  const tensor<float, shape_of<N, 2, K>, cuda> s0 = stack<1>(empty.transpose(), empty.transpose());
  CHECK(s0.numel() == 0);
  CHECK(s0.size(0) == m);
}

TEST_CASE("cat and stack of a run-time list of device tensors, parts that view the destination") {
  const index_t m = 6;
  std::vector<tensor<double, shape_of<N, M>, cuda>> parts;
  std::vector<std::vector<double>> host;
  for (index_t rows : {3, 0, 5, 1}) {
    const auto h = random_host<double, shape_of<N, M>>({rows, m});
    host.push_back(to_vector(h));
    parts.push_back(to_device(h));
  }
  parts[2] = parts[2].transpose().contiguous().transpose();  // the same values, strided
  CHECK(!parts[2].is_contiguous());
  const tensor<double, shape_of<dyn, M>, cuda> joined = cat<0>(parts);
  std::vector<double> expected;
  for (const auto& h : host) expected.insert(expected.end(), h.begin(), h.end());
  check_close(joined, expected, 0);

  // stack of three [3, m] parts along the last dim: part j is (j + 1) * parts[0].
  std::vector<tensor<double, shape_of<N, M>, cuda>> multiples{parts[0], parts[0] * 2.0, parts[0] * 3.0};
  const tensor<double, shape_of<N, M, dyn>, cuda> stacked = stack<2>(multiples);
  check_close(stacked, expected_from(static_cast<std::size_t>(3 * m * 3), [&](std::size_t e) {
    return static_cast<double>(e % 3 + 1) * host[0][e / 3];
  }), 0);

  // The destination's own rows as parts, reversed: copied out before writing.
  auto dest = tensor<double, shape_of<dyn, M>, cuda>(joined.clone());
  std::vector<tensor<double, shape_of<dyn, M>, cuda>> halves{dest.slice<0>(4, 9), dest.slice<0>(0, 4)};
  dest.assign(cat<0>(halves));
  std::vector<double> swapped(expected.begin() + 4 * m, expected.end());
  swapped.insert(swapped.end(), expected.begin(), expected.begin() + 4 * m);
  check_close(dest, swapped, 0);
}

TEST_CASE("diag_embed on the device: offsets, strided and expression operands, empty") {
  const index_t n = 9;
  const auto x = make_matrix<float>(4, n);
  const auto column = x.device.select<0>(2);  // 1-D of stride 4 (the storage is transposed)
  CHECK(column.stride(0) == 4);
  const auto value = [&](index_t i) { return x.values[static_cast<std::size_t>(2 * n + i)]; };
  const auto expect = [&](index_t offset, auto f) {
    const index_t side = n + (offset < 0 ? -offset : offset);
    return expected_from(static_cast<std::size_t>(side * side), [&, side](std::size_t e) {
      const index_t r = static_cast<index_t>(e) / side, c = static_cast<index_t>(e) % side;
      if (c - r != offset) return 0.0;
      return f(offset >= 0 ? r : c);
    });
  };
  const tensor<float, shape_of<N, N>, cuda> d0 = diag_embed(column);
  check_close(d0, expect(0, [&](index_t i) { return static_cast<double>(value(i)); }), 0);
  const tensor<float, shape_of<N + 2, N + 2>, cuda> d2 = diag_embed<2>(column * 3.0f);
  check_close(d2, expect(2, [&](index_t i) { return static_cast<double>(value(i) * 3.0f); }), 0);
  // Inside an expression, and into a transposed destination.
  const tensor<float, shape_of<N + 3, N + 3>, cuda> d3 = diag_embed<-3>(column) + 1.0f;
  auto e3 = expect(-3, [&](index_t i) { return static_cast<double>(value(i)); });
  for (double& e : e3) e = static_cast<double>(static_cast<float>(e) + 1.0f);
  check_close(d3, e3, 0);
  auto dt = tensor<float, shape_of<N + 1, N + 1>, cuda>::uninitialized({n + 1, n + 1}).transpose();
  dt.assign(diag_embed<-1>(column));
  check_close(dt, expect(-1, [&](index_t i) { return static_cast<double>(value(i)); }), 0);

  // int64, and empty operands (with and without an offset).
  const auto hi = random_host<std::int64_t, shape_of<N>>({5}, -50, 50);
  const tensor<std::int64_t, shape_of<N + 1, N + 1>, cuda> di = diag_embed<1>(to_device(hi));
  check_close(di, expected_from(36, [&](std::size_t e) {
    const std::size_t r = e / 6, c = e % 6;
    return c == r + 1 ? static_cast<double>(hi.data()[r]) : 0.0;
  }), 0);
  const auto none = to_device(random_host<float, shape_of<N>>({0}));
  const tensor<float, shape_of<N, N>, cuda> e0 = diag_embed(none);
  CHECK(e0.numel() == 0);
  const tensor<float, shape_of<N + 2, N + 2>, cuda> e2 = diag_embed<-2>(none);
  check_close(e2, std::vector<double>(4, 0.0), 0);
}

TEST_CASE("topk on the device agrees with the CPU: ties, NaN, both axes, every k, empty dims") {
  for (const auto& shape : {std::pair<index_t, index_t>{6, 40}, {33, 5}, {1, 1}, {0, 4}, {3, 0}, {2, 1500}}) {
    const index_t rows = shape.first, cols = shape.second;  // clang 14: INFO's lambda cannot capture a binding
    for (int axis = 0; axis < 2; ++axis) {
      const index_t n = axis == 0 ? rows : cols;
      for (index_t k : {index_t{0}, index_t{1}, n / 3, n}) {
        if (k > n) continue;
        INFO("[" << rows << ", " << cols << "] axis " << axis << " k " << k);
        const auto x = make_matrix<float>(rows, cols, 7);
        const auto expected = ref::topk(x.values, rows, cols, axis, k);
        if (axis == 0) {
          auto [v, i] = topk<0>(x.device, k);
          check_equal(tensor<float, shape_of<dyn, M>, cuda>(v), expected.values);
          check_equal(tensor<std::int64_t, shape_of<dyn, M>, cuda>(i), expected.indices);
        } else {
          auto [v, i] = topk<1>(x.device * 2.0f, k);  // an expression: computed once per node
          std::vector<float> twice = expected.values;
          for (float& f : twice) f *= 2.0f;
          check_equal(tensor<float, shape_of<N, dyn>, cuda>(v), twice);
          check_equal(tensor<std::int64_t, shape_of<N, dyn>, cuda>(i), expected.indices);
        }
      }
    }
  }
  // f64 and int32 (ties everywhere), static k.
  const auto d = make_matrix<double>(11, 20, 5);
  const auto ed = ref::topk(d.values, 11, 20, 1, 4);
  auto [dv, di] = topk<4, 1>(d.device);
  check_equal(tensor<double, shape_of<N, 4>, cuda>(dv), ed.values);
  check_equal(tensor<std::int64_t, shape_of<N, 4>, cuda>(di), ed.indices);
  const auto z = make_matrix<std::int32_t>(30, 9);
  const auto ez = ref::topk(z.values, 30, 9, 0, 12);
  auto [zv, zi] = topk<0>(z.device, 12);
  check_equal(tensor<std::int32_t, shape_of<dyn, M>, cuda>(zv), ez.values);
  check_equal(tensor<std::int64_t, shape_of<dyn, M>, cuda>(zi), ez.indices);
  // Results read inside an expression and converted on assignment.
  const tensor<double, shape_of<N, 4>, cuda> sum_of = topk<4, 1>(d.device).values + di.to<double>();
  std::vector<double> es(ed.values.size());
  for (std::size_t e = 0; e < es.size(); ++e) es[e] = ed.values[e] + static_cast<double>(ed.indices[e]);
  check_close(sum_of, es, 0);
  // A bad k is refused with the CPU's message.
  CHECK_THROWS_WITH_AS(topk<1>(d.device, 21), "ctrace: topk: k = 21 is out of range for dim 1 of size 20", ctrace::error);
}

TEST_CASE("cummax on the device agrees with the CPU: ties take the later index, NaN stays") {
  for (const auto& shape : {std::pair<index_t, index_t>{9, 30}, {40, 3}, {1, 1}, {0, 5}, {4, 0}}) {
    const index_t rows = shape.first, cols = shape.second;  // clang 14: INFO's lambda cannot capture a binding
    for (int axis = 0; axis < 2; ++axis) {
      INFO("[" << rows << ", " << cols << "] axis " << axis);
      const auto x = make_matrix<float>(rows, cols, 11);
      const auto expected = ref::cummax(x.values, rows, cols, axis);
      if (axis == 0) {
        auto [v, i] = cummax<0>(x.device);
        check_equal(tensor<float, shape_of<N, M>, cuda>(v), expected.values);
        check_equal(tensor<std::int64_t, shape_of<N, M>, cuda>(i), expected.indices);
      } else {
        auto [v, i] = cummax<-1>(x.device + 0.0f);
        check_equal(tensor<float, shape_of<N, M>, cuda>(v), expected.values);
        check_equal(tensor<std::int64_t, shape_of<N, M>, cuda>(i), expected.indices);
      }
    }
  }
  const auto z = make_matrix<std::int32_t>(25, 8);
  const auto ez = ref::cummax(z.values, 25, 8, 0);
  auto [zv, zi] = cummax<0>(z.device);
  check_equal(tensor<std::int32_t, shape_of<N, M>, cuda>(zv), ez.values);
  check_equal(tensor<std::int64_t, shape_of<N, M>, cuda>(zi), ez.indices);
}

TEST_CASE("masked_select on the device agrees with the CPU: broadcast masks, expressions, none and all") {
  for (const auto& shape : {std::pair<index_t, index_t>{13, 17}, {1, 300}, {0, 4}, {5, 0}}) {
    const index_t rows = shape.first, cols = shape.second;  // clang 14: INFO's lambda cannot capture a binding
    INFO("[" << rows << ", " << cols << "]");
    const auto x = make_matrix<float>(rows, cols, 9);
    // A full mask on the device (its own memory), and a row mask broadcast over the rows.
    const auto hm = random_host<bool, shape_of<N, M>>({rows, cols});
    const auto hr = random_host<bool, shape_of<M>>({cols});
    std::vector<std::uint8_t> full(hm.data(), hm.data() + rows * cols), row(hr.data(), hr.data() + cols);
    const tensor<float, shape_of<dyn>, cuda> a = masked_select(x.device, to_device(hm));
    check_equal(a, ref::masked_select(x.values, rows, cols, full, false));
    const tensor<float, shape_of<dyn>, cuda> b = masked_select(x.device * 3.0f, to_device(hr));
    auto eb = ref::masked_select(x.values, rows, cols, row, true);
    for (float& f : eb) f *= 3.0f;
    check_equal(b, eb);
    // A mask that is an expression of x (NaN compares false), a transposed mask.
    const tensor<float, shape_of<dyn>, cuda> c = masked_select(x.device, x.device > 0.0f);
    std::vector<std::uint8_t> positive(x.values.size());
    for (std::size_t e = 0; e < positive.size(); ++e) positive[e] = x.values[e] > 0.0f;
    check_equal(c, ref::masked_select(x.values, rows, cols, positive, false));
    const auto ht = random_host<bool, shape_of<M, N>>({cols, rows});
    std::vector<std::uint8_t> transposed(static_cast<std::size_t>(rows * cols));
    for (index_t r = 0; r < rows; ++r)
      for (index_t q = 0; q < cols; ++q) transposed[static_cast<std::size_t>(r * cols + q)] = ht.data()[q * rows + r];
    const tensor<float, shape_of<dyn>, cuda> t = masked_select(x.device, to_device(ht).transpose());
    check_equal(t, ref::masked_select(x.values, rows, cols, transposed, false));
    // None and all.
    CHECK(tensor<float, shape_of<dyn>, cuda>(masked_select(x.device, x.device > 100.0f)).numel() == 0);
    const tensor<float, shape_of<dyn>, cuda> all = masked_select(x.device, x.device == x.device || x.device != x.device);
    check_equal(all, x.values);
  }
  // A mask changed after the node was built is refused before anything is written.
  const auto x = make_matrix<float>(4, 5);
  auto hm = random_host<bool, shape_of<N, M>>({4, 5});
  for (index_t e = 0; e < 20; ++e) hm.data()[e] = e % 3 == 0;  // 7 true
  const auto mask = to_device(hm);
  auto node = masked_select(x.device, mask);
  for (index_t e = 0; e < 20; ++e) hm.data()[e] = e % 2 == 0;  // 10 true
  cuda_backend::check(cudaMemcpy(mask.data(), hm.data(), 20, cudaMemcpyHostToDevice), "cudaMemcpy");
  CHECK_THROWS_WITH_AS((tensor<float, shape_of<dyn>, cuda>(node)),
                       "ctrace: masked_select: the mask has 10 true elements now but had 7 when the expression was "
                       "built; evaluate the result before changing the mask",
                       ctrace::error);
}

TEST_CASE("gradients through cat, stack, diag_embed, topk, cummax and masked_select on the device agree with the CPU") {
  const index_t n = 12, m = 7;
  const auto hr = random_host<bool, shape_of<M>>({m});
  auto g = grad(trace(ref::movement_loss(to_device(hr)), spec_on<cuda, float, N, M>{}, spec_on<cuda, float, N, M>{}));
  const std::string text = g.to_text();
  for (const char* op : {"cat", "stack", "diag_embed", "topk", "cummax", "masked_select", "scatter_add", "diagonal"}) {
    INFO(op);
    CHECK(text.find(op) != std::string::npos);
  }
  // Distinct values: the CPU and the device pick the same maxima either way,
  // but a tie's cotangent would go to one index only.
  const auto hx = random_host<float, shape_of<N, M>>({n, m});
  const auto hy = random_host<float, shape_of<N, M>>({n, m});
  auto [dx, dy] = g(to_device(hx), to_device(hy));
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(dx)>, tensor<float, shape_of<N, M>, cuda>>);
  const std::vector<float> x(hx.data(), hx.data() + n * m), y(hy.data(), hy.data() + n * m);
  const std::vector<std::uint8_t> mask(hr.data(), hr.data() + m);
  const auto [ex, ey] = ref::movement_grad(x, y, mask, n, m);
  check_close(dx, as_doubles(ex), 1e-4);
  check_close(dy, as_doubles(ey), 1e-4);
}

TEST_CASE("vjp of topk of cat on the device agrees with the CPU, transposed inputs") {
  const index_t n = 10, m = 6;
  auto v = vjp(trace(ref::topk_of_cat, spec_on<cuda, double, N, M>{}, spec_on<cuda, double, N, M>{}));
  const auto x = make_matrix<double>(n, m);  // quarters: ties decided by index
  const auto y = make_matrix<double>(n, m);
  const auto hc = random_host<double, shape_of<N, 4>>({n, 4});
  auto [dx, dy] = v(x.device, y.device, to_device(hc));
  const std::vector<double> c(hc.data(), hc.data() + n * 4);
  const auto [ex, ey] = ref::topk_of_cat_vjp(x.values, y.values, c, n, m);
  check_close(dx, ex, 1e-12);
  check_close(dy, ey, 1e-12);
}
