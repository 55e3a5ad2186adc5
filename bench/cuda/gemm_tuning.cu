// Tile-shape sweep of the GEMM kernels on 4096 x 4096 x 4096 products (inputs
// as gpu_bench: normal): 3xTF32 and SIMT f32 tiles, wgmma tile widths, and the mma.sync
// kernel for bf16. Each variant's result is compared with the default
// kernel's (gpu_bench checks that one against a double reference) before it is
// timed; times are medians of 20 calls after 5 warm-ups (CUDA events). Prints
// CSV: variant,ms,TFLOPs,max_relative_difference.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <ctrace/cuda.hpp>

using namespace ctrace;
namespace cb = ctrace::cuda_backend;

namespace {

constexpr index_t N = 4096;

template <class F>
double median_ms(F&& f, int warmup = 5, int iters = 20) {
  for (int i = 0; i < warmup; ++i) f();
  synchronize();
  cudaEvent_t start, stop;
  cb::check(cudaEventCreate(&start), "cudaEventCreate");
  cb::check(cudaEventCreate(&stop), "cudaEventCreate");
  std::vector<float> times;
  for (int i = 0; i < iters; ++i) {
    cb::check(cudaEventRecord(start, current_stream()), "cudaEventRecord");
    f();
    cb::check(cudaEventRecord(stop, current_stream()), "cudaEventRecord");
    cb::check(cudaEventSynchronize(stop), "cudaEventSynchronize");
    float ms = 0;
    cb::check(cudaEventElapsedTime(&ms, start, stop), "cudaEventElapsedTime");
    times.push_back(ms);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

template <class SimtTile, int WgmmaBN, class MmaTile = cb::mma_default_tile, class Tf32Tile = cb::tf32x3_default_tile>
struct config {
  template <class T>
  using simt = SimtTile;
  using tf32x3 = Tf32Tile;
  using mma = MmaTile;
  static constexpr int wgmma_bn = WgmmaBN;
};

template <class T>
std::vector<double> values(const tensor<T, shape_of<dyn, dyn>, cuda>& t) {
  const auto h = to_host(t);
  std::vector<double> v(static_cast<std::size_t>(h.numel()));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(static_cast<float>(h.data()[i]));
  return v;
}

double max_relative_difference(const std::vector<double>& x, const std::vector<double>& reference) {
  double scale = 0, worst = 0;
  for (double r : reference) scale = std::max(scale, std::fabs(r));
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = std::fabs(x[i] - reference[i]);
    worst = std::max(worst, std::isnan(d) ? INFINITY : d);
  }
  return worst / scale;
}

// Times the product a · b into `out` with Config's tiles.
template <class Config, class T, class Node>
void sweep_row(const char* variant, tensor<T, shape_of<dyn, dyn>, cuda>& out, const Node& product,
               const std::vector<double>& reference, double tolerance) {
  using P = typename std::remove_cvref_t<decltype(cb::find_matmul(product))>::value_type;
  auto run = [&] {
    if constexpr (cb::gemm_epilogue_tree<Node>) {
      cb::run_gemm<Config>(out.strided(), cb::find_matmul(product), cb::make_epilogue_tree<2>(product, out.sizes()));
    } else {
      cb::run_gemm<Config>(out.strided(), product, cb::product_ref<P, 2>{});
    }
  };
  out.fill_(T(std::numeric_limits<float>::quiet_NaN()));
  run();
  const double diff = max_relative_difference(values(out), reference);
  if (!(diff <= tolerance)) {
    std::printf("%s,failed,0,%.3g\n", variant, diff);
    return;
  }
  const double ms = median_ms(run);
  std::printf("%s,%.4f,%.2f,%.3g\n", variant, ms, 2.0 * N * N * N / ms / 1e9, diff);
  std::fflush(stdout);
}

}  // namespace

int main() {
  std::mt19937 rng(20261124);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> ha(static_cast<std::size_t>(N * N)), hw(static_cast<std::size_t>(N * N));
  for (auto* v : {&ha, &hw})
    for (auto& e : *v) e = normal(rng);
  using mat = tensor<float, shape_of<dyn, dyn>, cuda>;
  using half_mat = tensor<bf16, shape_of<dyn, dyn>, cuda>;
  const mat a = to_device(tensor<float, shape_of<dyn, dyn>, cpu>(nullptr, ha.data(), {N, N}, {N, 1}));
  const mat w = to_device(tensor<float, shape_of<dyn, dyn>, cpu>(nullptr, hw.data(), {N, N}, {N, 1}));
  auto to_bf16 = [](const std::vector<float>& v) {
    std::vector<bf16> h(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) h[i] = bf16(v[i]);
    return to_device(tensor<bf16, shape_of<dyn, dyn>, cpu>(nullptr, h.data(), {N, N}, {N, 1}));
  };
  const half_mat a16 = to_bf16(ha), w16 = to_bf16(hw);
  std::printf("variant,ms,TFLOPs,max_rel_diff\n");

  mat out = mat::uninitialized({N, N});
  out.assign(matmul(a, w));
  const std::vector<double> ref32 = values(out);
  const auto p32 = matmul(a, w);
  using simt = cb::simt_default_tile<float>;
  // tf32x3_tile<BM, BN, BK, warp m, warp n, stages, blocks per SM>
  sweep_row<config<simt, 256>>("tf32x3_wgmma_128x128x32_3stages (default)", out, p32, ref32, 1e-5);
  cb::gemm_options().allow_wgmma = false;  // the mma.sync kernel's tiles
  sweep_row<config<simt, 256, cb::mma_default_tile, cb::tf32x3_tile<128, 128, 32, 64, 32, 2>>>(
      "tf32x3_mma_128x128x32_2stages", out, p32, ref32, 1e-5);
  sweep_row<config<simt, 256, cb::mma_default_tile, cb::tf32x3_tile<128, 128, 16, 64, 32, 4>>>(
      "tf32x3_mma_128x128x16_4stages", out, p32, ref32, 1e-5);
  sweep_row<config<simt, 256, cb::mma_default_tile, cb::tf32x3_tile<128, 128, 16, 64, 32, 3>>>(
      "tf32x3_mma_128x128x16_3stages", out, p32, ref32, 1e-5);
  sweep_row<config<simt, 256, cb::mma_default_tile, cb::tf32x3_tile<128, 128, 32, 32, 64, 2>>>(
      "tf32x3_mma_128x128x32_2stages_warps32x64 (default without wgmma)", out, p32, ref32, 1e-5);
  sweep_row<config<simt, 256, cb::mma_default_tile, cb::tf32x3_tile<128, 256, 16, 64, 64, 3>>>(
      "tf32x3_mma_128x256x16_3stages", out, p32, ref32, 1e-5);
  sweep_row<config<simt, 256, cb::mma_default_tile, cb::tf32x3_tile<256, 128, 16, 64, 64, 3>>>(
      "tf32x3_mma_256x128x16_3stages", out, p32, ref32, 1e-5);
  cb::gemm_options().allow_wgmma = true;
  cb::gemm_options().f32_tensor_cores = false;
  // simt_tile<warps m, warps n, 4x4 chunks m, chunks n, BK, blocks per SM, lanes m>
  sweep_row<config<cb::simt_tile<2, 4, 2, 2, 8, 2, 8>, 256>>("simt_128x128_bk8_lanes8x4 (default)", out, p32, ref32, 1e-5);
  sweep_row<config<cb::simt_tile<4, 2, 2, 2, 8, 2, 4>, 256>>("simt_128x128_bk8_lanes4x8", out, p32, ref32, 1e-5);
  sweep_row<config<cb::simt_tile<2, 4, 2, 2, 16, 1, 8>, 256>>("simt_128x128_bk16_1block", out, p32, ref32, 1e-5);
  sweep_row<config<cb::simt_tile<2, 4, 2, 4, 8, 1, 8>, 256>>("simt_128x256_bk8_8x16", out, p32, ref32, 1e-5);
  sweep_row<config<cb::simt_tile<2, 4, 4, 2, 8, 1, 8>, 256>>("simt_256x128_bk8_16x8", out, p32, ref32, 1e-5);
  sweep_row<config<cb::simt_tile<4, 2, 2, 4, 8, 1, 4>, 256>>("simt_128x256_bk8_8x16_lanes4x8", out, p32, ref32, 1e-5);
  cb::gemm_options().f32_tensor_cores = true;

  half_mat out16 = half_mat::uninitialized({N, N});
  out16.assign(matmul(a16, w16));
  const std::vector<double> ref16 = values(out16);
  const auto p16 = matmul(a16, w16);
  sweep_row<config<simt, 256>>("wgmma_128x256 (default)", out16, p16, ref16, 1e-2);
  sweep_row<config<simt, 128>>("wgmma_128x128", out16, p16, ref16, 1e-2);
  cb::gemm_options().allow_wgmma = false;
  sweep_row<config<simt, 256>>("mma_128x128x32_4stages", out16, p16, ref16, 1e-2);
  sweep_row<config<simt, 256, cb::mma_tile<128, 256, 32, 64, 64, 3>>>("mma_128x256x32_3stages", out16, p16, ref16, 1e-2);
  cb::gemm_options().allow_wgmma = true;
  return 0;
}
