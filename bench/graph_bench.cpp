// Graph capture (issue 3): what a captured graph costs per call beyond its
// kernels.
//   - guard_check/<d>: g.check(x, y) on tiny tensors, for graphs whose inputs
//     have d = 0, 1, 2, 4, 8 symbolic dims in total (f = x + y; the 0 case is
//     the all-static baseline: binding only, no guards). check() binds the
//     inputs and evaluates the guards without running anything. Counters:
//     sym_dims = d, per_dim = time per call / d (seconds, SI prefix).
//   - call_overhead_4x4_cpu_*: a whole call of sigmoid(tanh(x * (x + y))) on
//     4x4 float tensors, captured (static spec<float, 4, 4> and symbolic
//     spec<float, N, 4>) and eager (the same expression assigned to a tensor
//     without trace()). Each returns a fresh 4x4 tensor. Two floors:
//     eager_assign writes the expression into an existing 4x4 tensor (no
//     allocation), alloc_only allocates the result and computes nothing.
// Inputs are passed through benchmark::DoNotOptimize every iteration so the
// compiler cannot hoist their sizes (and hence the guards) out of the loop.
#include <benchmark/benchmark.h>

#include <ctrace/ctrace.hpp>

namespace {

using namespace ctrace;

constexpr auto N = sym<"N">;
constexpr auto M = sym<"M">;
constexpr auto K = sym<"K">;
constexpr auto L = sym<"L">;

generator& gen() {
  static generator g(1234);
  return g;
}

const auto add_fn = [](auto x, auto y) { return x + y; };
const auto simple_fn = [](auto x, auto y) { return sigmoid(tanh(x * (x + y))); };

void set_dim_counters(benchmark::State& state, int dims) {
  state.counters["sym_dims"] = dims;
  if (dims > 0) {
    // Inverted iteration-invariant rate: seconds per (iteration * dim),
    // printed with an SI prefix (e.g. 1.9ns).
    state.counters["per_dim"] =
        benchmark::Counter(dims, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  }
}

template <class G, class X, class Y>
void run_check(benchmark::State& state, const G& g, X& x, Y& y) {
  static_assert(G::guard_count >= 0);
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    benchmark::DoNotOptimize(y);
    g.check(x, y);
    benchmark::ClobberMemory();
  }
}

// ---- guard cost per call -------------------------------------------------------------

// 0 symbolic dims: spec<float, 2, 2> + spec<float, 2, 2>. Baseline (no guards).
void guard_check_0(benchmark::State& state) {
  auto g = trace(add_fn, spec<float, 2, 2>{}, spec<float, 2, 2>{});
  static_assert(decltype(g)::guard_count == 0);
  Tensor<float, 2, 2> x = rand<float, 2, 2>(gen()), y = rand<float, 2, 2>(gen());
  run_check(state, g, x, y);
  set_dim_counters(state, 0);
}

// 1: spec<float, N, 2> + spec<float, 2> (y broadcasts over rows). N binds.
void guard_check_1(benchmark::State& state) {
  auto g = trace(add_fn, spec<float, N, 2>{}, spec<float, 2>{});
  static_assert(decltype(g)::symbol_count == 1);
  Tensor<float, N, 2> x = rand<float, N, 2>({2, 2}, gen());
  Tensor<float, 2> y = rand<float, 2>(gen());
  run_check(state, g, x, y);
  set_dim_counters(state, 1);
}

// 2: spec<float, N, 2> + spec<float, N, 2>. N binds, y.size(0) == N.
void guard_check_2(benchmark::State& state) {
  auto g = trace(add_fn, spec<float, N, 2>{}, spec<float, N, 2>{});
  static_assert(decltype(g)::symbol_count == 1);
  Tensor<float, N, 2> x = rand<float, N, 2>({2, 2}, gen()), y = rand<float, N, 2>({2, 2}, gen());
  run_check(state, g, x, y);
  set_dim_counters(state, 2);
}

// 4: spec<float, N, M> + spec<float, N, M>.
void guard_check_4(benchmark::State& state) {
  auto g = trace(add_fn, spec<float, N, M>{}, spec<float, N, M>{});
  static_assert(decltype(g)::symbol_count == 2);
  Tensor<float, N, M> x = rand<float, N, M>({2, 2}, gen()), y = rand<float, N, M>({2, 2}, gen());
  run_check(state, g, x, y);
  set_dim_counters(state, 4);
}

// 8: spec<float, N, M, K, L> + spec<float, N, M, K, L>.
void guard_check_8(benchmark::State& state) {
  auto g = trace(add_fn, spec<float, N, M, K, L>{}, spec<float, N, M, K, L>{});
  static_assert(decltype(g)::symbol_count == 4);
  Tensor<float, N, M, K, L> x = rand<float, N, M, K, L>({2, 2, 2, 2}, gen());
  Tensor<float, N, M, K, L> y = rand<float, N, M, K, L>({2, 2, 2, 2}, gen());
  run_check(state, g, x, y);
  set_dim_counters(state, 8);
}

// ---- a whole call on 4x4 ---------------------------------------------------------------

void call_overhead_4x4_cpu_captured_static(benchmark::State& state) {
  auto g = trace(simple_fn, spec<float, 4, 4>{}, spec<float, 4, 4>{});
  Tensor<float, 4, 4> x = rand<float, 4, 4>(gen()), y = rand<float, 4, 4>(gen());
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    benchmark::DoNotOptimize(y);
    Tensor<float, 4, 4> z = g(x, y);
    benchmark::DoNotOptimize(z.data());
    benchmark::ClobberMemory();
  }
}

