// Fused elementwise kernels: an expression of unary, binary, cast and where
// nodes over device tensors is evaluated by one kernel, with broadcasting,
// strided views, every dtype, and results that agree with the CPU backend.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cpu_reference.hpp"
#include "cuda_test_util.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {
constexpr auto N = sym<"N">;
constexpr auto M = sym<"M">;
using matrix = shape_of<N, M>;
using vector_shape = shape_of<N>;

double sigmoid_ref(double v) { return 1 / (1 + std::exp(-v)); }

// The CUDA graph nodes that running `f` queues on the current stream, taken
// by capturing the stream (nothing runs): {kernel nodes, all nodes}.
template <class F>
std::pair<std::size_t, std::size_t> captured_nodes(F&& f) {
  const cudaStream_t stream = current_stream();
  REQUIRE(cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed) == cudaSuccess);
  f();
  cudaGraph_t graph = nullptr;
  REQUIRE(cudaStreamEndCapture(stream, &graph) == cudaSuccess);
  std::size_t count = 0;
  REQUIRE(cudaGraphGetNodes(graph, nullptr, &count) == cudaSuccess);
  std::vector<cudaGraphNode_t> nodes(count);
  REQUIRE(cudaGraphGetNodes(graph, nodes.data(), &count) == cudaSuccess);
  std::size_t kernels = 0;
  for (cudaGraphNode_t node : nodes) {
    cudaGraphNodeType type{};
    REQUIRE(cudaGraphNodeGetType(node, &type) == cudaSuccess);
    kernels += type == cudaGraphNodeTypeKernel;
  }
  REQUIRE(cudaGraphDestroy(graph) == cudaSuccess);
  return {kernels, count};
}
}  // namespace

TEST_CASE("sigmoid(tanh(x * (x + y))) on the device: one kernel, the right values") {
  const auto hx = random_host<float, matrix>({37, 129}), hy = random_host<float, matrix>({37, 129});
  const auto x = to_device(hx), y = to_device(hy);
  const tensor<float, matrix, cuda> r = sigmoid(tanh(x * (x + y)));
  auto z = tensor<float, matrix, cuda>::uninitialized({37, 129});
  const auto [kernels, nodes] = captured_nodes([&] { z.assign(sigmoid(tanh(x * (x + y)))); });
  CHECK(kernels == 1);
  CHECK(nodes == 1);
  check_close(r, expected_from(37 * 129, [&](std::size_t k) {
                const double a = at_index(hx, k), b = at_index(hy, k);
                return sigmoid_ref(std::tanh(a * (a + b)));
              }),
              1e-6);
}

TEST_CASE("a*b/(a-2*b)+b: one kernel over broadcast and strided operands too") {
  const auto ha = random_host<float, matrix>({64, 48}, 1.0, 2.0);
  const auto hb = random_host<float, vector_shape>({48}, -1.0, 0.4);  // a - 2b >= 0.2
  const auto a = to_device(ha);
  const auto b = to_device(hb);
  auto z = tensor<float, matrix, cuda>::uninitialized({64, 48});
  z.assign(a * b / (a - 2 * b) + b);
  const auto [kernels, nodes] = captured_nodes([&] { z.assign(a * b / (a - 2 * b) + b); });
  CHECK(kernels == 1);
  CHECK(nodes == 1);
  check_close(z, expected_from(64 * 48, [&](std::size_t k) {
                const double va = at_index(ha, k), vb = at_index(hb, k % 48);
                return va * vb / (va - 2 * vb) + vb;
              }),
              1e-5);
  // Through a transposed view: still one kernel (the strided one).
  const auto at = a.transpose();
  auto zt = tensor<float, shape_of<M, N>, cuda>::uninitialized({48, 64});
  const auto bt = b.unsqueeze<1>();  // [48, 1]
  zt.assign(at * bt / (at - 2 * bt) + bt);
  CHECK(captured_nodes([&] { zt.assign(at * bt / (at - 2 * bt) + bt); }).first == 1);
  check_close(zt, expected_from(48 * 64, [&](std::size_t k) {
                const std::size_t i = k / 64, j = k % 64;
                const double va = at_index(ha, j * 48 + i), vb = at_index(hb, i);
                return va * vb / (va - 2 * vb) + vb;
              }),
              1e-5);
}

