// GPU benchmark: the elementwise workloads of the peer scripts (../shared/peers:
// gpu_peers.py, jax_peers.py), same names, sizes and columns, so that one run
// on the GPU machine gives a side-by-side table. Prints CSV rows
// name,system,ms,GBps,TFLOPs with system "ctrace"; ms is the median of 20
// calls timed with CUDA events after 5 warm-up calls (as gpu_peers.py); GB/s
// counts the bytes read plus the bytes written, once each.
//   copy_2^26       y = x.clone(): our own device copy (the elementwise
//                   kernel reading one tensor), the bandwidth ceiling
//   copy_into_2^26  out.assign(x): the same into existing memory
//   simple_2^26     sigmoid(tanh(x * (x + y)))
//   ge_2^26         a * b / (a - 2 * b) + b
//   softmax_8192x8192    softmax over the rows of an 8192 x 8192 matrix
//   layernorm_8192x4096  layer_norm over the rows of 8192 x 4096, with weight
//                        and bias (GB/s counts the matrix read and written
//                        once, 2 x 4 x M x C, as gpu_peers.py does)
//   gemm_fp32_4096, gemm_bf16_4096  a @ w, 4096 x 4096 x 4096 (TFLOP/s
//                        = 2 * 4096^3 / time, as gpu_peers.py; its torch rows
//                        run with TF32 off)
//   gemm_bias_gelu_{fp32,bf16}_4096  gelu_tanh(a @ w + bias): one kernel, the
//                        bias and GELU in the GEMM's epilogue (f32 products on
//                        the tensor cores, 3xTF32; the *_simt rows: the same on
//                        the SIMT kernel)
//   mlp_train_step_fp32  both weight gradients of a two-layer MLP (mlp_workload)
// Inputs are uniform in [0, 1) (torch.rand; the row workloads and products:
// normal, as torch.randn); every result is checked against a double-precision
// reference on the host before it is timed (products: 4096 sampled elements
// against double dot products of the same inputs, every element written).
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include <ctrace/autodiff.hpp>
#include <ctrace/cuda.hpp>
#include <ctrace/graph/graph.hpp>

using namespace ctrace;

