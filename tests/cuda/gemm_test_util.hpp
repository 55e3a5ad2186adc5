// Helpers for the GEMM tests: a reference product computed on the device in
// double by one plain thread per element (no tiling, nothing shared with the
// code under test), the comparison with a tolerance scaled by the sum of
// |a| * |b| over each dot product, and the count of kernels a call queues.
#pragma once

#include <doctest/doctest.h>

#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "cuda_test_util.hpp"

namespace ctrace::testing {

// The dims the GEMM tests' shapes are spelled with.
namespace gemm_symbols {
inline constexpr auto M = sym<"M">;
inline constexpr auto K = sym<"K">;
inline constexpr auto N = sym<"N">;
inline constexpr auto B = sym<"B">;
}  // namespace gemm_symbols

// A device tensor of uniform values in [lo, hi).
template <class T, class S>
tensor<T, S, cuda> random_device(const sizes_t<S::rank>& sizes, double lo = -1.0, double hi = 1.0) {
  return to_device(random_host<T, S>(sizes, lo, hi));
}

// out[b, i, j] = sum_k a[b, i, k] * b[b, k, j] and the sum of the absolute
// products, both in double; operands through element strides (batch stride 0:
// broadcast).
template <class T>
__global__ void reference_gemm_kernel(const T* a, const T* b, double* out, double* magnitude, long batches, long m,
                                      long n, long k, long a_batch, long a_m, long a_k, long b_batch, long b_k,
                                      long b_n) {
  const long j = static_cast<long>(blockIdx.x) * blockDim.x + threadIdx.x;
  const long i = static_cast<long>(blockIdx.y) * blockDim.y + threadIdx.y;
  const long batch = blockIdx.z;
  if (i >= m || j >= n || batch >= batches) return;
  double sum = 0, abs_sum = 0;
  for (long kk = 0; kk < k; ++kk) {
    const double x = static_cast<double>(static_cast<float>(a[batch * a_batch + i * a_m + kk * a_k]));
    const double y = static_cast<double>(static_cast<float>(b[batch * b_batch + kk * b_k + j * b_n]));
    sum += x * y;
    abs_sum += std::fabs(x * y);
  }
  out[(batch * m + i) * n + j] = sum;
  magnitude[(batch * m + i) * n + j] = abs_sum;
}

struct reference_product {
  std::vector<double> value;      // [batches, m, n] row-major
  std::vector<double> magnitude;  // sum of |a * b| per element
};

// The reference for operands given as device pointers and element strides.
template <class T>
reference_product reference_gemm(const T* a, const T* b, long batches, long m, long n, long k, long a_batch, long a_m,
                                 long a_k, long b_batch, long b_k, long b_n) {
  const std::size_t count = static_cast<std::size_t>(batches * m * n);
  reference_product r{std::vector<double>(count), std::vector<double>(count)};
  if (count == 0) return r;
  double *out = nullptr, *mag = nullptr;
  REQUIRE(cudaMalloc(&out, count * sizeof(double)) == cudaSuccess);
  REQUIRE(cudaMalloc(&mag, count * sizeof(double)) == cudaSuccess);
  const dim3 block(16, 16);
  const dim3 grid(static_cast<unsigned>((n + 15) / 16), static_cast<unsigned>((m + 15) / 16),
                  static_cast<unsigned>(batches));
  reference_gemm_kernel<<<grid, block, 0, current_stream()>>>(a, b, out, mag, batches, m, n, k, a_batch, a_m, a_k,
                                                              b_batch, b_k, b_n);
  REQUIRE(cudaGetLastError() == cudaSuccess);
  REQUIRE(cudaStreamSynchronize(current_stream()) == cudaSuccess);
  REQUIRE(cudaMemcpy(r.value.data(), out, count * sizeof(double), cudaMemcpyDeviceToHost) == cudaSuccess);
  REQUIRE(cudaMemcpy(r.magnitude.data(), mag, count * sizeof(double), cudaMemcpyDeviceToHost) == cudaSuccess);
  cudaFree(out);
  cudaFree(mag);
  return r;
}

// 2-D operands of any strides.
template <class T, class SA, class SB>
reference_product reference_gemm(const tensor<T, SA, cuda>& a, const tensor<T, SB, cuda>& b) {
  static_assert(SA::rank == 2 && SB::rank == 2, "reference_gemm: 2-D operands here");
  return reference_gemm(a.data(), b.data(), 1, a.sizes()[0], b.sizes()[1], a.sizes()[1], 0, a.strides()[0],
                        a.strides()[1], 0, b.strides()[0], b.strides()[1]);
}

// Every element within rel * magnitude + abs_tol + out_rel * |value| of the
// reference; NaN (an unwritten, poisoned element) never passes.
inline void check_product(const std::vector<double>& got, const std::vector<double>& value,
                          const std::vector<double>& magnitude, double rel, double out_rel = 0.0,
                          double abs_tol = 1e-6) {
  REQUIRE(got.size() == value.size());
  std::size_t bad = 0;
  int reported = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double bound = rel * magnitude[i] + out_rel * std::fabs(value[i]) + abs_tol;
    const bool ok = std::fabs(got[i] - value[i]) <= bound;  // false for NaN
    if (!ok) {
      ++bad;
      if (reported++ < 5) {
        INFO("element " << i << ": got " << got[i] << ", expected " << value[i] << " (bound " << bound << ")");
        CHECK(ok);
      }
    }
  }
  INFO(bad << " of " << got.size() << " elements differ");
  CHECK(bad == 0);
}