TEST_CASE("evaluation into a new tensor allocates only the result") {
  const auto x = to_device(random_host<float, matrix>({100, 100}));
  { tensor<float, matrix, cuda> warm = exp(x) * x - 1; }
  const std::size_t in_use = cuda_memory().bytes_in_use;
  const std::size_t mallocs = cuda_memory().cuda_mallocs;
  const tensor<float, matrix, cuda> r = exp(x) * x - 1;
  CHECK(cuda_memory().bytes_in_use - in_use == cuda_backend::caching_allocator::size_class(100 * 100 * sizeof(float)));
  CHECK(cuda_memory().cuda_mallocs == mallocs);
}

TEST_CASE("unary functions match double-precision references") {
  const auto h = random_host<float, matrix>({33, 65}, -5.0, 5.0);
  const auto hp = random_host<float, matrix>({33, 65}, 0.1, 5.0);
  const auto x = to_device(h), p = to_device(hp);
  const std::size_t n = 33 * 65;
  auto ref = [&](auto f, const auto& host) { return expected_from(n, [&](std::size_t k) { return f(at_index(host, k)); }); };
  const double tol = 2e-6;
  check_close(tensor<float, matrix, cuda>(-x), ref([](double v) { return -v; }, h), 0.0);
  check_close(tensor<float, matrix, cuda>(abs(x)), ref([](double v) { return std::fabs(v); }, h), 0.0);
  check_close(tensor<float, matrix, cuda>(exp(x)), ref([](double v) { return std::exp(v); }, h), tol);
  check_close(tensor<float, matrix, cuda>(expm1(x)), ref([](double v) { return std::expm1(v); }, h), tol);
  check_close(tensor<float, matrix, cuda>(log(p)), ref([](double v) { return std::log(v); }, hp), tol);
  check_close(tensor<float, matrix, cuda>(log1p(p)), ref([](double v) { return std::log1p(v); }, hp), tol);
  check_close(tensor<float, matrix, cuda>(sqrt(p)), ref([](double v) { return std::sqrt(v); }, hp), tol);
  check_close(tensor<float, matrix, cuda>(rsqrt(p)), ref([](double v) { return 1 / std::sqrt(v); }, hp), tol);
  check_close(tensor<float, matrix, cuda>(sin(x)), ref([](double v) { return std::sin(v); }, h), tol);
  check_close(tensor<float, matrix, cuda>(cos(x)), ref([](double v) { return std::cos(v); }, h), tol);
  check_close(tensor<float, matrix, cuda>(tanh(x)), ref([](double v) { return std::tanh(v); }, h), tol);
  check_close(tensor<float, matrix, cuda>(sigmoid(x)), ref(sigmoid_ref, h), tol);
  check_close(tensor<float, matrix, cuda>(relu(x)), ref([](double v) { return v < 0 ? 0.0 : v; }, h), 0.0);
  check_close(tensor<float, matrix, cuda>(gelu(x)),
              ref([](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); }, h), tol);
  check_close(tensor<float, matrix, cuda>(gelu_tanh(x)), ref([](double v) {
                return 0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
              }, h), tol);
  check_close(tensor<float, matrix, cuda>(silu(x)), ref([](double v) { return v * sigmoid_ref(v); }, h), tol);
  check_close(tensor<float, matrix, cuda>(softplus(x * 6)), ref([](double v) {
                const double w = static_cast<float>(v * 6);
                return w > 20 ? w : std::log1p(std::exp(w));
              }, h), tol);
  check_close(tensor<float, matrix, cuda>(sign(x)), ref([](double v) { return double((0 < v) - (v < 0)); }, h), 0.0);
  check_close(tensor<float, matrix, cuda>(floor(x)), ref([](double v) { return std::floor(v); }, h), 0.0);
  check_close(tensor<float, matrix, cuda>(ceil(x)), ref([](double v) { return std::ceil(v); }, h), 0.0);
  check_close(tensor<float, matrix, cuda>(round(x * 2)), ref([](double v) { return std::nearbyint(static_cast<float>(v * 2)); }, h), 0.0);
  check_close(tensor<float, matrix, cuda>(clamp(x, -1.0, 2.5)), ref([](double v) { return v < -1 ? -1.0 : v > 2.5 ? 2.5 : v; }, h), 0.0);
}