namespace {

constexpr index_t n = index_t{1} << 26;
using vec_t = tensor<float, shape_of<dyn>, cuda>;

template <class F>
double median_ms(F&& f, int warmup = 5, int iters = 20) {
  for (int i = 0; i < warmup; ++i) f();
  synchronize();
  cudaEvent_t start, stop;
  cuda_backend::check(cudaEventCreate(&start), "cudaEventCreate");
  cuda_backend::check(cudaEventCreate(&stop), "cudaEventCreate");
  std::vector<float> times;
  for (int i = 0; i < iters; ++i) {
    cuda_backend::check(cudaEventRecord(start, current_stream()), "cudaEventRecord");
    f();
    cuda_backend::check(cudaEventRecord(stop, current_stream()), "cudaEventRecord");
    cuda_backend::check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    cuda_backend::check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    times.push_back(ms);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void row(const char* name, double ms, double bytes) {
  std::printf("%s,ctrace,%.4f,%.1f,0.00\n", name, ms, bytes / ms / 1e6);
  std::fflush(stdout);
}

// Every element within 1e-5 relative of the double reference (non-finite
// references must match in kind); the output is poisoned with NaN first, so
// an element the kernel did not write fails.
template <class Expr, class Ref>
bool check(const char* name, const Expr& expr, const std::vector<float>& hx, const std::vector<float>& hy, Ref ref) {
  vec_t out = vec_t::uninitialized({n});
  out.fill_(std::numeric_limits<float>::quiet_NaN());
  out.assign(expr);
  const auto h = to_host(out);
  index_t bad = 0;
  double err2 = 0, ref2 = 0;
  for (index_t i = 0; i < n; ++i) {
    const double r = ref(static_cast<double>(hx[static_cast<std::size_t>(i)]), static_cast<double>(hy[static_cast<std::size_t>(i)]));
    const double g = h(i);
    if (std::isfinite(r)) {
      if (!(std::fabs(g - r) <= 1e-5 * (1 + std::fabs(r)))) ++bad;
      err2 += (g - r) * (g - r);
      ref2 += r * r;
    } else if (!(std::isnan(r) ? std::isnan(g) : g == r || std::isinf(g))) {
      ++bad;
    }
  }
  std::fprintf(stderr, "check %-12s relative error %.2e (finite elements), %lld elements off\n", name, std::sqrt(err2 / ref2),
               static_cast<long long>(bad));
  return bad == 0;
}

// ---- row workloads: softmax and layer_norm ---------------------------------------

using mat_t = tensor<float, shape_of<dyn, dyn>, cuda>;

mat_t device_matrix(const std::vector<float>& h, index_t rows, index_t cols) {
  return to_device(tensor<float, shape_of<dyn, dyn>, cpu>(nullptr, const_cast<float*>(h.data()), {rows, cols}, {cols, 1}));
}

// `got` (rows x cols) against ref(row, values of the row, out): every element
// within 1e-5 relative of the double reference (plus 1e-6 absolute for
// layer_norm's values near 0); the output was poisoned with NaN first.
template <class Ref>
bool check_rows(const char* name, const mat_t& got, const std::vector<float>& hx, index_t rows, index_t cols, double abs_tol,
                Ref ref) {
  const auto h = to_host(got);
  std::vector<double> expected(static_cast<std::size_t>(cols));
  index_t bad = 0;
  double err2 = 0, ref2 = 0;
  for (index_t r = 0; r < rows; ++r) {
    ref(hx.data() + r * cols, expected.data());
    for (index_t j = 0; j < cols; ++j) {
      const double e = expected[static_cast<std::size_t>(j)], g = h.data()[r * cols + j];
      if (!(std::fabs(g - e) <= 1e-5 * std::fabs(e) + abs_tol)) ++bad;
      err2 += (g - e) * (g - e);
      ref2 += e * e;
    }
  }
  std::fprintf(stderr, "check %-12s relative error %.2e, %lld elements off\n", name, std::sqrt(err2 / ref2),
               static_cast<long long>(bad));
  return bad == 0;
}

// softmax_8192x8192 and layernorm_8192x4096; false if a result is wrong.
bool row_workloads(double copy_ms) {
  constexpr index_t M = 8192, C = 8192, LC = 4096;
  std::mt19937 rng(20261123);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> hs(static_cast<std::size_t>(M * C)), hl(static_cast<std::size_t>(M * LC));
  std::vector<float> hw(static_cast<std::size_t>(LC)), hb(static_cast<std::size_t>(LC));
  for (auto* v : {&hs, &hl, &hw, &hb}) {
    for (auto& e : *v) e = normal(rng);
  }
  const mat_t s = device_matrix(hs, M, C);
  const mat_t l = device_matrix(hl, M, LC);
  const vec_t w = to_device(tensor<float, shape_of<dyn>, cpu>(nullptr, hw.data(), {LC}, {1}));
  const vec_t b = to_device(tensor<float, shape_of<dyn>, cpu>(nullptr, hb.data(), {LC}, {1}));

  mat_t out = mat_t::uninitialized({M, C});
  out.fill_(std::numeric_limits<float>::quiet_NaN());
  out.assign(softmax(s));
  bool ok = check_rows("softmax", out, hs, M, C, 0.0, [&](const float* x, double* y) {
    double m = x[0], sum = 0;
    for (index_t j = 0; j < C; ++j) m = std::max(m, static_cast<double>(x[j]));
    for (index_t j = 0; j < C; ++j) sum += std::exp(x[j] - m);
    for (index_t j = 0; j < C; ++j) y[j] = std::exp(x[j] - m) / sum;
  });
  mat_t lout = mat_t::uninitialized({M, LC});
  lout.fill_(std::numeric_limits<float>::quiet_NaN());
  lout.assign(layer_norm(l, w, b));
  auto ln_ref = [&](bool affine) {
    return [&, affine](const float* x, double* y) {
      double mean = 0, var = 0;
      for (index_t j = 0; j < LC; ++j) mean += x[j];
      mean /= LC;
      for (index_t j = 0; j < LC; ++j) var += (x[j] - mean) * (x[j] - mean);
      const double rstd = 1 / std::sqrt(var / LC + 1e-5);
      for (index_t j = 0; j < LC; ++j) {
        y[j] = (x[j] - mean) * rstd;
        if (affine) y[j] = y[j] * hw[static_cast<std::size_t>(j)] + hb[static_cast<std::size_t>(j)];
      }
    };
  };
  ok = check_rows("layernorm", lout, hl, M, LC, 1e-5, ln_ref(true)) && ok;
  lout.fill_(std::numeric_limits<float>::quiet_NaN());
  lout.assign(layer_norm(l));
  ok = check_rows("layernorm (no affine)", lout, hl, M, LC, 1e-5, ln_ref(false)) && ok;
  if (!ok) return false;

  const double sbytes = 2.0 * 4 * M * C, lbytes = 2.0 * 4 * M * LC;
  const double softmax_ms = median_ms([&] { mat_t z = softmax(s); });
  row("softmax_8192x8192", softmax_ms, sbytes);
  const double ln_ms = median_ms([&] { mat_t z = layer_norm(l, w, b); });
  row("layernorm_8192x4096", ln_ms, lbytes);
  // For the notes (stderr): without weight and bias, and into existing memory.
  const double ln_plain_ms = median_ms([&] { mat_t z = layer_norm(l); });
  const double softmax_into_ms = median_ms([&] { out.assign(softmax(s)); });
  const double copy_bw = 2.0 * 4 * static_cast<double>(n) / copy_ms;
  // The row kernels' tuning (bytes of its row each thread keeps in registers):
  // each variant checked against the default's result, then timed into `out`.
  const auto h_soft = to_host(out.assign(softmax(s)));
  const auto soft = softmax(s);
  const auto ln = layer_norm(l, w, b);
  lout.assign(ln);
  const auto h_ln = to_host(lout);
  auto same = [](const auto& a, const auto& b2) {
    index_t off = 0;
    for (index_t i = 0; i < a.numel(); ++i) {
      const double x = a.data()[i], y = b2.data()[i];
      if (!(std::fabs(x - y) <= 1e-6 * std::fabs(x) + 1e-7)) ++off;
    }
    return off;
  };
  auto sweep = [&]<int Bytes>() {
    using tuning = cuda_backend::row_tuning<Bytes>;
    out.fill_(std::numeric_limits<float>::quiet_NaN());
    cuda_backend::softmax_impl::run<false, 1, tuning>(out.strided(), soft.arg());
    const index_t soft_off = same(h_soft, to_host(out));
    const double sm = median_ms([&] { cuda_backend::softmax_impl::run<false, 1, tuning>(out.strided(), soft.arg()); });
    lout.fill_(std::numeric_limits<float>::quiet_NaN());
    cuda_backend::layer_norm_impl::run<1, tuning>(lout.strided(), ln);
    const index_t ln_off = same(h_ln, to_host(lout));
    const double lm = median_ms([&] { cuda_backend::layer_norm_impl::run<1, tuning>(lout.strided(), ln); });
    std::fprintf(stderr,
                 "tuning %3d bytes/thread: softmax %.4f ms %.1f%% of copy (%lld off), layernorm %.4f ms %.1f%% of copy "
                 "(%lld off)\n",
                 Bytes, sm, 100 * (sbytes / sm) / copy_bw, static_cast<long long>(soft_off), lm,
                 100 * (lbytes / lm) / copy_bw, static_cast<long long>(ln_off));
  };
  sweep.template operator()<32>();
  sweep.template operator()<64>();
  sweep.template operator()<128>();
  sweep.template operator()<256>();
  std::fprintf(stderr,
               "bandwidth vs copy_2^26: softmax %.1f%% (into existing memory %.1f%%), layernorm %.1f%% (without "
               "weight and bias %.1f%%)\n",
               100 * (sbytes / softmax_ms) / copy_bw, 100 * (sbytes / softmax_into_ms) / copy_bw,
               100 * (lbytes / ln_ms) / copy_bw, 100 * (lbytes / ln_plain_ms) / copy_bw);
  return true;
}

// ---- matrix products: gemm_{fp32,bf16}_4096, gemm_bias_gelu_{fp32,bf16}_4096 ----

void flops_row(const char* name, double ms, double flops) {
  std::printf("%s,ctrace,%.4f,0.0,%.2f\n", name, ms, flops / ms / 1e9);
  std::fflush(stdout);
}

const char* kernel_name(cuda_backend::gemm_kernel k) {
  switch (k) {
    case cuda_backend::gemm_kernel::simt: return "SIMT";
    case cuda_backend::gemm_kernel::tf32x3: return "3xTF32 mma.sync";
    case cuda_backend::gemm_kernel::tf32x3_wgmma: return "3xTF32 wgmma";
    case cuda_backend::gemm_kernel::mma: return "mma.sync";
    case cuda_backend::gemm_kernel::wgmma: return "wgmma";
    default: return "none";
  }
}

// `got` (n x n, poisoned with NaN before the product) against double dot
// products of the same inputs (ha, hw row-major, already rounded to the
// operand type) at 4096 random elements: within 2e-5 of sum |a * w| plus, for
// 16-bit outputs, the roundings of the product, of the sum with the bias and
// of the GELU (`rounding` each, relative); and no element left unwritten.
template <class T>
bool check_gemm(const char* name, const tensor<T, shape_of<dyn, dyn>, cuda>& got, const std::vector<float>& ha,
                const std::vector<float>& hw, const std::vector<float>* bias, index_t n, double rounding) {
  const auto h = to_host(got);
  index_t unwritten = 0;
  for (index_t i = 0; i < n * n; ++i) unwritten += std::isnan(static_cast<float>(h.data()[i])) ? 1 : 0;
  std::mt19937 rng(7);
  std::uniform_int_distribution<index_t> pick(0, n - 1);
  index_t bad = 0;
  double worst = 0;
  for (int s = 0; s < 4096; ++s) {
    const index_t i = pick(rng), j = pick(rng);
    double dot = 0, magnitude = 0;
    for (index_t k = 0; k < n; ++k) {
      const double p = static_cast<double>(ha[static_cast<std::size_t>(i * n + k)]) * hw[static_cast<std::size_t>(k * n + j)];
      dot += p;
      magnitude += std::fabs(p);
    }
    double expected = dot, bound = 2e-5 * magnitude + 1e-6;
    if (bias) {
      const double v = dot + (*bias)[static_cast<std::size_t>(j)];
      expected = 0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
      bound = 1.2 * (bound + (std::fabs(dot) + std::fabs(v)) * rounding) + std::fabs(expected) * rounding + 1e-3 * (rounding > 0);
    } else {
      bound += std::fabs(expected) * rounding;
    }
    const double err = std::fabs(static_cast<double>(static_cast<float>(h.data()[i * n + j])) - expected);
    if (!(err <= bound)) ++bad;
    worst = std::max(worst, err / bound);
  }
  std::fprintf(stderr, "check %-24s %lld of 4096 sampled elements off (worst error %.2f of its bound), %lld unwritten, kernel %s\n",
               name, static_cast<long long>(bad), worst, static_cast<long long>(unwritten),
               kernel_name(cuda_backend::last_gemm_kernel()));
  return bad == 0 && unwritten == 0;
}

// The four product rows; false if a result is wrong.
bool gemm_workloads() {
  constexpr index_t N = 4096;
  const double flops = 2.0 * N * N * N;
  std::mt19937 rng(20261124);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> ha(static_cast<std::size_t>(N * N)), hw(static_cast<std::size_t>(N * N)), hb(static_cast<std::size_t>(N));
  for (auto* v : {&ha, &hw, &hb}) {
    for (auto& e : *v) e = normal(rng);
  }
  bool ok = true;
  {
    const mat_t a = device_matrix(ha, N, N), w = device_matrix(hw, N, N);
    const vec_t bias = to_device(tensor<float, shape_of<dyn>, cpu>(nullptr, hb.data(), {N}, {1}));
    mat_t out = mat_t::uninitialized({N, N});
    out.fill_(std::numeric_limits<float>::quiet_NaN());
    out.assign(matmul(a, w));
    ok = check_gemm("gemm_fp32", out, ha, hw, nullptr, N, 0.0) && ok;
    out.fill_(std::numeric_limits<float>::quiet_NaN());
    out.assign(gelu_tanh(matmul(a, w) + bias));
    ok = check_gemm("gemm_bias_gelu_fp32", out, ha, hw, &hb, N, 0.0) && ok;
    if (ok) {
      flops_row("gemm_fp32_4096", median_ms([&] { mat_t z = matmul(a, w); }), flops);
      flops_row("gemm_bias_gelu_fp32_4096", median_ms([&] { mat_t z = gelu_tanh(matmul(a, w) + bias); }), flops);
      // The same two on the SIMT kernel (FFMA), for the record.
      cuda_backend::gemm_options().f32_tensor_cores = false;
      out.fill_(std::numeric_limits<float>::quiet_NaN());
      out.assign(matmul(a, w));
      if (check_gemm("gemm_fp32 (SIMT)", out, ha, hw, nullptr, N, 0.0)) {
        flops_row("gemm_fp32_4096_simt", median_ms([&] { mat_t z = matmul(a, w); }), flops);
        flops_row("gemm_bias_gelu_fp32_4096_simt", median_ms([&] { mat_t z = gelu_tanh(matmul(a, w) + bias); }), flops);
      }
      cuda_backend::gemm_options().f32_tensor_cores = true;
    }
  }
  {
    using half_mat = tensor<bf16, shape_of<dyn, dyn>, cuda>;
    using half_vec = tensor<bf16, shape_of<dyn>, cuda>;
    auto to_bf16 = [](const std::vector<float>& v, std::vector<float>& rounded) {
      std::vector<bf16> h(v.size());
      rounded.resize(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) {
        h[i] = bf16(v[i]);
        rounded[i] = static_cast<float>(h[i]);
      }
      return h;
    };
    std::vector<float> ra, rw, rb;
    auto a16 = to_bf16(ha, ra), w16 = to_bf16(hw, rw), b16 = to_bf16(hb, rb);
    const half_mat a = to_device(tensor<bf16, shape_of<dyn, dyn>, cpu>(nullptr, a16.data(), {N, N}, {N, 1}));
    const half_mat w = to_device(tensor<bf16, shape_of<dyn, dyn>, cpu>(nullptr, w16.data(), {N, N}, {N, 1}));
    const half_vec bias = to_device(tensor<bf16, shape_of<dyn>, cpu>(nullptr, b16.data(), {N}, {1}));
    half_mat out = half_mat::uninitialized({N, N});
    out.fill_(bf16(std::numeric_limits<float>::quiet_NaN()));
    out.assign(matmul(a, w));
    bool half_ok = check_gemm("gemm_bf16", out, ra, rw, nullptr, N, 1.0 / 256);
    out.fill_(bf16(std::numeric_limits<float>::quiet_NaN()));
    out.assign(gelu_tanh(matmul(a, w) + bias));
    half_ok = check_gemm("gemm_bias_gelu_bf16", out, ra, rw, &rb, N, 1.0 / 256) && half_ok;
    if (half_ok) {
      flops_row("gemm_bf16_4096", median_ms([&] { half_mat z = matmul(a, w); }), flops);
      flops_row("gemm_bias_gelu_bf16_4096", median_ms([&] { half_mat z = gelu_tanh(matmul(a, w) + bias); }), flops);
    }
    ok = ok && half_ok;
  }
  return ok;
}

// ---- mlp_train_step_fp32 -------------------------------------------------------------

// gpu_peers.py's mlp_step: the gradients for w1 and w2 of
// mean((relu(x w1) w2 - t)^2), x and t [8192, 1024], w1 [1024, 4096], w2
// [4096, 1024] (normal; the weights times 0.02), one captured graph
// (grad<2, 3> of the traced loss: forward, loss and both gradients). TFLOP/s
// as gpu_peers.py counts them (3 x 2 x 2 x B x D x H). Checked: the gradients
// with the products on the tensor cores (3xTF32) against the same graph with
// them on the SIMT kernel (FFMA), whose products gpu_bench gemm and the tests
// check against double references. false if they differ.
bool mlp_workload() {
  constexpr index_t B = 8192, D = 1024, H = 4096;
  const auto loss = [](auto x, auto t, auto w1, auto w2) {
    auto d = matmul(relu(matmul(x, w1)), w2) - t;
    return mean(d * d);
  };
  auto step = grad<2, 3>(trace(loss, spec_on<cuda, float, dyn, dyn>{}, spec_on<cuda, float, dyn, dyn>{},
                               spec_on<cuda, float, dyn, dyn>{}, spec_on<cuda, float, dyn, dyn>{}));
  std::mt19937 rng(20261122);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto random_matrix = [&](index_t rows, index_t cols, float scale) {
    std::vector<float> h(static_cast<std::size_t>(rows * cols));
    for (auto& e : h) e = normal(rng) * scale;
    return device_matrix(h, rows, cols);
  };
  const mat_t x = random_matrix(B, D, 1.0f), t = random_matrix(B, D, 1.0f);
  const mat_t w1 = random_matrix(D, H, 0.02f), w2 = random_matrix(H, D, 0.02f);

  auto [g1, g2] = step(x, t, w1, w2);
  cuda_backend::gemm_options().f32_tensor_cores = false;
  auto [s1, s2] = step(x, t, w1, w2);
  cuda_backend::gemm_options().f32_tensor_cores = true;
  // Largest and root-mean-square difference, relative to the largest and the
  // root-mean-square element of the SIMT gradient.
  auto differences = [](const mat_t& got, const mat_t& expected) {
    const auto hg = to_host(got), he = to_host(expected);
    double scale = 0, worst = 0, sum_e = 0, sum_d = 0;
    for (index_t i = 0; i < he.numel(); ++i) {
      const double e = he.data()[i], d = std::fabs(static_cast<double>(hg.data()[i]) - e);
      scale = std::max(scale, std::fabs(e));
      worst = std::max(worst, std::isnan(d) ? INFINITY : d);
      sum_e += e * e;
      sum_d += d * d;
    }
    return std::pair<double, double>{worst / scale, std::sqrt(sum_d / sum_e)};
  };
  const auto [w1_max, w1_rms] = differences(g1, s1);
  const auto [w2_max, w2_rms] = differences(g2, s2);
  std::fprintf(stderr, "check mlp_train_step: 3xTF32 vs SIMT gradients, largest / rms difference relative to the "
               "largest / rms element: w1 %.2g / %.2g, w2 %.2g / %.2g\n", w1_max, w1_rms, w2_max, w2_rms);
  // w1's gradient goes through relu'(x w1): where a pre-activation lies within
  // rounding of 0 the two kernels may disagree on its sign, and that column's
  // term differs, so w1 is held to its rms difference, w2 to every element.
  if (!(w1_rms < 1e-3 && w2_max < 1e-4)) return false;
  const double flops = 3.0 * 2 * 2 * B * D * H;
  {  // Where a step's time goes: the host queueing its kernels, or the device running them.
    synchronize();
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 10; ++i) auto r = step(x, t, w1, w2);
    const auto queued = std::chrono::steady_clock::now();
    synchronize();
    const auto done = std::chrono::steady_clock::now();
    std::fprintf(stderr, "mlp_train_step: the host queues a step in %.3f ms; 10 steps take %.3f ms per step\n",
                 std::chrono::duration<double, std::milli>(queued - start).count() / 10,
                 std::chrono::duration<double, std::milli>(done - start).count() / 10);
  }
  flops_row("mlp_train_step_fp32", median_ms([&] { auto r = step(x, t, w1, w2); }), flops);
  cuda_backend::gemm_options().f32_tensor_cores = false;
  flops_row("mlp_train_step_fp32_simt", median_ms([&] { auto r = step(x, t, w1, w2); }), flops);
  cuda_backend::gemm_options().f32_tensor_cores = true;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  cudaDeviceProp prop{};
  cuda_backend::check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  std::fprintf(stderr, "device: %s, %d multiprocessors, %.0f MB L2\n", prop.name, prop.multiProcessorCount,
               prop.l2CacheSize / 1e6);
  if (argc > 1 && std::string_view(argv[1]) == "gemm") {  // `gpu_bench gemm`: the matrix products alone
    std::printf("name,system,ms,GBps,TFLOPs\n");
    return gemm_workloads() ? 0 : 1;
  }
  if (argc > 1 && std::string_view(argv[1]) == "mlp") {  // `gpu_bench mlp`: the training step alone
    std::printf("name,system,ms,GBps,TFLOPs\n");
    return mlp_workload() ? 0 : 1;
  }

  std::mt19937 rng(20261122);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> hx(static_cast<std::size_t>(n)), hy(static_cast<std::size_t>(n));
  for (auto& v : hx) v = uniform(rng);
  for (auto& v : hy) v = uniform(rng);
  const vec_t x = to_device(tensor<float, shape_of<dyn>, cpu>(nullptr, hx.data(), {n}, {1}));
  const vec_t y = to_device(tensor<float, shape_of<dyn>, cpu>(nullptr, hy.data(), {n}, {1}));

  const auto simple = sigmoid(tanh(x * (x + y)));
  const auto& a = x;
  const auto& b = y;
  const auto ge = a * b / (a - 2 * b) + b;
  bool ok = check("copy", to_node(x), hx, hy, [](double u, double) { return u; });
  ok = check("simple", simple, hx, hy, [](double u, double v) { return 1 / (1 + std::exp(-std::tanh(u * (u + v)))); }) && ok;
  ok = check("ge", ge, hx, hy, [](double u, double v) { return u * v / (u - 2 * v) + v; }) && ok;
  if (!ok) {
    std::fprintf(stderr, "gpu_bench: results differ from the reference; not timing\n");
    return 1;
  }

  std::printf("name,system,ms,GBps,TFLOPs\n");
  const double bytes2 = 2.0 * 4 * static_cast<double>(n), bytes3 = 3.0 * 4 * static_cast<double>(n);
  const double copy_ms = median_ms([&] { vec_t z = x.clone(); });
  row("copy_2^26", copy_ms, bytes2);
  vec_t out = vec_t::uninitialized({n});
  row("copy_into_2^26", median_ms([&] { out.assign(x); }), bytes2);
  const double simple_ms = median_ms([&] { vec_t z = simple; });
  row("simple_2^26", simple_ms, bytes3);
  const double ge_ms = median_ms([&] { vec_t z = ge; });
  row("ge_2^26", ge_ms, bytes3);
  synchronize();

  const double copy_bw = bytes2 / copy_ms;
  std::fprintf(stderr, "bandwidth vs copy_2^26: simple %.1f%%, ge %.1f%%\n", 100 * (bytes3 / simple_ms) / copy_bw,
               100 * (bytes3 / ge_ms) / copy_bw);
  if (!row_workloads(copy_ms)) {
    std::fprintf(stderr, "gpu_bench: row workloads differ from the reference\n");
    return 1;
  }
  if (!gemm_workloads()) {
    std::fprintf(stderr, "gpu_bench: matrix products differ from the reference\n");
    return 1;
  }
  if (!mlp_workload()) {
    std::fprintf(stderr, "gpu_bench: the training step's gradients differ between the kernels\n");
    return 1;
  }
  std::fprintf(stderr, "memory: %zu cudaMalloc calls in all\n", cuda_memory().cuda_mallocs);
  return 0;
}
