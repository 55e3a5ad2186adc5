// The indexing nodes on device tensors: gather, index_select, index_add,
// scatter_add and cumsum, with strided (transposed) operands and operands
// that are expressions, against plain loops in double on the host; the
// gradient of a captured graph through gather and index_select (scatter_add,
// index_add and a reversed cumsum in its backward graph) against the CPU
// backend; out-of-range indices raising ctrace::error.
#include <cstdint>
#include <string>
#include <vector>

#include <ctrace/autodiff.hpp>
#include <ctrace/graph/graph.hpp>

#include "cpu_reference.hpp"
#include "cuda_test_util.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {
constexpr auto N = sym<"N">, M = sym<"M">, K = sym<"K">;

// Row-major int64 index values in [0, limit).
template <class I, class S>
tensor<I, S, cpu> random_index(const sizes_t<S::rank>& sizes, index_t limit) {
  return random_host<I, S>(sizes, 0.0, static_cast<double>(limit) - 0.51);
}

// Element (r, c) of the transpose of a contiguous host [cols, rows] tensor.
template <class T, class S>
double transposed_at(const tensor<T, S, cpu>& h, index_t r, index_t c) {
  return static_cast<double>(h.data()[c * h.sizes()[1] + r]);
}
}  // namespace

TEST_CASE("gather on the device: transposed source and index, both index types") {
  const index_t n = 37, m = 11, k = 23;
  const auto hx = random_host<float, shape_of<M, N>>({m, n});  // x = hx^T: [n, m]
  const auto hi = random_index<std::int64_t, shape_of<K, N>>({k, n}, m);  // index = hi^T: [n, k]
  const auto x = to_device(hx).transpose();
  const auto idx = to_device(hi).transpose();
  const tensor<float, shape_of<N, K>, cuda> z = gather<1>(x, idx);
  check_close(z, expected_from(static_cast<std::size_t>(n * k), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / k, c = static_cast<index_t>(e) % k;
    return transposed_at(hx, r, static_cast<index_t>(transposed_at(hi, r, c)));
  }), 0);

  // Along dim 0, int32 index shorter than x in dim 1, x an expression.
  const auto hy = random_host<double, shape_of<N, M>>({n, m});
  const auto hj = random_index<std::int32_t, shape_of<K, M>>({5, m - 3}, n);
  const tensor<double, shape_of<K, M>, cuda> w = gather<0>(to_device(hy) * 2.0, to_device(hj));
  check_close(w, expected_from(static_cast<std::size_t>(5 * (m - 3)), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / (m - 3), c = static_cast<index_t>(e) % (m - 3);
    return 2 * static_cast<double>(hy.data()[hj.data()[r * (m - 3) + c] * m + c]);
  }), 0);
}

TEST_CASE("index_select and x[idx] on the device") {
  const index_t n = 19, m = 33, l = 41;
  const auto hx = random_host<float, shape_of<M, N>>({m, n});
  const auto x = to_device(hx).transpose();  // [n, m]
  const auto hi = random_index<std::int64_t, shape_of<K>>({l}, m);
  const tensor<float, shape_of<N, K>, cuda> z = index_select<1>(x, to_device(hi));
  check_close(z, expected_from(static_cast<std::size_t>(n * l), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / l, c = static_cast<index_t>(e) % l;
    return transposed_at(hx, r, hi.data()[c]);
  }), 0);

  const auto hj = random_index<std::int32_t, shape_of<K>>({l}, n);
  const tensor<float, shape_of<K, M>, cuda> w = index(x + 1.0f, to_device(hj));
  check_close(w, expected_from(static_cast<std::size_t>(l * m), [&](std::size_t e) {
    const index_t r = static_cast<index_t>(e) / m, c = static_cast<index_t>(e) % m;
    return static_cast<double>(static_cast<float>(transposed_at(hx, hj.data()[r], c)) + 1.0f);
  }), 0);
}

