// The f32 products on the tensor cores (3xTF32, gemm_tf32x3.cuh): operands in
// every layout (strided ones too), the error against a double reference beside
// the SIMT kernel's (and far below one TF32 product's), infinities and NaN as
// in f32, batches, 1-D operands and fused epilogues.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "gemm_test_util.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {
using gemm_symbols::B;
using gemm_symbols::K;
using gemm_symbols::M;
using gemm_symbols::N;
using cuda_backend::gemm_kernel;
using cuda_backend::last_gemm_kernel;

// The product z = x · y with the tensor cores on, then off: each result's
// error against the double reference in units of sum |a * b|.
struct errors {
  double tensor_cores, simt;
};
template <class X, class Y>
errors both_kernels(const X& x, const Y& y, index_t m, index_t n) {
  const auto ref = reference_gemm(x, y);
  errors e{};
  for (const bool on : {true, false}) {
    const f32_tensor_cores_scope scope(on);
    auto z = poisoned<float, shape_of<M, N>>({m, n});
    z.assign(matmul(x, y));
    CHECK(last_gemm_kernel() == (on ? f32_tensor_core_kernel() : gemm_kernel::simt));
    const auto got = to_vector(z);
    check_product(got, ref.value, ref.magnitude, 1e-5);
    (on ? e.tensor_cores : e.simt) = worst_relative_error(got, ref.value, ref.magnitude);
  }
  return e;
}
// Runs `body` on the wgmma kernel (where the device and the build have it) and on the mma.sync one.
template <class F>
void on_both_kernels(F body) {
  for (const bool wgmma : {true, false}) {
    CAPTURE(wgmma);
    const allow_wgmma_scope scope(wgmma);
    body();
  }
}
}  // namespace

TEST_CASE("3xTF32 products are as accurate as the SIMT kernel's, in every operand layout") {
  on_both_kernels([] {
    struct mkn {
      index_t m, k, n;
    };
    for (const mkn s : {mkn{128, 128, 128}, mkn{132, 68, 260}, mkn{4, 4096, 8}, mkn{300, 1024, 200}, mkn{1, 8, 1},
                        mkn{17, 33, 65}}) {
      CAPTURE(s.m);
      CAPTURE(s.k);
      CAPTURE(s.n);
      const auto a = random_device<float, shape_of<M, K>>({s.m, s.k});
      const auto a_store = random_device<float, shape_of<K, M>>({s.k, s.m});
      const auto b = random_device<float, shape_of<K, N>>({s.k, s.n});
      const auto b_store = random_device<float, shape_of<N, K>>({s.n, s.k});
      const auto at = a_store.transpose();  // [M, K], M contiguous
      const auto bt = b_store.transpose();  // [K, N], K contiguous
      const auto wide = random_device<float, shape_of<M, K>>({s.m, 2 * s.k});
      const auto every_other = wide.slice<1>(0, 2 * s.k, 2);  // no dim of unit stride
      for (const errors e : {both_kernels(a, b, s.m, s.n), both_kernels(at, b, s.m, s.n), both_kernels(a, bt, s.m, s.n),
                             both_kernels(at, bt, s.m, s.n), both_kernels(every_other, bt, s.m, s.n)}) {
        // One TF32 product keeps 11 bits (errors near 2^-11 = 5e-4 of the
        // magnitude); three keep f32's: the same order as the SIMT kernel's.
        CHECK(e.tensor_cores < 1e-6);
        CHECK(e.tensor_cores <= 4 * e.simt + 2e-7);
        MESSAGE("error / magnitude: 3xTF32 " << e.tensor_cores << ", SIMT " << e.simt);
      }
    }
  });
}

