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
// Inputs are uniform in [0, 1) (torch.rand; the row workloads: normal, as
// torch.randn); every result is checked against a double-precision reference
// on the host before it is timed.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <ctrace/cuda.hpp>

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
  std::fprintf(stderr,
               "bandwidth vs copy_2^26: softmax %.1f%% (into existing memory %.1f%%), layernorm %.1f%% (without "
               "weight and bias %.1f%%)\n",
               100 * (sbytes / softmax_ms) / copy_bw, 100 * (sbytes / softmax_into_ms) / copy_bw,
               100 * (lbytes / ln_ms) / copy_bw, 100 * (lbytes / ln_plain_ms) / copy_bw);
  return true;
}

}  // namespace

int main() {
  cudaDeviceProp prop{};
  cuda_backend::check(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties");
  std::fprintf(stderr, "device: %s, %d multiprocessors, %.0f MB L2\n", prop.name, prop.multiProcessorCount,
               prop.l2CacheSize / 1e6);

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
  std::fprintf(stderr, "memory: %zu cudaMalloc calls in all\n", cuda_memory().cuda_mallocs);
  return 0;
}
