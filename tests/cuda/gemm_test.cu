// Matrix products on the device (f32 on the SIMT kernel or the tensor cores,
// f64 and i32 too): torch.matmul's rules (batches, broadcast batches, 1-D
// operands), transposed and strided views read without copies, sizes that are
// not multiples of the tiles, and the elementwise consumers of a product fused
// into its kernel's epilogue. gemm_tf32x3_test.cu: the tensor-core f32 kernel.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
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

struct mkn {
  index_t m, k, n;
};
}  // namespace

TEST_CASE("f32 matmul agrees with a double reference, at sizes off the tiles") {
  for (const mkn s : {mkn{1, 1, 1}, mkn{17, 33, 65}, mkn{129, 255, 31}, mkn{128, 128, 128}, mkn{200, 64, 300},
                      mkn{3, 1000, 5}, mkn{1, 300, 700}, mkn{700, 300, 1}, mkn{131, 8, 260}}) {
    CAPTURE(s.m);
    CAPTURE(s.k);
    CAPTURE(s.n);
    const auto a = random_device<float, shape_of<M, K>>({s.m, s.k});
    const auto b = random_device<float, shape_of<K, N>>({s.k, s.n});
    const auto ref = reference_gemm(a, b);
    for (const bool tensor_cores : {true, false}) {
      CAPTURE(tensor_cores);
      const f32_tensor_cores_scope scope(tensor_cores);
      auto z = poisoned<float, shape_of<M, N>>({s.m, s.n});
      z.assign(matmul(a, b));
      CHECK(last_gemm_kernel() == (tensor_cores ? f32_tensor_core_kernel() : gemm_kernel::simt));
      check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
    }
  }
}