void call_overhead_4x4_cpu_captured_symbolic(benchmark::State& state) {
  auto g = trace(simple_fn, spec<float, N, 4>{}, spec<float, N, 4>{});
  Tensor<float, N, 4> x = rand<float, N, 4>({4, 4}, gen()), y = rand<float, N, 4>({4, 4}, gen());
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    benchmark::DoNotOptimize(y);
    Tensor<float, N, 4> z = g(x, y);
    benchmark::DoNotOptimize(z.data());
    benchmark::ClobberMemory();
  }
}

void call_overhead_4x4_cpu_eager_static(benchmark::State& state) {
  Tensor<float, 4, 4> x = rand<float, 4, 4>(gen()), y = rand<float, 4, 4>(gen());
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    benchmark::DoNotOptimize(y);
    Tensor<float, 4, 4> z = sigmoid(tanh(x * (x + y)));
    benchmark::DoNotOptimize(z.data());
    benchmark::ClobberMemory();
  }
}

void call_overhead_4x4_cpu_eager_symbolic(benchmark::State& state) {
  Tensor<float, N, 4> x = rand<float, N, 4>({4, 4}, gen()), y = rand<float, N, 4>({4, 4}, gen());
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    benchmark::DoNotOptimize(y);
    Tensor<float, N, 4> z = sigmoid(tanh(x * (x + y)));
    benchmark::DoNotOptimize(z.data());
    benchmark::ClobberMemory();
  }
}

// Eager into an existing tensor (assign): the expression's loop without the
// allocation of a result.
void call_overhead_4x4_cpu_eager_assign(benchmark::State& state) {
  Tensor<float, 4, 4> x = rand<float, 4, 4>(gen()), y = rand<float, 4, 4>(gen()), z;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x);
    benchmark::DoNotOptimize(y);
    z.assign(sigmoid(tanh(x * (x + y))));
    benchmark::DoNotOptimize(z.data());
    benchmark::ClobberMemory();
  }
}

// The floor under all four: allocating the 4x4 result, nothing computed.
void call_overhead_4x4_cpu_alloc_only(benchmark::State& state) {
  for (auto _ : state) {
    auto z = Tensor<float, 4, 4>::uninitialized({4, 4});
    benchmark::DoNotOptimize(z.data());
    benchmark::ClobberMemory();
  }
}

}  // namespace

BENCHMARK(guard_check_0);
BENCHMARK(guard_check_1);
BENCHMARK(guard_check_2);
BENCHMARK(guard_check_4);
BENCHMARK(guard_check_8);
BENCHMARK(call_overhead_4x4_cpu_captured_static);
BENCHMARK(call_overhead_4x4_cpu_captured_symbolic);
BENCHMARK(call_overhead_4x4_cpu_eager_static);
BENCHMARK(call_overhead_4x4_cpu_eager_symbolic);
BENCHMARK(call_overhead_4x4_cpu_eager_assign);
BENCHMARK(call_overhead_4x4_cpu_alloc_only);

BENCHMARK_MAIN();
