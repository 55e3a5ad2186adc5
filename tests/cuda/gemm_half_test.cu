// bf16 and f16 matrix products on the tensor cores: the wgmma kernel (sm_90a,
// TMA-fed, 16-byte aligned operands) and the mma.sync kernel (any strides),
// each forced in turn, against a double reference of the same 16-bit inputs;
// transposed operands, batches, 1-D operands and the bias + tanh-GELU epilogue.
// Tolerances: f32 accumulation (1e-5 of the sum of |a * b|) plus the rounding
// of the result to 16 bits (2^-8 of it for bf16, 2^-11 for f16, per rounding).
#include <cuda_runtime.h>

#include <cmath>
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

constexpr double bf16_rounding = 1.0 / 256;  // relative, one rounding of the result to bf16
constexpr double f16_rounding = 1.0 / 2048;

// Runs `body` once with each tensor-core kernel allowed: wgmma (where the
// program and the device have it) and mma.sync.
template <class F>
void on_each_path(F&& body) {
  for (const bool wgmma : {true, false}) {
    CAPTURE(wgmma);
    cuda_backend::gemm_options().allow_wgmma = wgmma;
    body(wgmma && cuda_backend::wgmma_available());
  }
  cuda_backend::gemm_options().allow_wgmma = true;
}

struct mkn {
  index_t m, k, n;
};

// The kernel a product of contiguous [m, k] and [k, n] bf16 operands takes:
// wgmma when allowed and both have 16-byte rows along their contiguous dim
// (or a single line), else mma.sync.
gemm_kernel expected_kernel(bool wgmma, const mkn& s) {
  const bool a_rows = s.k % 8 == 0 || s.m == 1;
  const bool b_rows = s.n % 8 == 0 || s.k == 1 || s.n == 1;
  return wgmma && a_rows && b_rows ? gemm_kernel::wgmma : gemm_kernel::mma;
}
}  // namespace

TEST_CASE("bf16 matmul on the tensor cores, both kernels, at sizes off the tiles") {
  std::printf("wgmma kernel available: %s\n", cuda_backend::wgmma_available() ? "yes" : "no");
  on_each_path([](bool wgmma) {
    // Leading dims multiples of 8 (16-byte rows) go to wgmma when allowed; the others to mma.sync.
    for (const mkn s : {mkn{1, 8, 8}, mkn{17, 40, 72}, mkn{129, 256, 200}, mkn{300, 72, 264}, mkn{256, 1024, 512},
                        mkn{1, 1, 1}, mkn{17, 33, 65}, mkn{129, 255, 31}}) {
      CAPTURE(s.m);
      CAPTURE(s.k);
      CAPTURE(s.n);
      const auto a = random_device<bf16, shape_of<M, K>>({s.m, s.k});
      const auto b = random_device<bf16, shape_of<K, N>>({s.k, s.n});
      auto z = poisoned<bf16, shape_of<M, N>>({s.m, s.n});
      z.assign(matmul(a, b));
      CHECK(last_gemm_kernel() == expected_kernel(wgmma, s));
      const auto ref = reference_gemm(a, b);
      check_product(to_vector(z), ref.value, ref.magnitude, 1e-5, bf16_rounding);
    }
  });
}

