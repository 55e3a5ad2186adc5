// Sweep of the elementwise kernel's tuning on the three bandwidth workloads of
// gpu_bench (copy, simple, ge over 2^26 floats, written into existing memory):
// elements per thread per step, streaming (evict-first) accesses, threads per
// block, blocks per multiprocessor. Prints CSV rows
// variant,workload,ms,GBps (median of 20 after 5 warm-ups, CUDA events).
// It informs cuda_backend::default_tuning and launch_shape's defaults.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <ctrace/cuda.hpp>

using namespace ctrace;

namespace {

constexpr index_t n = index_t{1} << 26;
using vec_t = tensor<float, shape_of<dyn>, cuda>;

template <class F>
double median_ms(F&& f) {
  for (int i = 0; i < 5; ++i) f();
  synchronize();
  cudaEvent_t start, stop;
  cuda_backend::check(cudaEventCreate(&start), "cudaEventCreate");
  cuda_backend::check(cudaEventCreate(&stop), "cudaEventCreate");
  std::vector<float> times;
  for (int i = 0; i < 20; ++i) {
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

template <class Tuning>
void sweep(const char* tuning_name, const vec_t& x, const vec_t& y, vec_t& out) {
  const auto simple = sigmoid(tanh(x * (x + y)));
  const auto ge = x * y / (x - 2 * y) + y;
  const auto copy = to_node(x);
  for (int block : {128, 256, 512}) {
    for (int per_sm : {0, 4}) {
      const cuda_backend::launch_shape shape{block, per_sm};
      const std::string variant =
          std::string(tuning_name) + "/b" + std::to_string(block) + (per_sm ? "/sm" + std::to_string(per_sm) : "/occ");
      auto time = [&](const char* workload, const auto& node, double bytes) {
        const double ms = median_ms([&] { cuda_backend::run_elementwise<Tuning>(out.strided(), node, shape); });
        std::printf("%s,%s,%.4f,%.1f\n", variant.c_str(), workload, ms, bytes / ms / 1e6);
      };
      time("copy", copy, 8.0 * n);
      time("simple", simple, 12.0 * n);
      time("ge", ge, 12.0 * n);
    }
  }
  std::fflush(stdout);
}

}  // namespace

int main() {
  std::vector<float> h(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<float>((i * 2654435761u) % 1000003) / 1000003.0f;
  const vec_t x = to_device(tensor<float, shape_of<dyn>, cpu>(nullptr, h.data(), {n}, {1}));
  std::reverse(h.begin(), h.end());
  const vec_t y = to_device(tensor<float, shape_of<dyn>, cpu>(nullptr, h.data(), {n}, {1}));
  vec_t out = vec_t::uninitialized({n});
  std::printf("variant,workload,ms,GBps\n");
  using cuda_backend::elementwise_tuning;
  sweep<elementwise_tuning<8, false>>("e8", x, y, out);
  sweep<elementwise_tuning<16, false>>("e16", x, y, out);
  sweep<elementwise_tuning<32, false>>("e32", x, y, out);
  sweep<elementwise_tuning<8, true>>("e8cs", x, y, out);
  sweep<elementwise_tuning<16, true>>("e16cs", x, y, out);
  sweep<elementwise_tuning<32, true>>("e32cs", x, y, out);
  return 0;
}