TEST_CASE("index_add on the device: repeated indices add up") {
  const index_t n = 6, m = 29, l = 57;
  const auto hx = random_host<double, shape_of<N, M>>({n, m});
  const auto hi = random_index<std::int64_t, shape_of<K>>({l}, n);  // many repeats
  const auto hv = random_host<double, shape_of<M, K>>({m, l});      // v = hv^T: [l, m]
  const tensor<double, shape_of<N, M>, cuda> z = index_add<0>(to_device(hx), to_device(hi), to_device(hv).transpose());
  std::vector<double> expected(static_cast<std::size_t>(n * m));
  for (index_t r = 0; r < n; ++r)
    for (index_t c = 0; c < m; ++c) expected[static_cast<std::size_t>(r * m + c)] = hx.data()[r * m + c];
  for (index_t j = 0; j < l; ++j)
    for (index_t c = 0; c < m; ++c) expected[static_cast<std::size_t>(hi.data()[j] * m + c)] += transposed_at(hv, j, c);
  check_close(z, expected, 1e-12);

  // Along dim 1, f32 and i32 tensors, int32 index.
  const auto hj = random_index<std::int32_t, shape_of<K>>({l}, m);
  const auto hf = random_host<float, shape_of<N, K>>({n, l});
  const tensor<float, shape_of<N, M>, cuda> zf =
      index_add<1>(to_device(hx).to<float>(), to_device(hj), to_device(hf));
  const auto hk = random_host<std::int32_t, shape_of<N, M>>({n, m}, -100, 100);
  const auto hs = random_host<std::int32_t, shape_of<N, K>>({n, l}, -100, 100);
  const tensor<std::int32_t, shape_of<N, M>, cuda> zi = index_add<1>(to_device(hk), to_device(hj), to_device(hs));
  std::vector<double> ef(static_cast<std::size_t>(n * m)), ei(ef.size());
  for (index_t r = 0; r < n; ++r) {
    for (index_t c = 0; c < m; ++c) {
      ef[static_cast<std::size_t>(r * m + c)] = static_cast<float>(hx.data()[r * m + c]);
      ei[static_cast<std::size_t>(r * m + c)] = hk.data()[r * m + c];
    }
    for (index_t j = 0; j < l; ++j) {
      ef[static_cast<std::size_t>(r * m + hj.data()[j])] += hf.data()[r * l + j];
      ei[static_cast<std::size_t>(r * m + hj.data()[j])] += hs.data()[r * l + j];
    }
  }
  check_close(zf, ef, 1e-5);
  check_close(zi, ei, 0);
}

TEST_CASE("scatter_add on the device: index shorter than x and src, transposed src") {
  const index_t n = 9, m = 21, k = 40;
  // Along dim 0: x [n, m], index [k, m - 4] in [0, n), src [k + 2, m] (transposed storage).
  const auto hx = random_host<float, shape_of<N, M>>({n, m});
  const auto hi = random_index<std::int64_t, shape_of<K, M>>({k, m - 4}, n);
  const auto hs = random_host<float, shape_of<M, K>>({m, k + 2});
  const tensor<float, shape_of<N, M>, cuda> z =
      scatter_add<0>(to_device(hx), to_device(hi), to_device(hs).transpose());
  std::vector<double> expected(static_cast<std::size_t>(n * m));
  for (index_t e = 0; e < n * m; ++e) expected[static_cast<std::size_t>(e)] = hx.data()[e];
  for (index_t r = 0; r < k; ++r)
    for (index_t c = 0; c < m - 4; ++c)
      expected[static_cast<std::size_t>(hi.data()[r * (m - 4) + c] * m + c)] += transposed_at(hs, r, c);
  check_close(z, expected, 1e-5);

  // Along dim 1 into zeros (an expression: x * 0), f64 and i64.
  const auto hj = random_index<std::int32_t, shape_of<N, K>>({n, k}, m);
  const auto hd = random_host<double, shape_of<N, K>>({n, k});
  const tensor<double, shape_of<N, M>, cuda> zd =
      scatter_add<1>(to_device(hx).to<double>() * 0.0, to_device(hj), to_device(hd));
  const auto hl = random_host<std::int64_t, shape_of<N, K>>({n, k}, -1000, 1000);
  const tensor<std::int64_t, shape_of<N, M>, cuda> zl =
      scatter_add<1>(to_device(hx).to<std::int64_t>() * std::int64_t{0}, to_device(hj), to_device(hl));
  std::vector<double> ed(static_cast<std::size_t>(n * m), 0.0), el(ed.size(), 0.0);
  for (index_t r = 0; r < n; ++r) {
    for (index_t c = 0; c < k; ++c) {
      ed[static_cast<std::size_t>(r * m + hj.data()[r * k + c])] += hd.data()[r * k + c];
      el[static_cast<std::size_t>(r * m + hj.data()[r * k + c])] += static_cast<double>(hl.data()[r * k + c]);
    }
  }
  check_close(zd, ed, 1e-12);
  check_close(zl, el, 0);
}