TEST_CASE("bf16 operands in either layout: transposed views take the tensor cores without copies") {
  on_each_path([](bool wgmma) {
    const index_t m = 136, k = 64, n = 136;
    const auto a = random_device<bf16, shape_of<M, K>>({m, k});
    const auto at_store = random_device<bf16, shape_of<K, M>>({k, m});
    const auto odd_store = random_device<bf16, shape_of<K, M>>({k, m + 3});
    const auto b = random_device<bf16, shape_of<K, N>>({k, n});
    const auto bt_store = random_device<bf16, shape_of<N, K>>({n, k});
    const auto at = at_store.transpose();                  // [m, k], m contiguous
    const auto odd = odd_store.slice<1>(0, m).transpose();  // the same, rows m + 3 apart: not 16-byte aligned
    const auto bt = bt_store.transpose();                  // [k, n], k contiguous
    auto check_pair = [&](const auto& x, const auto& y, bool aligned) {
      { tensor<bf16, shape_of<M, N>, cuda> warm = matmul(x, y); }
      const std::size_t in_use = cuda_memory().bytes_in_use;
      const tensor<bf16, shape_of<M, N>, cuda> z = matmul(x, y);
      CHECK(cuda_memory().bytes_in_use - in_use ==
            cuda_backend::caching_allocator::size_class(static_cast<std::size_t>(m * n) * sizeof(bf16)));
      CHECK(last_gemm_kernel() == (wgmma && aligned ? gemm_kernel::wgmma : gemm_kernel::mma));
      const auto ref = reference_gemm(x, y);
      check_product(to_vector(z), ref.value, ref.magnitude, 1e-5, bf16_rounding);
    };
    check_pair(a, b, true);
    check_pair(at, b, true);
    check_pair(a, bt, true);
    check_pair(at, bt, true);
    check_pair(odd, b, false);
    check_pair(odd, bt, false);
  });
}

TEST_CASE("bf16 batched products, broadcast batches, 1-D operands") {
  on_each_path([](bool) {
    const index_t m = 72, k = 48, n = 40;
    {
      const auto a = random_device<bf16, shape_of<B, M, K>>({3, m, k});
      const auto b = random_device<bf16, shape_of<B, K, N>>({3, k, n});
      const tensor<bf16, shape_of<B, M, N>, cuda> z = matmul(a, b);
      const auto ref = reference_gemm(a.data(), b.data(), 3, m, n, k, m * k, k, 1, k * n, n, 1);
      check_product(to_vector(z), ref.value, ref.magnitude, 1e-5, bf16_rounding);
    }
    {
      const auto a = random_device<bf16, shape_of<B, M, K>>({3, m, k});
      const auto b = random_device<bf16, shape_of<K, N>>({k, n});
      const tensor<bf16, shape_of<B, M, N>, cuda> z = matmul(a, b);
      const auto ref = reference_gemm(a.data(), b.data(), 3, m, n, k, m * k, k, 1, 0, n, 1);
      check_product(to_vector(z), ref.value, ref.magnitude, 1e-5, bf16_rounding);
    }
    {
      const auto a = random_device<bf16, shape_of<M, K>>({m, k});
      const auto b = random_device<bf16, shape_of<B, K, N>>({3, k, n});
      const tensor<bf16, shape_of<B, M, N>, cuda> z = matmul(a, b);
      const auto ref = reference_gemm(a.data(), b.data(), 3, m, n, k, 0, k, 1, k * n, n, 1);
      check_product(to_vector(z), ref.value, ref.magnitude, 1e-5, bf16_rounding);
    }
    {
      const auto a = random_device<bf16, shape_of<2, 1, M, K>>({2, 1, m, k});
      const auto b = random_device<bf16, shape_of<3, K, N>>({3, k, n});
      const tensor<bf16, shape_of<2, 3, M, N>, cuda> z = matmul(a, b);
      const auto got = to_vector(z);
      for (index_t i = 0; i < 2; ++i)
        for (index_t j = 0; j < 3; ++j) {
          const auto ref = reference_gemm(a.data() + i * m * k, b.data() + j * k * n, 1, m, n, k, 0, k, 1, 0, n, 1);
          const auto first = got.begin() + (i * 3 + j) * m * n;
          check_product(std::vector<double>(first, first + m * n), ref.value, ref.magnitude, 1e-5, bf16_rounding);
        }
    }
    {
      const auto x = random_device<bf16, shape_of<K>>({k});
      const auto b = random_device<bf16, shape_of<K, N>>({k, n});
      const auto a = random_device<bf16, shape_of<M, K>>({m, k});
      const tensor<bf16, shape_of<N>, cuda> xb = matmul(x, b);
      auto ref = reference_gemm(x.data(), b.data(), 1, 1, n, k, 0, 0, 1, 0, n, 1);
      check_product(to_vector(xb), ref.value, ref.magnitude, 1e-5, bf16_rounding);
      const tensor<bf16, shape_of<M>, cuda> ax = matmul(a, x);
      ref = reference_gemm(a.data(), x.data(), 1, m, 1, k, 0, k, 1, 0, 1, 0);
      check_product(to_vector(ax), ref.value, ref.magnitude, 1e-5, bf16_rounding);
      const tensor<bf16, shape<>, cuda> dot = matmul(x, x);
      ref = reference_gemm(x.data(), x.data(), 1, 1, 1, k, 0, 0, 1, 0, 1, 0);
      check_product(to_vector(dot), ref.value, ref.magnitude, 1e-5, bf16_rounding);
    }
  });
}