TEST_CASE("predicates, NaN and infinities") {
  auto h = random_host<float, vector_shape>({40});
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  h.data()[3] = nan;
  h.data()[7] = inf;
  h.data()[8] = -inf;
  h.data()[9] = 0.0f;
  const auto x = to_device(h);
  check_close(tensor<bool, vector_shape, cuda>(isnan(x)), expected_from(40, [&](std::size_t k) { return k == 3 ? 1.0 : 0.0; }), 0.0);
  check_close(tensor<bool, vector_shape, cuda>(logical_not(x)), expected_from(40, [&](std::size_t k) { return k == 9 ? 1.0 : 0.0; }), 0.0);
  // relu, sigmoid, maximum keep NaN; sigmoid of +-inf is 1 and 0.
  const auto r = to_vector(tensor<float, vector_shape, cuda>(relu(x)));
  CHECK(std::isnan(r[3]));
  const auto s = to_vector(tensor<float, vector_shape, cuda>(sigmoid(x)));
  CHECK(std::isnan(s[3]));
  CHECK(s[7] == 1.0);
  CHECK(s[8] == 0.0);
  const auto mx = to_vector(tensor<float, vector_shape, cuda>(maximum(x, 0.5f)));
  CHECK(std::isnan(mx[3]));
  CHECK(mx[8] == 0.5);
}

TEST_CASE("integer, bool and mixed dtypes follow PyTorch's promotion and wrap-around") {
  auto hi = random_host<std::int32_t, vector_shape>({50}, -1000, 1000);
  hi.data()[0] = std::numeric_limits<std::int32_t>::max();
  const auto hj = random_host<std::int32_t, vector_shape>({50}, 1, 9);
  const auto hf = random_host<float, vector_shape>({50});
  const auto hb = random_host<bool, vector_shape>({50});
  const auto i = to_device(hi), j = to_device(hj);
  const auto f = to_device(hf);
  const auto b = to_device(hb);
  // i32 + i32 wraps.
  const tensor<std::int32_t, vector_shape, cuda> sum = i + 1;
  check_close(sum, expected_from(50, [&](std::size_t k) {
                return static_cast<double>(static_cast<std::int32_t>(static_cast<std::uint32_t>(hi(static_cast<index_t>(k))) + 1u));
              }), 0.0);
  CHECK(to_vector(sum)[0] == static_cast<double>(std::numeric_limits<std::int32_t>::min()));
  // i32 / i32 is true division in f32.
  const tensor<float, vector_shape, cuda> q = i / j;
  check_close(q, expected_from(50, [&](std::size_t k) {
                return static_cast<double>(static_cast<float>(hi(static_cast<index_t>(k))) / static_cast<float>(hj(static_cast<index_t>(k))));
              }), 0.0);
  // i32 * f32 is f32; bool + i32 is i32; comparisons give bool.
  const tensor<float, vector_shape, cuda> m = j * f;
  check_close(m, expected_from(50, [&](std::size_t k) { return at_index(hj, k) * at_index(hf, k); }), 1e-6);
  const tensor<std::int32_t, vector_shape, cuda> bi = b + j;
  check_close(bi, expected_from(50, [&](std::size_t k) { return at_index(hb, k) + at_index(hj, k); }), 0.0);
  const tensor<bool, vector_shape, cuda> both = logical_and(f > 0, b) || (j == 3);
  check_close(both, expected_from(50, [&](std::size_t k) {
                return ((at_index(hf, k) > 0 && at_index(hb, k) != 0) || at_index(hj, k) == 3) ? 1.0 : 0.0;
              }), 0.0);
  // i64 arithmetic and pow.
  const tensor<std::int64_t, vector_shape, cuda> p = pow(j.to<std::int64_t>(), 3) - 7;
  check_close(p, expected_from(50, [&](std::size_t k) { return std::pow(at_index(hj, k), 3) - 7; }), 0.0);
}

