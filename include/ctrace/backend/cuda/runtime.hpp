// CUDA runtime calls for the CUDA backend: every failed call becomes a
// ctrace::cuda_error naming the call, its context and CUDA's own message; the
// current device's facts (multiprocessor count), read once per device.
// Plain C++ (no kernels): a host compiler can include it with CUDA's include
// directory and link libcudart.
#pragma once

#include <cuda_runtime_api.h>

#include <array>
#include <atomic>
#include <string_view>

#include "ctrace/core/error.hpp"

namespace ctrace::cuda_backend {

// Throws cuda_error: "ctrace: <call> failed<context>: <CUDA's text> (<error name>)".
// A failed call also sets CUDA's last-error state; it is cleared here so that a
// later launch check does not report this error again (sticky errors, which
// leave the context unusable, stay whatever is done).
template <class... Context>
[[noreturn]] __attribute__((noinline, cold)) void raise_cuda(cudaError_t status, std::string_view call,
                                                             const Context&... context) {
  (void)cudaGetLastError();
  detail::raise<cuda_error>(call, " failed", context..., ": ", cudaGetErrorString(status), " (",
                            cudaGetErrorName(status), ")");
}

template <class... Context>
inline void check(cudaError_t status, std::string_view call, const Context&... context) {
  if (status != cudaSuccess) [[unlikely]] raise_cuda(status, call, context...);
}

inline int current_device() {
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  return device;
}

// Devices a process may see; more are not expected on one host.
inline constexpr int max_devices = 64;

// The number of multiprocessors of `device`, asked once (the launch sizes of
// every kernel depend on it, and the query is not free).
inline int multiprocessor_count(int device) {
  static std::array<std::atomic<int>, max_devices> cache{};
  if (device < 0 || device >= max_devices) detail::raise<cuda_error>("device index ", device, " is out of range");
  int count = cache[static_cast<std::size_t>(device)].load(std::memory_order_relaxed);
  if (count == 0) {
    check(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute",
          " (multiprocessor count of device ", device, ")");
    cache[static_cast<std::size_t>(device)].store(count, std::memory_order_relaxed);
  }
  return count;
}

}  // namespace ctrace::cuda_backend