TEST_CASE("bf16 gelu_tanh(x w + b): one kernel, the epilogue in f32 between bf16 roundings") {
  on_each_path([](bool wgmma) {
    for (const mkn s : {mkn{200, 128, 264}, mkn{77, 96, 50}, mkn{512, 512, 512}}) {
      CAPTURE(s.m);
      const auto x = random_device<bf16, shape_of<M, K>>({s.m, s.k});
      const auto w = random_device<bf16, shape_of<K, N>>({s.k, s.n});
      const auto bias = random_device<bf16, shape_of<N>>({s.n});
      const auto expr = gelu_tanh(matmul(x, w) + bias);
      auto z = poisoned<bf16, shape_of<M, N>>({s.m, s.n});
      z.assign(expr);
      CHECK(last_gemm_kernel() == (wgmma && s.n % 8 == 0 ? gemm_kernel::wgmma : gemm_kernel::mma));
      CHECK(kernels_queued([&] { z.assign(expr); }) == 1);
      const auto ref = reference_gemm(x, w);
      const auto hb = to_vector(bias);
      std::vector<double> e(ref.value.size()), bound(ref.value.size());
      for (std::size_t i = 0; i < e.size(); ++i) {
        const double p = ref.value[i], v = p + hb[i % static_cast<std::size_t>(s.n)];
        e[i] = 0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
        // |gelu'| <= 1.13: the accumulation error and the roundings of the
        // product and of the sum carry over; then gelu's own rounding.
        bound[i] = 1.2 * (1e-5 * ref.magnitude[i] + (std::fabs(p) + std::fabs(v)) * bf16_rounding) +
                   std::fabs(e[i]) * bf16_rounding + 1e-3;
      }
      check_within(to_vector(z), e, bound);
    }
  });
}

TEST_CASE("f16 products, and a bf16 product with f32 output through a cast") {
  on_each_path([](bool) {
    const index_t m = 96, k = 80, n = 104;
    const auto a = random_device<f16, shape_of<M, K>>({m, k});
    const auto b = random_device<f16, shape_of<K, N>>({k, n});
    const tensor<f16, shape_of<M, N>, cuda> z = matmul(a, b);
    const auto ref = reference_gemm(a, b);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5, f16_rounding);

    const auto x = random_device<bf16, shape_of<M, K>>({m, k});
    const auto y = random_device<bf16, shape_of<K, N>>({k, n});
    const tensor<float, shape_of<M, N>, cuda> zf = matmul(x, y).to<float>();  // the product rounded to bf16, then widened
    const auto rf = reference_gemm(x, y);
    check_product(to_vector(zf), rf.value, rf.magnitude, 1e-5, bf16_rounding);
  });
}

TEST_CASE("a large bf16 product: many k-tiles through the pipeline") {
  on_each_path([](bool) {
    const index_t m = 1024, k = 2048, n = 768;
    const auto a = random_device<bf16, shape_of<M, K>>({m, k});
    const auto b = random_device<bf16, shape_of<K, N>>({k, n});
    auto z = poisoned<bf16, shape_of<M, N>>({m, n});
    z.assign(matmul(a, b));
    const auto ref = reference_gemm(a, b);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5, bf16_rounding);
  });
}
