// Autodiff (issue 4): one training step of a 2-layer ReLU MLP on the CPU,
// batch 256, 256 -> 1024 -> 256, MSE loss, gradients of both weights:
//   h = relu(x w1); out = h w2; loss = mean((out - y)^2)
//   d_out = 2 (out - y) / n;  dw2 = h^T d_out;  dh = d_out w2^T;
//   dw1 = x^T (dh * [x w1 > 0])
//   - mlp_step_ctrace: value_and_grad<2, 3> of the traced step (a captured
//     graph call: forward, loss and both gradients, fused where elementwise).
//   - mlp_step_eigen/<threads>: the same step hand-written with Eigen
//     matrices (row-major float, elementwise parts as Eigen array
//     expressions), its products through Eigen's GEMM on 1 thread and on 2
//     (Eigen parallelizes its GEMM with OpenMP: this program is built with
//     it). ctrace splits its products over its own pool of both cores, so
//     its runs set Eigen to 1 thread (no OpenMP team inside each tile).
// Counters: GFLOP/s over the 5 matrix products (5 * 2 * 256 * 256 * 1024
// flops); for ctrace, peak_temp_MB: the most host memory a step holds beyond
// its inputs (host_memory_stats: every tensor allocation), results included
// (the loss and both gradients, 2 MiB). The hand-written Eigen step holds
// pre, h, d_out, dw2, dh and dw1 at its peak: 5.25 MiB, plus Eigen's GEMM
// packing buffers (not counted by either).
#include <benchmark/benchmark.h>

#include <malloc.h>

#include <Eigen/Core>

#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>

namespace {

using namespace ctrace;

constexpr int batch = 256, in_dim = 256, hidden = 1024, out_dim = 256;
constexpr double step_flops = 5.0 * 2.0 * batch * in_dim * hidden;

template <class T, class S>
void fill(tensor<T, S, cpu>& t, unsigned seed) {
  unsigned s = seed;
  for (index_t k = 0; k < t.numel(); ++k) {
    s = s * 1664525u + 1013904223u;
    t.data()[k] = static_cast<T>((static_cast<double>(s >> 8) / 16777216.0 - 0.5) * 0.1);
  }
}

const auto mlp_loss = [](auto x, auto y, auto w1, auto w2) {
  auto out = matmul(relu(matmul(x, w1)), w2);
  auto d = out - y;
  return mean(d * d);
};

void mlp_step_ctrace(benchmark::State& state) {
  Tensor<float, batch, in_dim> x;
  Tensor<float, batch, out_dim> y;
  Tensor<float, in_dim, hidden> w1;
  Tensor<float, hidden, out_dim> w2;
  fill(x, 1);
  fill(y, 2);
  fill(w1, 3);
  fill(w2, 4);
  auto g = trace(mlp_loss, spec<float, batch, in_dim>{}, spec<float, batch, out_dim>{}, spec<float, in_dim, hidden>{},
                 spec<float, hidden, out_dim>{});
  auto step = value_and_grad<2, 3>(g);
  Eigen::setNbThreads(1);
  {
    const std::int64_t before = host_memory_stats().live_bytes;
    reset_peak_host_memory();
    auto r = step(x, y, w1, w2);
    benchmark::DoNotOptimize(r);
    state.counters["peak_temp_MB"] = static_cast<double>(host_memory_stats().peak_bytes - before) / (1 << 20);
  }
  for (auto _ : state) {
    auto [loss, grads] = step(x, y, w1, w2);
    benchmark::DoNotOptimize(loss.data());
    benchmark::DoNotOptimize(std::get<0>(grads).data());
    benchmark::DoNotOptimize(std::get<1>(grads).data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(step_flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(mlp_step_ctrace)->Unit(benchmark::kMicrosecond)->UseRealTime();

void mlp_step_eigen(benchmark::State& state) {
  using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Tensor<float, batch, in_dim> xt;
  Tensor<float, batch, out_dim> yt;
  Tensor<float, in_dim, hidden> w1t;
  Tensor<float, hidden, out_dim> w2t;
  fill(xt, 1);
  fill(yt, 2);
  fill(w1t, 3);
  fill(w2t, 4);
  Eigen::Map<const Mat> x(xt.data(), batch, in_dim), y(yt.data(), batch, out_dim), w1(w1t.data(), in_dim, hidden),
      w2(w2t.data(), hidden, out_dim);
  const float n = static_cast<float>(batch * out_dim);
  Eigen::setNbThreads(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    Mat pre = x * w1;
    Mat h = pre.cwiseMax(0.0f);
    Mat d_out = h * w2;
    d_out -= y;
    const float loss = d_out.squaredNorm() / n;
    d_out *= 2.0f / n;
    Mat dw2 = h.transpose() * d_out;
    Mat dh = d_out * w2.transpose();
    dh = (pre.array() > 0.0f).select(dh, 0.0f);
    Mat dw1 = x.transpose() * dh;
    benchmark::DoNotOptimize(loss);
    benchmark::DoNotOptimize(dw1.data());
    benchmark::DoNotOptimize(dw2.data());
  }
  state.counters["GFLOPs"] = benchmark::Counter(step_flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(mlp_step_eigen)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

// Both steps allocate their temporaries each iteration (1 MiB matrices). With
// glibc's defaults such blocks may be mmapped and unmapped every time, and
// which benchmark gets a warm heap then depends on the order they run in; the
// heap is set to serve them for both, so the comparison is of the steps.
int main(int argc, char** argv) {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