TEST_CASE("casts saturate, and NaN becomes 0") {
  auto h = random_host<float, vector_shape>({64}, -3.0, 3.0);
  h.data()[0] = std::numeric_limits<float>::quiet_NaN();
  h.data()[1] = 1e20f;
  h.data()[2] = -1e20f;
  const auto x = to_device(h);
  const tensor<std::int32_t, vector_shape, cuda> c = (x * 100).to<std::int32_t>();
  check_close(c, expected_from(64, [&](std::size_t k) -> double {
                if (k == 0) return 0;
                if (k == 1) return std::numeric_limits<std::int32_t>::max();
                if (k == 2) return std::numeric_limits<std::int32_t>::min();
                return std::trunc(static_cast<float>(at_index(h, k) * 100));
              }), 0.0);
  const tensor<double, vector_shape, cuda> d = cast<double>(x) * 0.1;
  check_close(d, expected_from(64, [&](std::size_t k) { return at_index(h, k) * 0.1; }), 1e-15);
}

TEST_CASE("f16 and bf16 compute in float and round once") {
  const auto hx = random_host<f16, matrix>({9, 31}), hy = random_host<f16, matrix>({9, 31});
  const auto hz = random_host<bf16, matrix>({9, 31});
  const auto x = to_device(hx), y = to_device(hy);
  const auto z = to_device(hz);
  const tensor<f16, matrix, cuda> s = x * y + x;
  check_close(s, expected_from(9 * 31, [&](std::size_t k) {
                const float a = static_cast<float>(at_index(hx, k)), b = static_cast<float>(at_index(hy, k));
                const float ab = static_cast<float>(f16(a * b));  // each op rounds to f16
                return static_cast<double>(static_cast<float>(f16(ab + a)));
              }), 0.0);
  const tensor<bf16, matrix, cuda> t = tanh(z);
  check_close(t, expected_from(9 * 31, [&](std::size_t k) {
                return static_cast<double>(static_cast<float>(bf16(std::tanh(static_cast<float>(at_index(hz, k))))));
              }), 1e-2);
  const tensor<float, matrix, cuda> w = x.to<float>() + z.to<float>();
  check_close(w, expected_from(9 * 31, [&](std::size_t k) { return at_index(hx, k) + at_index(hz, k); }), 1e-7);
}

TEST_CASE("where, masked_fill and broadcasting of every kind") {
  const auto hx = random_host<float, matrix>({20, 30});
  const auto hrow = random_host<float, shape_of<30>>({30});
  const auto hcol = random_host<float, shape_of<20, 1>>({20, 1});
  auto h0 = tensor<float, shape<>, cpu>::uninitialized({});
  *h0.data() = 1.5f;
  const auto x = to_device(hx);
  const auto row = to_device(hrow);
  const auto col = to_device(hcol);
  const auto s = to_device(h0);
  auto xv = [&](std::size_t k) { return at_index(hx, k); };
  // [20, 30] with [30], [20, 1] and a rank-0 tensor.
  const tensor<float, matrix, cuda> r = (x + row) * col - s;
  check_close(r, expected_from(600, [&](std::size_t k) {
                return (xv(k) + at_index(hrow, k % 30)) * at_index(hcol, k / 30) - 1.5;
              }), 1e-6);
  // Outer product of [20, 1] and [30]: neither operand has the result's shape.
  const tensor<float, shape_of<20, 30>, cuda> outer = col * row;
  check_close(outer, expected_from(600, [&](std::size_t k) { return at_index(hcol, k / 30) * at_index(hrow, k % 30); }), 1e-6);
  // where with a broadcast condition and a number.
  const tensor<float, matrix, cuda> w = where(row > 0, x, 0.25f * x);
  check_close(w, expected_from(600, [&](std::size_t k) { return at_index(hrow, k % 30) > 0 ? xv(k) : 0.25 * xv(k); }), 1e-7);
  const tensor<float, matrix, cuda> mf = masked_fill(x, x < col, -9.0);
  check_close(mf, expected_from(600, [&](std::size_t k) { return xv(k) < at_index(hcol, k / 30) ? -9.0 : xv(k); }), 0.0);
  // A number alone: fill_.
  auto f = tensor<double, matrix, cuda>::uninitialized({3, 5});
  f.fill_(-2.25);
  check_close(f, std::vector<double>(15, -2.25), 0.0);
}