TEST_CASE("infinities and NaN in 3xTF32 products give f32's results") {
  on_both_kernels([] {
    const index_t m = 8, k = 16, n = 8;
    auto ha = random_host<float, shape_of<M, K>>({m, k}, 0.5, 1.0);
    auto hb = random_host<float, shape_of<K, N>>({k, n}, 0.5, 1.0);
    const float inf = std::numeric_limits<float>::infinity();
    ha.data()[0 * k + 3] = inf;                                        // row 0: +inf times positive values
    ha.data()[1 * k + 5] = -inf;                                       // row 1: -inf
    ha.data()[2 * k + 7] = std::numeric_limits<float>::quiet_NaN();   // row 2: NaN
    ha.data()[3 * k + 9] = 3.4025e38f;  // row 3: finite, but rounds past the largest tf32
    for (index_t j = 0; j < n; ++j) hb.data()[9 * n + j] = j == 0 ? 0.0f : 2.0f;  // overflow, except column 0
    for (index_t i = 0; i < m; ++i) ha.data()[i * k + 11] = i == 4 ? 0.0f : ha.data()[i * k + 11];
    hb.data()[11 * n + 6] = inf;  // column 6: +inf where row 4 has a 0 (NaN), positive values elsewhere
    const auto a = to_device(ha);
    const auto b = to_device(hb);
    std::vector<double> with[2];
    for (const bool on : {true, false}) {
      const f32_tensor_cores_scope scope(on);
      const tensor<float, shape_of<M, N>, cuda> z = matmul(a, b);
      CHECK(last_gemm_kernel() == (on ? f32_tensor_core_kernel() : gemm_kernel::simt));
      with[on ? 1 : 0] = to_vector(z);
    }
    auto kind = [](double v) { return std::isnan(v) ? 2 : std::isinf(v) ? (v > 0 ? 1 : -1) : 0; };
    for (index_t i = 0; i < m; ++i) {
      for (index_t j = 0; j < n; ++j) {
        CAPTURE(i);
        CAPTURE(j);
        const std::size_t at = static_cast<std::size_t>(i * n + j);
        // The SIMT kernel is f32 arithmetic: the tensor cores must classify each element alike.
        CHECK(kind(with[1][at]) == kind(with[0][at]));
        if (kind(with[0][at]) == 0) CHECK(with[1][at] == doctest::Approx(with[0][at]).epsilon(1e-5));
      }
    }
    // What f32 gives, spelled out for the rows set above.
    CHECK(kind(with[1][0 * n + 1]) == 1);
    CHECK(kind(with[1][1 * n + 1]) == -1);
    CHECK(kind(with[1][2 * n + 1]) == 2);
    CHECK(kind(with[1][3 * n + 1]) == 1);   // 3e38 * 2 overflows
    CHECK(kind(with[1][4 * n + 6]) == 2);   // 0 * inf
    CHECK(kind(with[1][5 * n + 6]) == 1);
  });
}

TEST_CASE("batched and broadcast 3xTF32 products, 1-D operands") {
  on_both_kernels([] {
    const index_t m = 36, k = 44, n = 28;
    const auto a = random_device<float, shape_of<B, M, K>>({3, m, k});
    const auto b = random_device<float, shape_of<K, N>>({k, n});
    const tensor<float, shape_of<B, M, N>, cuda> z = matmul(a, b);
    CHECK(last_gemm_kernel() == f32_tensor_core_kernel());
    const auto ref = reference_gemm(a.data(), b.data(), 3, m, n, k, m * k, k, 1, 0, n, 1);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);

    const auto v = random_device<float, shape_of<K>>({k});
    const tensor<float, shape_of<M>, cuda> mv = matmul(a.select<0>(1), v);
    const auto ref_mv = reference_gemm(a.data() + m * k, v.data(), 1, m, 1, k, 0, k, 1, 0, 1, 0);
    check_product(to_vector(mv), ref_mv.value, ref_mv.magnitude, 1e-5);
  });
}

TEST_CASE("a bias and GELU fused into the 3xTF32 kernel's epilogue") {
  on_both_kernels([] {
    const index_t m = 192, k = 256, n = 320;
    const auto a = random_device<float, shape_of<M, K>>({m, k});
    const auto b = random_device<float, shape_of<K, N>>({k, n});
    const auto bias = random_device<float, shape_of<N>>({n});
    const auto ref = reference_gemm(a, b);
    const auto hb = to_vector(bias);
    std::vector<double> expected(static_cast<std::size_t>(m * n));
    for (index_t i = 0; i < m; ++i) {
      for (index_t j = 0; j < n; ++j) {
        const double x = ref.value[static_cast<std::size_t>(i * n + j)] + hb[static_cast<std::size_t>(j)];
        expected[static_cast<std::size_t>(i * n + j)] =
            0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
      }
    }
    auto z = poisoned<float, shape_of<M, N>>({m, n});
    const auto expr = gelu_tanh(matmul(a, b) + bias);
    z.assign(expr);
    CHECK(last_gemm_kernel() == f32_tensor_core_kernel());
    check_product(to_vector(z), expected, ref.magnitude, 1e-5, 1e-6);
    CHECK(kernels_queued([&] { z.assign(expr); }) == 3);  // the split of a, of b, and the product with its epilogue
  });
}

TEST_CASE("a large 3xTF32 product: many k-tiles and blocks, sizes off the tiles") {
  on_both_kernels([] {
    const index_t m = 1000, k = 1500, n = 700;
    const auto a = random_device<float, shape_of<M, K>>({m, k});
    const auto b = random_device<float, shape_of<K, N>>({k, n});
    const errors e = both_kernels(a, b, m, n);
    CHECK(e.tensor_cores < 1e-6);
    MESSAGE("1000 x 1500 x 700, error / magnitude: 3xTF32 " << e.tensor_cores << ", SIMT " << e.simt);
  });
}
