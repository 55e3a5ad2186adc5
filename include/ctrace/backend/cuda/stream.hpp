// CUDA streams. Every thread has its own default stream per device (created on
// first use), on which ctrace launches its kernels, copies and memsets; a
// stream_scope makes another stream current for a scope. Work on one stream
// runs in order, so a tensor freed after a kernel that reads it can be handed
// to the next kernel on the same stream without waiting (see allocator.hpp).
#pragma once

#include <cuda_runtime_api.h>

#include <memory>
#include <vector>

#include "ctrace/backend/cuda/runtime.hpp"

namespace ctrace {

// An owned CUDA stream on the device that was current when it was made.
// Blocking with respect to the legacy default stream (stream 0), so that code
// which mixes ctrace with plain cudaMemcpy calls stays ordered.
class cuda_stream {
 public:
  cuda_stream() : device_(cuda_backend::current_device()) {
    cuda_backend::check(cudaStreamCreateWithFlags(&stream_, cudaStreamDefault), "cudaStreamCreateWithFlags");
  }
  cuda_stream(const cuda_stream&) = delete;
  cuda_stream& operator=(const cuda_stream&) = delete;
  cuda_stream(cuda_stream&& other) noexcept : stream_(other.stream_), device_(other.device_) { other.stream_ = nullptr; }
  cuda_stream& operator=(cuda_stream&& other) noexcept {
    if (this != &other) {
      reset();
      stream_ = other.stream_;
      device_ = other.device_;
      other.stream_ = nullptr;
    }
    return *this;
  }
  // Errors are ignored here: a destructor must not throw, and at process exit
  // the runtime may already have destroyed every stream.
  ~cuda_stream() { reset(); }

  cudaStream_t get() const { return stream_; }
  int device() const { return device_; }
  // Waits until all work queued on this stream has finished; errors of that
  // work (a failed kernel) are thrown here.
  void synchronize() const { cuda_backend::check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

 private:
  void reset() noexcept {
    if (stream_) (void)cudaStreamDestroy(stream_);
    stream_ = nullptr;
  }
  cudaStream_t stream_ = nullptr;
  int device_ = 0;
};

namespace cuda_backend {
// The stream a stream_scope made current on this thread (null: the default one).
inline cudaStream_t& scoped_stream() {
  thread_local cudaStream_t stream = nullptr;
  return stream;
}
}  // namespace cuda_backend

// This thread's default stream on the current device.
inline cuda_stream& default_stream() {
  thread_local std::vector<std::unique_ptr<cuda_stream>> streams;
  const int device = cuda_backend::current_device();
  if (static_cast<int>(streams.size()) <= device) streams.resize(static_cast<std::size_t>(device) + 1);
  auto& s = streams[static_cast<std::size_t>(device)];
  if (!s) s = std::make_unique<cuda_stream>();
  return *s;
}

// The stream ctrace's work goes to on this thread: a stream_scope's, else the default.
inline cudaStream_t current_stream() {
  const cudaStream_t scoped = cuda_backend::scoped_stream();
  return scoped ? scoped : default_stream().get();
}

// Waits for all work queued on this thread's current stream.
inline void synchronize() {
  cuda_backend::check(cudaStreamSynchronize(current_stream()), "cudaStreamSynchronize");
}

// Makes `stream` this thread's current stream until the end of the scope.
// Memory allocated inside the scope is cached for that stream (allocator.hpp):
// keep the stream alive while such tensors are.
class stream_scope {
 public:
  explicit stream_scope(const cuda_stream& stream) : previous_(cuda_backend::scoped_stream()) {
    cuda_backend::scoped_stream() = stream.get();
  }
  stream_scope(const stream_scope&) = delete;
  stream_scope& operator=(const stream_scope&) = delete;
  ~stream_scope() { cuda_backend::scoped_stream() = previous_; }

 private:
  cudaStream_t previous_;
};

}  // namespace ctrace