TEST_CASE("strided views as operands: transposes, steps, selects, expands") {
  const auto h = random_host<float, shape_of<12, 40>>({12, 40});
  const auto x = to_device(h);
  auto hv = [&](index_t i, index_t j) { return static_cast<double>(h(i, j)); };
  const auto xt = x.transpose();                       // [40, 12], strides {1, 40}
  const auto stepped = x.slice<1>(3, 40, 4);           // [12, 10], strides {40, 4}, offset 3
  const auto picked = x.select<0>(5);                  // [40]
  const auto spread = picked.unsqueeze<0>().expand<12, 40>();  // stride 0 rows
  const tensor<float, shape_of<40, 12>, cuda> a = xt * 2 + 1;
  check_close(a, expected_from(480, [&](std::size_t k) { return hv(k % 12, k / 12) * 2 + 1; }), 1e-6);
  const tensor<float, shape_of<12, dyn>, cuda> b = exp(stepped) - stepped;
  check_close(b, expected_from(120, [&](std::size_t k) {
                const double v = hv(k / 10, 3 + 4 * (k % 10));
                return std::exp(v) - v;
              }), 2e-6);
  const tensor<float, shape_of<12, 40>, cuda> c = x - spread;
  check_close(c, expected_from(480, [&](std::size_t k) { return hv(k / 40, k % 40) - hv(5, k % 40); }), 1e-6);
  // A view that starts off 16-byte alignment (element 1): correct on the strided path.
  const auto flat = to_device(random_host<float, shape_of<dyn>>({1001}));
  const auto shifted = flat.slice<0>(1, 1001);
  const tensor<float, shape_of<dyn>, cuda> d = shifted * shifted;
  const auto hf = to_vector(flat);
  check_close(d, expected_from(1000, [&](std::size_t k) { return static_cast<double>(static_cast<float>(hf[k + 1] * hf[k + 1])); }), 0.0);
}

TEST_CASE("results written into views leave the rest of the tensor alone") {
  const auto h = random_host<float, shape_of<8, 16>>({8, 16});
  const auto x = to_device(h);
  CudaTensor<float, 16, 24> big;
  big.fill_(-777.0f);
  // Columns 4..11 of big, transposed: an 8x16 strided destination.
  auto window = big.slice<1, 4, 12>().transpose();
  window.assign(x * 3);
  const auto got = to_vector(big);
  for (std::size_t k = 0; k < got.size(); ++k) {
    const std::size_t i = k / 24, j = k % 24;
    const double expected = (j >= 4 && j < 12) ? static_cast<double>(h(static_cast<index_t>(j - 4), static_cast<index_t>(i))) * 3 : -777.0;
    INFO("element " << i << ", " << j);
    CHECK(got[k] == doctest::Approx(expected).epsilon(1e-7));
  }
}

TEST_CASE("assigning an expression that reads its own destination") {
  const auto h = random_host<float, shape_of<dyn>>({100});
  auto x = to_device(h);
  x.assign(x * 2 + 1);
  check_close(x, expected_from(100, [&](std::size_t k) { return at_index(h, k) * 2 + 1; }), 1e-6);
  // Overlapping shifted views: x[1:] = x[:-1] reads the old values.
  auto y = to_device(h);
  y.slice<0>(1, 100).assign(y.slice<0>(0, 99));
  check_close(y, expected_from(100, [&](std::size_t k) { return at_index(h, k == 0 ? 0 : k - 1); }), 0.0);
}