TEST_CASE("transposed and strided views are read through their strides, without copies") {
  const f32_tensor_cores_scope simt(false);  // the 3xTF32 path splits its operands into new memory first
  for (const mkn s : {mkn{67, 45, 133}, mkn{128, 256, 64}}) {
    const auto a = random_device<float, shape_of<M, K>>({s.m, s.k});
    const auto at_store = random_device<float, shape_of<K, M>>({s.k, s.m});
    const auto b = random_device<float, shape_of<K, N>>({s.k, s.n});
    const auto bt_store = random_device<float, shape_of<N, K>>({s.n, s.k});
    const auto at = at_store.transpose();  // [M, K], M contiguous
    const auto bt = bt_store.transpose();  // [K, N], K contiguous
    auto check_pair = [&](const auto& x, const auto& y) {
      { tensor<float, shape_of<M, N>, cuda> warm = matmul(x, y); }
      const std::size_t in_use = cuda_memory().bytes_in_use;
      const tensor<float, shape_of<M, N>, cuda> z = matmul(x, y);
      // Only the result was allocated: no operand was copied.
      CHECK(cuda_memory().bytes_in_use - in_use ==
            cuda_backend::caching_allocator::size_class(static_cast<std::size_t>(s.m * s.n) * sizeof(float)));
      const auto ref = reference_gemm(x, y);
      check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
    };
    check_pair(a, b);
    check_pair(at, b);
    check_pair(a, bt);
    check_pair(at, bt);
    // Every other column of a wider matrix: neither dim of unit stride.
    const auto wide = random_device<float, shape_of<M, K>>({s.m, 2 * s.k});
    const auto every_other = wide.slice<1>(0, 2 * s.k, 2);
    const tensor<float, shape_of<M, N>, cuda> z = matmul(every_other, bt);
    const auto ref = reference_gemm(every_other, bt);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
}

TEST_CASE("batched products, with broadcast batch dims") {
  const index_t m = 33, k = 47, n = 29;
  SUBCASE("[3, m, k] . [3, k, n]") {
    const auto a = random_device<float, shape_of<B, M, K>>({3, m, k});
    const auto b = random_device<float, shape_of<B, K, N>>({3, k, n});
    auto z = poisoned<float, shape_of<B, M, N>>({3, m, n});
    z.assign(matmul(a, b));
    const auto ref = reference_gemm(a.data(), b.data(), 3, m, n, k, m * k, k, 1, k * n, n, 1);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
  SUBCASE("[3, m, k] . [k, n]: the rhs serves every batch") {
    const auto a = random_device<float, shape_of<B, M, K>>({3, m, k});
    const auto b = random_device<float, shape_of<K, N>>({k, n});
    const tensor<float, shape_of<B, M, N>, cuda> z = matmul(a, b);
    const auto ref = reference_gemm(a.data(), b.data(), 3, m, n, k, m * k, k, 1, 0, n, 1);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
  SUBCASE("[2, 1, m, k] . [4, k, n] is [2, 4, m, n]") {
    const auto a = random_device<float, shape_of<2, 1, M, K>>({2, 1, m, k});
    const auto b = random_device<float, shape_of<4, K, N>>({4, k, n});
    const tensor<float, shape_of<2, 4, M, N>, cuda> z = matmul(a, b);
    const auto got = to_vector(z);
    for (index_t i = 0; i < 2; ++i) {
      for (index_t j = 0; j < 4; ++j) {
        const auto ref = reference_gemm(a.data() + i * m * k, b.data() + j * k * n, 1, m, n, k, 0, k, 1, 0, n, 1);
        const auto first = got.begin() + (i * 4 + j) * m * n;
        check_product(std::vector<double>(first, first + m * n), ref.value, ref.magnitude, 1e-5);
      }
    }
  }
  SUBCASE("transposed batched operands") {
    const auto a_store = random_device<float, shape_of<B, K, M>>({3, k, m});
    const auto a = a_store.transpose();  // [3, m, k], m contiguous
    const auto b = random_device<float, shape_of<B, K, N>>({3, k, n});
    const tensor<float, shape_of<B, M, N>, cuda> z = matmul(a, b);
    const auto ref = reference_gemm(a_store.data(), b.data(), 3, m, n, k, m * k, 1, m, k * n, n, 1);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
}

TEST_CASE("1-D operands: dot, matrix-vector, vector-matrix, batched") {
  const index_t m = 45, k = 77, n = 38;
  const auto x = random_device<float, shape_of<K>>({k});
  const auto y = random_device<float, shape_of<K>>({k});
  const auto a = random_device<float, shape_of<M, K>>({m, k});
  const auto b = random_device<float, shape_of<K, N>>({k, n});
  const auto ab = random_device<float, shape_of<B, M, K>>({3, m, k});
  {
    const tensor<float, shape<>, cuda> z = matmul(x, y);
    const auto ref = reference_gemm(x.data(), y.data(), 1, 1, 1, k, 0, 0, 1, 0, 1, 0);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
  {
    const tensor<float, shape_of<M>, cuda> z = matmul(a, y);
    const auto ref = reference_gemm(a.data(), y.data(), 1, m, 1, k, 0, k, 1, 0, 1, 0);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
  {
    const tensor<float, shape_of<N>, cuda> z = matmul(x, b);
    const auto ref = reference_gemm(x.data(), b.data(), 1, 1, n, k, 0, 0, 1, 0, n, 1);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
  {
    const tensor<float, shape_of<B, M>, cuda> z = matmul(ab, y);
    const auto ref = reference_gemm(ab.data(), y.data(), 3, m, 1, k, m * k, k, 1, 0, 1, 0);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
  }
  {  // a 1-D product with an epilogue: relu(x . b + c)
    const auto c = random_device<float, shape_of<N>>({n});
    const tensor<float, shape_of<N>, cuda> z = relu(matmul(x, b) + c);
    const auto ref = reference_gemm(x.data(), b.data(), 1, 1, n, k, 0, 0, 1, 0, n, 1);
    const auto hc = to_vector(c);
    std::vector<double> expected(static_cast<std::size_t>(n));
    for (std::size_t j = 0; j < expected.size(); ++j) expected[j] = std::max(0.0, ref.value[j] + hc[j]);
    check_product(to_vector(z), expected, ref.magnitude, 1e-5);
  }
}

TEST_CASE("empty sums give zeros, empty products nothing") {
  const auto a = random_device<float, shape_of<M, K>>({5, 0});
  const auto b = random_device<float, shape_of<K, N>>({0, 7});
  auto z = poisoned<float, shape_of<M, N>>({5, 7});
  z.assign(matmul(a, b) + 1);
  check_close(z, std::vector<double>(35, 1.0), 0.0);
  const auto e = random_device<float, shape_of<M, K>>({0, 4});
  const auto f = random_device<float, shape_of<K, N>>({4, 7});
  const tensor<float, shape_of<M, N>, cuda> empty = matmul(e, f);
  CHECK(empty.numel() == 0);
}

TEST_CASE("elementwise consumers of a product run in the GEMM's epilogue: one kernel") {
  const f32_tensor_cores_scope simt(false);  // gemm_tf32x3_test.cu: the same with the split passes
  const index_t m = 150, k = 96, n = 130;
  const auto a = random_device<float, shape_of<M, K>>({m, k});
  const auto b = random_device<float, shape_of<K, N>>({k, n});
  const auto bias = random_device<float, shape_of<N>>({n});
  const auto row_bias = random_device<float, shape_of<M, 1>>({m, 1});
  const auto residual = random_device<float, shape_of<M, N>>({m, n});
  const auto residual_t_store = random_device<float, shape_of<N, M>>({n, m});
  const auto residual_t = residual_t_store.transpose();
  const auto ref = reference_gemm(a, b);
  const auto hb = to_vector(bias), hr = to_vector(row_bias), hres = to_vector(residual), hrt = to_vector(residual_t);
  auto expect = [&](auto f) {
    std::vector<double> e(static_cast<std::size_t>(m * n));
    for (index_t i = 0; i < m; ++i)
      for (index_t j = 0; j < n; ++j) {
        const std::size_t at = static_cast<std::size_t>(i * n + j);
        e[at] = f(ref.value[at], hb[static_cast<std::size_t>(j)], hr[static_cast<std::size_t>(i)], hres[at], hrt[at]);
      }
    return e;
  };
  auto gelu = [](double x) { return 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); };
  auto z = poisoned<float, shape_of<M, N>>({m, n});
  auto run = [&](const auto& expr, auto f) {
    z.fill_(std::numeric_limits<float>::quiet_NaN());
    z.assign(expr);
    check_product(to_vector(z), expect(f), ref.magnitude, 1e-5, 1e-6);
    CHECK(kernels_queued([&] { z.assign(expr); }) == 1);
  };
  SUBCASE("bias") { run(matmul(a, b) + bias, [](double p, double c, double, double, double) { return p + c; }); }
  SUBCASE("relu(x w + b)") {
    run(relu(matmul(a, b) + bias), [](double p, double c, double, double, double) { return std::max(0.0, p + c); });
  }
  SUBCASE("gelu_tanh(x w + b)") {
    run(gelu_tanh(matmul(a, b) + bias), [&](double p, double c, double, double, double) { return gelu(p + c); });
  }
  SUBCASE("residual, and a bias along the rows") {
    run(residual + matmul(a, b) * 0.5f + row_bias,
        [](double p, double, double r, double res, double) { return res + p * 0.5 + r; });
  }
  SUBCASE("a transposed residual read through its strides") {
    run(matmul(a, b) - residual_t, [](double p, double, double, double, double rt) { return p - rt; });
  }
  SUBCASE("where and a cast") {
    auto expr = where(matmul(a, b) > 0.0f, bias * 2.0f, -residual).to<double>();
    auto zd = poisoned<double, shape_of<M, N>>({m, n});
    zd.assign(expr);
    // The sign of a product near 0 can differ from the reference's: compare where it is clear.
    const auto got = to_vector(zd);
    const auto e = expect([](double p, double c, double, double res, double) { return p > 0 ? c * 2 : -res; });
    std::size_t bad = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (std::fabs(ref.value[i]) > 1e-4 * ref.magnitude[i] + 1e-6 && std::fabs(got[i] - e[i]) > 1e-6) ++bad;
    }
    CHECK(bad == 0);
    CHECK(kernels_queued([&] { zd.assign(expr); }) == 1);
  }
}

TEST_CASE("a consumer that broadcasts the product, or reads two products, computes them first") {
  const index_t m = 40, k = 24, n = 36;
  const auto a = random_device<float, shape_of<M, K>>({m, k});
  const auto b = random_device<float, shape_of<K, N>>({k, n});
  const auto big = random_device<float, shape_of<2, M, N>>({2, m, n});
  const auto ref = reference_gemm(a, b);
  const auto hbig = to_vector(big);
  {
    const tensor<float, shape_of<2, M, N>, cuda> z = matmul(a, b) + big;  // the product is broadcast over dim 0
    std::vector<double> e(hbig.size()), mag(hbig.size());
    for (std::size_t i = 0; i < e.size(); ++i) {
      e[i] = ref.value[i % ref.value.size()] + hbig[i];
      mag[i] = ref.magnitude[i % ref.value.size()];
    }
    check_product(to_vector(z), e, mag, 1e-5, 1e-6);
  }
  {
    auto z = poisoned<float, shape_of<2, M, N>>({2, m, n});
    z.assign(matmul(a, b));  // assignment broadcasts the product itself
    std::vector<double> e(hbig.size()), mag(hbig.size());
    for (std::size_t i = 0; i < e.size(); ++i) {
      e[i] = ref.value[i % ref.value.size()];
      mag[i] = ref.magnitude[i % ref.value.size()];
    }
    check_product(to_vector(z), e, mag, 1e-5);
  }
  {
    const auto c = random_device<float, shape_of<K, N>>({k, n});
    const auto ref2 = reference_gemm(a, c);
    const tensor<float, shape_of<M, N>, cuda> z = matmul(a, b) * matmul(a, c);
    std::vector<double> e(ref.value.size()), mag(ref.value.size());
    for (std::size_t i = 0; i < e.size(); ++i) {
      e[i] = ref.value[i] * ref2.value[i];
      mag[i] = ref.magnitude[i] * ref2.magnitude[i];
    }
    check_product(to_vector(z), e, mag, 2e-5);
  }
}

TEST_CASE("f64 and i32 products") {
  const index_t m = 70, k = 50, n = 90;
  {
    const auto a = random_device<double, shape_of<M, K>>({m, k});
    const auto b = random_device<double, shape_of<K, N>>({k, n});
    const tensor<double, shape_of<M, N>, cuda> z = matmul(a, b);
    CHECK(last_gemm_kernel() == gemm_kernel::simt);
    const auto ref = reference_gemm(a, b);
    check_product(to_vector(z), ref.value, ref.magnitude, 1e-13);
  }
  {
    const auto ha = random_host<std::int32_t, shape_of<M, K>>({m, k}, -9, 9);
    const auto hb = random_host<std::int32_t, shape_of<K, N>>({k, n}, -9, 9);
    const tensor<std::int32_t, shape_of<M, N>, cuda> z = matmul(to_device(ha), to_device(hb));
    const auto got = to_vector(z);
    std::size_t bad = 0;
    for (index_t i = 0; i < m; ++i)
      for (index_t j = 0; j < n; ++j) {
        std::int64_t s = 0;
        for (index_t q = 0; q < k; ++q) s += static_cast<std::int64_t>(ha(i, q)) * hb(q, j);
        bad += got[static_cast<std::size_t>(i * n + j)] != static_cast<double>(s);
      }
    CHECK(bad == 0);
  }
}

TEST_CASE("a large f32 product: many k-tiles, many blocks") {
  const index_t m = 1000, k = 1500, n = 700;
  const auto a = random_device<float, shape_of<M, K>>({m, k});
  const auto b = random_device<float, shape_of<K, N>>({k, n});
  auto z = poisoned<float, shape_of<M, N>>({m, n});
  z.assign(matmul(a, b));
  const auto ref = reference_gemm(a, b);
  check_product(to_vector(z), ref.value, ref.magnitude, 1e-5);
}