TEST_CASE("cumsum on the device: both axes, transposed input, integers to int64") {
  const index_t n = 13, m = 300;
  const auto hx = random_host<float, shape_of<M, N>>({m, n});
  const auto x = to_device(hx).transpose();  // [n, m]
  const tensor<float, shape_of<N, M>, cuda> z1 = cumsum<1>(x);
  const tensor<float, shape_of<N, M>, cuda> z0 = cumsum<0>(x * 2.0f);
  std::vector<double> e1(static_cast<std::size_t>(n * m)), e0(e1.size());
  for (index_t r = 0; r < n; ++r) {
    double acc = 0;
    for (index_t c = 0; c < m; ++c) e1[static_cast<std::size_t>(r * m + c)] = acc += transposed_at(hx, r, c);
  }
  for (index_t c = 0; c < m; ++c) {
    double acc = 0;
    for (index_t r = 0; r < n; ++r)
      e0[static_cast<std::size_t>(r * m + c)] = acc += static_cast<float>(2.0f * static_cast<float>(transposed_at(hx, r, c)));
  }
  check_close(z1, e1, 1e-5);
  check_close(z0, e0, 1e-5);

  const auto hi = random_host<std::int32_t, shape_of<N, M>>({n, m}, -50, 50);
  const tensor<std::int64_t, shape_of<N, M>, cuda> zi = cumsum<1>(to_device(hi));
  std::vector<double> ei(e1.size());
  for (index_t r = 0; r < n; ++r) {
    double acc = 0;
    for (index_t c = 0; c < m; ++c) ei[static_cast<std::size_t>(r * m + c)] = acc += hi.data()[r * m + c];
  }
  check_close(zi, ei, 0);
}

TEST_CASE("the gradient through gather and index_select on the device agrees with the CPU") {
  const index_t n = 24, m = 17, k = 31, l = 40;
  auto g = grad(trace(cpu_reference::indexing_loss, spec_on<cuda, float, N, M>{}, spec_on<cuda, std::int64_t, N, K>{},
                      spec_on<cuda, std::int64_t, sym<"L">>{}));
  const std::string text = g.to_text();
  CHECK(text.find("scatter_add") != std::string::npos);
  CHECK(text.find("index_add") != std::string::npos);
  const auto hx = random_host<float, shape_of<N, M>>({n, m});
  const auto hi = random_index<std::int64_t, shape_of<N, K>>({n, k}, m);
  const auto hj = random_index<std::int64_t, shape_of<sym<"L">>>({l}, n);
  const auto dx = g(to_device(hx), to_device(hi), to_device(hj));
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(dx)>, tensor<float, shape_of<N, M>, cuda>>);
  const std::vector<float> x(hx.data(), hx.data() + n * m);
  const std::vector<std::int64_t> i(hi.data(), hi.data() + n * k), j(hj.data(), hj.data() + l);
  const auto expected = cpu_reference::indexing_grad(x, i, j, n, m, k);
  check_close(dx, std::vector<double>(expected.begin(), expected.end()), 1e-4);
}

TEST_CASE("out-of-range indices on the device raise ctrace::error naming the op and the value") {
  const auto hx = random_host<float, shape_of<N, M>>({4, 6});
  const auto x = to_device(hx);
  auto hi = random_index<std::int64_t, shape_of<N, K>>({4, 3}, 6);
  hi.data()[7] = 6;
  hi.data()[10] = -1;
  using result = tensor<float, shape_of<N, K>, cuda>;
  CHECK_THROWS_WITH_AS(result(gather<1>(x, to_device(hi))), "ctrace: gather: index 6 is out of range for dim 1 of size 6",
                       ctrace::error);
  auto hj = random_index<std::int32_t, shape_of<K>>({5}, 4);
  hj.data()[3] = -2;
  CHECK_THROWS_WITH_AS((tensor<float, shape_of<K, M>, cuda>(index_select<0>(x, to_device(hj)))),
                       "ctrace: index_select: index -2 is out of range for dim 0 of size 4", ctrace::error);
  const auto src = to_device(random_host<float, shape_of<N, K>>({4, 3}));
  CHECK_THROWS_WITH_AS((tensor<float, shape_of<N, M>, cuda>(scatter_add<1>(x, to_device(hi), src))),
                       "ctrace: scatter_add: index 6 is out of range for dim 1 of size 6", ctrace::error);
  const auto v = to_device(random_host<float, shape_of<K, M>>({5, 6}));
  CHECK_THROWS_WITH_AS((tensor<float, shape_of<N, M>, cuda>(index_add<0>(x, to_device(hj), v))),
                       "ctrace: index_add: index -2 is out of range for dim 0 of size 4", ctrace::error);
  // The device is still usable afterwards.
  hi.data()[7] = 5;
  hi.data()[10] = 0;
  const result z = gather<1>(x, to_device(hi));
  check_close(z, expected_from(12, [&](std::size_t e) {
    return static_cast<double>(hx.data()[(e / 3) * 6 + static_cast<std::size_t>(hi.data()[e])]);
  }), 0);
}