// Every element within its own bound of the expected value; NaN never passes.
inline void check_within(const std::vector<double>& got, const std::vector<double>& expected,
                         const std::vector<double>& bound) {
  REQUIRE(got.size() == expected.size());
  std::size_t bad = 0;
  int reported = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool ok = std::fabs(got[i] - expected[i]) <= bound[i];
    if (!ok) {
      ++bad;
      if (reported++ < 5) {
        INFO("element " << i << ": got " << got[i] << ", expected " << expected[i] << " (bound " << bound[i] << ")");
        CHECK(ok);
      }
    }
  }
  INFO(bad << " of " << got.size() << " elements differ");
  CHECK(bad == 0);
}

// A device tensor of `sizes` filled with NaN: elements a kernel leaves
// unwritten stay NaN and fail every comparison.
template <class T, class S>
tensor<T, S, cuda> poisoned(const sizes_t<S::rank>& sizes) {
  auto t = tensor<T, S, cuda>::uninitialized(sizes);
  t.fill_(T(std::numeric_limits<float>::quiet_NaN()));
  return t;
}

// Chooses the f32 kernel for the scope: the tensor cores (3xTF32) or SIMT.
class f32_tensor_cores_scope {
 public:
  explicit f32_tensor_cores_scope(bool on) : previous_(cuda_backend::gemm_options().f32_tensor_cores) {
    cuda_backend::gemm_options().f32_tensor_cores = on;
  }
  ~f32_tensor_cores_scope() { cuda_backend::gemm_options().f32_tensor_cores = previous_; }
  f32_tensor_cores_scope(const f32_tensor_cores_scope&) = delete;
  f32_tensor_cores_scope& operator=(const f32_tensor_cores_scope&) = delete;

 private:
  bool previous_;
};

// Lets wgmma take the products it can (16-bit and 3xTF32), or not, for the scope.
class allow_wgmma_scope {
 public:
  explicit allow_wgmma_scope(bool on) : previous_(cuda_backend::gemm_options().allow_wgmma) {
    cuda_backend::gemm_options().allow_wgmma = on;
  }
  ~allow_wgmma_scope() { cuda_backend::gemm_options().allow_wgmma = previous_; }
  allow_wgmma_scope(const allow_wgmma_scope&) = delete;
  allow_wgmma_scope& operator=(const allow_wgmma_scope&) = delete;

 private:
  bool previous_;
};

// The kernel an f32 product takes with the tensor cores on (batches within the grid).
inline cuda_backend::gemm_kernel f32_tensor_core_kernel() {
  return cuda_backend::gemm_options().allow_wgmma && cuda_backend::wgmma_available()
             ? cuda_backend::gemm_kernel::tf32x3_wgmma
             : cuda_backend::gemm_kernel::tf32x3;
}

// The largest |got - value| / magnitude: the error in units of the sum of
// |a * b| over the dot product (what f32 rounding is proportional to).
inline double worst_relative_error(const std::vector<double>& got, const std::vector<double>& value,
                                   const std::vector<double>& magnitude) {
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double e = std::fabs(got[i] - value[i]) / (magnitude[i] > 0 ? magnitude[i] : 1.0);
    worst = std::isnan(e) || e > worst ? (std::isnan(e) ? INFINITY : e) : worst;
  }
  return worst;
}

// The kernels that running `f` queues on the current stream (captured, not run).
template <class F>
std::size_t kernels_queued(F&& f) {
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
  return kernels;
}

}  // namespace ctrace::testing
