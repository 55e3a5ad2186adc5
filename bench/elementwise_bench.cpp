// Fused elementwise work on N = 2^24 floats, for the two workloads of the
// foundation issue: sigmoid(tanh(x*(x+y))) and a*b/(a-2*b)+b. Each is run
//   - through ctrace (one fused pass, both cores),
//   - eagerly: one pass per op into a fresh temporary (what PyTorch eager does),
//   - as the best hand-written Eigen: an Array expression (one core) and an
//     Eigen::Tensor expression on a ThreadPoolDevice (both cores),
// and memcpy gives the ceiling. Throughput counts each input read once and
// the output written once (3 * 4 * N bytes), as reported in RESULTS.md.
#include <benchmark/benchmark.h>

#define EIGEN_USE_THREADS
#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include <cstring>

#include <ctrace/ctrace.hpp>

namespace {

using namespace ctrace;
constexpr index_t n = index_t{1} << 24;
constexpr double traffic_bytes = 3.0 * sizeof(float) * n;  // two inputs read, one output written

struct inputs {
  Tensor<float, dyn> x, y, z;
  inputs() : x(rand<float, dyn>({n}, gen())), y(rand<float, dyn>({n}, gen())), z(n) {}
  static generator& gen() {
    static generator g(1234);
    return g;
  }
};
inputs& data() {
  static inputs d;
  return d;
}

void report(benchmark::State& state, double bytes) {
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
  state.counters["GB/s"] = benchmark::Counter(bytes * static_cast<double>(state.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}

// ---- sigmoid(tanh(x * (x + y))) ------------------------------------------------
void simple_ctrace(benchmark::State& state) {
  auto& d = data();
  for (auto _ : state) {
    d.z.assign(sigmoid(tanh(d.x * (d.x + d.y))));
    benchmark::ClobberMemory();
  }
  report(state, traffic_bytes);
}
void simple_eager(benchmark::State& state) {
  auto& d = data();
  for (auto _ : state) {
    Tensor<float, dyn> t1 = d.x + d.y;
    Tensor<float, dyn> t2 = d.x * t1;
    Tensor<float, dyn> t3 = tanh(t2);
    Tensor<float, dyn> out = sigmoid(t3);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, traffic_bytes);
}
void simple_eigen_array(benchmark::State& state) {
  auto& d = data();
  Eigen::Map<Eigen::ArrayXf> x(d.x.data(), n), y(d.y.data(), n), z(d.z.data(), n);
  for (auto _ : state) {
    z = (x * (x + y)).tanh().logistic();
    benchmark::ClobberMemory();
  }
  report(state, traffic_bytes);
}
Eigen::ThreadPoolDevice& eigen_device() {
  static Eigen::ThreadPool pool(cpu_backend::num_threads());
  static Eigen::ThreadPoolDevice device(&pool, cpu_backend::num_threads());
  return device;
}
void simple_eigen_tensor(benchmark::State& state) {
  auto& d = data();
  Eigen::TensorMap<Eigen::Tensor<float, 1>> x(d.x.data(), n), y(d.y.data(), n), z(d.z.data(), n);
  for (auto _ : state) {
    z.device(eigen_device()) = (x * (x + y)).tanh().sigmoid();
    benchmark::ClobberMemory();
  }
  report(state, traffic_bytes);
}

// ---- a * b / (a - 2 * b) + b ----------------------------------------------------
void ge_ctrace(benchmark::State& state) {
  auto& d = data();
  for (auto _ : state) {
    d.z.assign(d.x * d.y / (d.x - 2 * d.y) + d.y);
    benchmark::ClobberMemory();
  }
  report(state, traffic_bytes);
}
void ge_eager(benchmark::State& state) {
  auto& d = data();
  for (auto _ : state) {
    Tensor<float, dyn> t1 = d.x * d.y;
    Tensor<float, dyn> t2 = 2 * d.y;
    Tensor<float, dyn> t3 = d.x - t2;
    Tensor<float, dyn> t4 = t1 / t3;
    Tensor<float, dyn> out = t4 + d.y;
    benchmark::DoNotOptimize(out.data());
  }
  report(state, traffic_bytes);
}
void ge_eigen_array(benchmark::State& state) {
  auto& d = data();
  Eigen::Map<Eigen::ArrayXf> a(d.x.data(), n), b(d.y.data(), n), z(d.z.data(), n);
  for (auto _ : state) {
    z = a * b / (a - 2 * b) + b;
    benchmark::ClobberMemory();
  }
  report(state, traffic_bytes);
}
void ge_eigen_tensor(benchmark::State& state) {
  auto& d = data();
  Eigen::TensorMap<Eigen::Tensor<float, 1>> a(d.x.data(), n), b(d.y.data(), n), z(d.z.data(), n);
  for (auto _ : state) {
    z.device(eigen_device()) = a * b / (a - b * 2.0f) + b;
    benchmark::ClobberMemory();
  }
  report(state, traffic_bytes);
}

// ---- the ceiling: copying memory ---------------------------------------------------
// The same 12 bytes per element moved (6 read, 6 written), on one core and on all.
void memcpy_one_core(benchmark::State& state) {
  auto& d = data();
  static std::vector<float> src(static_cast<std::size_t>(n * 3 / 2)), dst(src.size());
  std::memcpy(dst.data(), src.data(), src.size() * sizeof(float));
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size() * sizeof(float));
    benchmark::ClobberMemory();
  }
  (void)d;
  report(state, traffic_bytes);
}
void memcpy_all_cores(benchmark::State& state) {
  static std::vector<float> src(static_cast<std::size_t>(n * 3 / 2)), dst(src.size());
  const index_t count = static_cast<index_t>(src.size());
  std::memcpy(dst.data(), src.data(), src.size() * sizeof(float));
  for (auto _ : state) {
    cpu_backend::parallel_for(count, 1 << 16, [&](index_t b, index_t e) {
      std::memcpy(dst.data() + b, src.data() + b, static_cast<std::size_t>(e - b) * sizeof(float));
    });
    benchmark::ClobberMemory();
  }
  report(state, traffic_bytes);
}

}  // namespace

BENCHMARK(simple_ctrace)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(simple_eager)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(simple_eigen_array)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(simple_eigen_tensor)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ge_ctrace)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ge_eager)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ge_eigen_array)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ge_eigen_tensor)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(memcpy_one_core)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(memcpy_all_cores)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
