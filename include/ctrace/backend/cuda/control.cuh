// CUDA evaluation of control-flow nodes (the device-independent part is
// exec/control.hpp, shared with the CPU backend):
//   - cond: the predicate (checked to have one element) is computed on the
//     device and its one byte copied back to the host (one small copy and a
//     stream synchronization), then only the chosen branch is computed into
//     the destination;
//   - fori_loop: the body graph runs on device tensors once per iteration,
//     the index written by a one-element kernel, the carries kept on the
//     device; the final carries are then read in place;
//   - scan: each step's carries and y_t are computed on the device, every
//     y_t into its row of the stacked ys; the results are read in place.
// Everything is queued on this thread's current stream, so the host waits
// only for a cond's predicate (and for what a body itself waits for).
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <type_traits>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/exec/control.hpp"
#include "ctrace/expr/control.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cuda_backend {

// The one element of a device tensor, on the host: waits for the work queued
// before it on the current stream (errors of that work are thrown here).
template <class T, class S>
T read_one(const tensor<T, S, cuda>& t) {
  T value{};
  const cudaStream_t stream = current_stream();
  check(cudaMemcpyAsync(&value, t.data(), sizeof(T), cudaMemcpyDeviceToHost, stream), "cudaMemcpyAsync",
        " (cond's predicate, device to host)");
  check(cudaStreamSynchronize(stream), "cudaStreamSynchronize", " (after reading cond's predicate)");
  return value;
}

template <class P, class A, class B>
struct root_kernel<cond_node<P, A, B>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const cond_node<P, A, B>& node) {
    exec::control::run_cond<cuda>(dest, node, [](const auto& p) { return static_cast<bool>(read_one(p)); });
  }
};

// A loop's final carry, read in place (the loop runs on the first read).
template <std::size_t K, class State, class... Init, int R>
struct device_expr<loop_result<K, State, Init...>, R> {
  static auto make(const loop_result<K, State, Init...>& n, const sizes_t<R>& iter) {
    const auto& value = exec::control::loop_value(n);
    return device_expr<std::remove_cvref_t<decltype(value)>, R>::make(value, iter);
  }
};

// A scan's result, read in place from the memory the scan wrote.
template <std::size_t K, class State, class... Children, int R>
struct device_expr<scan_result<K, State, Children...>, R> {
  static auto make(const scan_result<K, State, Children...>& n, const sizes_t<R>& iter) {
    const auto& value = exec::control::scan_value(n);
    return device_expr<std::remove_cvref_t<decltype(value)>, R>::make(value, iter);
  }
};

}  // namespace ctrace::cuda_backend
