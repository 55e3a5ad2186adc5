// Copies between host and device: to_device(t) and to_host(t), also spelled
// t.to<cuda>() and t.to<cpu>(). The result is a new contiguous tensor of the
// same type on the other device; the copy is finished when the call returns
// (the host memory may be reused or read at once). A strided device tensor is
// made contiguous on the device first, by the elementwise kernel.
#pragma once

#include <cuda_runtime_api.h>

#include <memory>

#include "ctrace/backend/cuda/allocator.hpp"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

namespace cuda_backend {
// The elements of a host view in row-major order, into `out` (numel slots).
template <class T, int R>
void gather_host(const strided_view<T, R>& v, T* out) {
  const index_t n = v.numel();
  sizes_t<R> idx{};
  for (index_t k = 0; k < n; ++k) {
    out[k] = *v.element(idx);
    for (int d = R - 1; d >= 0; --d) {
      if (++idx[d] < v.sizes[d]) break;
      idx[d] = 0;
    }
  }
}
}  // namespace cuda_backend

// A copy of a host tensor in device memory (contiguous).
template <class T, class S>
tensor<T, S, cuda> to_device(const tensor<T, S, cpu>& t) {
  auto out = tensor<T, S, cuda>::uninitialized(t.sizes());
  const std::size_t bytes = static_cast<std::size_t>(t.numel()) * sizeof(T);
  if (bytes == 0) return out;
  const T* source = t.data();
  std::unique_ptr<T[]> staging;  // not std::vector: vector<bool> has no data()
  if (!t.is_contiguous()) {
    staging = std::make_unique<T[]>(static_cast<std::size_t>(t.numel()));
    cuda_backend::gather_host(t.strided(), staging.get());
    source = staging.get();
  }
  const cudaStream_t stream = current_stream();
  cuda_backend::check(cudaMemcpyAsync(out.data(), source, bytes, cudaMemcpyHostToDevice, stream), "cudaMemcpyAsync",
                      " (host to device, ", bytes, " bytes)");
  // Finished before returning: the source (or staging) memory may change or go.
  cuda_backend::check(cudaStreamSynchronize(stream), "cudaStreamSynchronize", " (after a host to device copy)");
  return out;
}

// A copy of a device tensor in host memory (contiguous). Waits for the work
// queued before it on the current stream; errors of that work are thrown here.
template <class T, class S>
tensor<T, S, cpu> to_host(const tensor<T, S, cuda>& t) {
  const tensor<T, S, cuda> source = t.contiguous();  // a device-side copy when strided
  auto out = tensor<T, S, cpu>::uninitialized(t.sizes());
  const std::size_t bytes = static_cast<std::size_t>(t.numel()) * sizeof(T);
  if (bytes == 0) return out;
  const cudaStream_t stream = current_stream();
  cuda_backend::check(cudaMemcpyAsync(out.data(), source.data(), bytes, cudaMemcpyDeviceToHost, stream),
                      "cudaMemcpyAsync", " (device to host, ", bytes, " bytes)");
  cuda_backend::check(cudaStreamSynchronize(stream), "cudaStreamSynchronize", " (after a device to host copy)");
  return out;
}

namespace exec {
template <>
struct transfer<cpu, cuda> {
  template <class T, class S>
  static tensor<T, S, cuda> run(const tensor<T, S, cpu>& t) {
    return to_device(t);
  }
};
template <>
struct transfer<cuda, cpu> {
  template <class T, class S>
  static tensor<T, S, cpu> run(const tensor<T, S, cuda>& t) {
    return to_host(t);
  }
};
}  // namespace exec

}  // namespace ctrace