TEST_CASE("sizes: empty, one element, rank 0, size-1 dims, and large with a tail") {
  const auto empty = to_device(tensor<float, matrix, cpu>::uninitialized({0, 7}));
  const tensor<float, matrix, cuda> e = sigmoid(empty) + 1;
  CHECK(e.numel() == 0);
  CHECK(e.sizes() == sizes_t<2>{0, 7});

  auto h1 = random_host<float, shape_of<1, 1>>({1, 1});
  const tensor<float, shape_of<1, 1>, cuda> one = to_device(h1) * 4;
  check_close(one, {at_index(h1, 0) * 4}, 1e-7);

  auto h0 = tensor<float, shape<>, cpu>::uninitialized({});
  *h0.data() = 3.0f;
  const tensor<float, shape<>, cuda> r0 = sqrt(to_device(h0)) + 1;
  CHECK(to_host(r0).item() == doctest::Approx(std::sqrt(3.0) + 1).epsilon(1e-7));

  const auto hu = random_host<float, shape_of<1, 50, 1>>({1, 50, 1});
  const tensor<float, shape_of<1, 50, 1>, cuda> u = to_device(hu) * to_device(hu);
  check_close(u, expected_from(50, [&](std::size_t k) { const double v = at_index(hu, k); return static_cast<double>(static_cast<float>(v * v)); }), 0.0);

  // 2^22 + 3 elements: many grid-stride steps, and a tail after the last vector.
  const index_t n = (index_t{1} << 22) + 3;
  const auto hx = random_host<float, shape_of<dyn>>({n}), hy = random_host<float, shape_of<dyn>>({n});
  const auto x = to_device(hx), y = to_device(hy);
  const tensor<float, shape_of<dyn>, cuda> z = sigmoid(tanh(x * (x + y)));
  check_close(z, expected_from(static_cast<std::size_t>(n), [&](std::size_t k) {
                const double a = hx.data()[k], b = hy.data()[k];
                return sigmoid_ref(std::tanh(a * (a + b)));
              }), 1e-6);
}

TEST_CASE("the CUDA and CPU backends agree") {
  const std::size_t n = 10007;
  const auto hx = random_host<float, vector_shape>({static_cast<index_t>(n)});
  const auto hy = random_host<float, vector_shape>({static_cast<index_t>(n)});
  const std::vector<float> vx(hx.data(), hx.data() + n), vy(hy.data(), hy.data() + n);
  const auto x = to_device(hx), y = to_device(hy);
  auto as_double = [](const auto& v) { return std::vector<double>(v.begin(), v.end()); };

  const tensor<float, vector_shape, cuda> simple = sigmoid(tanh(x * (x + y)));
  check_close(simple, as_double(cpu_reference::simple(vx, vy)), 1e-6);

  const auto ha = random_host<float, vector_shape>({static_cast<index_t>(n)}, 1.0, 2.0);
  const auto hb = random_host<float, vector_shape>({static_cast<index_t>(n)}, -1.0, 0.4);
  const std::vector<float> va(ha.data(), ha.data() + n), vb(hb.data(), hb.data() + n);
  const auto a = to_device(ha), b = to_device(hb);
  const tensor<float, vector_shape, cuda> ge = a * b / (a - 2 * b) + b;
  check_close(ge, as_double(cpu_reference::ge(va, vb)), 1e-6);

  const long rows = 37, cols = 53;
  const auto hm = random_host<float, matrix>({rows, cols});
  const auto hr = random_host<float, vector_shape>({rows});
  const std::vector<float> vm(hm.data(), hm.data() + rows * cols), vr(hr.data(), hr.data() + rows);
  const auto m = to_device(hm);
  const auto r = to_device(hr);
  const auto mt = m.transpose();
  const tensor<float, shape_of<M, N>, cuda> w = where(mt > 0, mt * r, -r);
  check_close(w, as_double(cpu_reference::where_transposed(vm, vr, rows, cols)), 0.0);

  const tensor<std::int32_t, vector_shape, cuda> c = (x * 100).to<std::int32_t>();
  check_close(c, as_double(cpu_reference::cast_to_int(vx)), 0.0);
}
