// Device memory for tensors: a caching allocator, and allocator<cuda> on it.
//
// cudaMalloc and cudaFree are slow (they can take milliseconds, and cudaFree
// waits for the whole device), so freed blocks are kept: each goes back to the
// free list of its (device, stream, size class) and is handed out again without
// a CUDA call. Work on one stream runs in order, so a block freed while a kernel
// that reads it is still queued can serve the next allocation on the same stream
// at once; a block is never handed to another stream. (A tensor used on a second
// stream must be kept alive until that stream's work is done, as with PyTorch's
// caching allocator.)
//
// Sizes are rounded up to a size class: multiples of 512 bytes up to 4 KiB,
// above that 8 classes per power of two (at most 12.5% more than asked).
// When cudaMalloc runs out of memory, the cache is returned to CUDA and the
// call retried once; if it fails again, cuda_error names the requested size
// and nothing that was allocated before is touched.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/tensor/storage.hpp"

namespace ctrace {

// What the caching allocator holds, in bytes of size classes.
struct cuda_memory_stats {
  std::size_t bytes_in_use = 0;   // blocks owned by live tensors
  std::size_t bytes_cached = 0;   // blocks on free lists, ready for reuse
  std::size_t cuda_mallocs = 0;   // cudaMalloc calls made so far
  std::size_t cuda_frees = 0;     // cudaFree calls made so far (empty_cache, out-of-memory retries)
};

namespace cuda_backend {

class caching_allocator {
 public:
  // Never destroyed: tensors held in static objects may be freed after every
  // other static destructor has run. Blocks still cached at exit go with the
  // process.
  static caching_allocator& instance() {
    static caching_allocator* const allocator = new caching_allocator();
    return *allocator;
  }

  // The bytes a request of `bytes` takes from the device.
  static constexpr std::size_t size_class(std::size_t bytes) {
    constexpr std::size_t small_step = 512, small_limit = 4096;
    if (bytes <= small_limit) return bytes <= small_step ? small_step : (bytes + small_step - 1) / small_step * small_step;
    std::size_t base = small_limit;
    while (base <= bytes / 2) base *= 2;  // largest power of two <= bytes
    const std::size_t step = base / 8;
    const std::size_t steps = (bytes - base + step - 1) / step;
    return base + steps * step;
  }

  // A block of at least `bytes` bytes for work on `stream` of the current device.
  std::shared_ptr<void> allocate(std::size_t bytes, cudaStream_t stream) {
    const int device = current_device();
    const std::size_t cls = size_class(bytes);
    if (cls < bytes) detail::raise<cuda_error>("cudaMalloc failed allocating ", bytes, " bytes: the size overflows");
    const pool_key key{device, stream, cls};
    void* p = nullptr;
    {
      std::lock_guard lock(mutex_);
      auto it = free_.find(key);
      if (it != free_.end() && !it->second.empty()) {
        p = it->second.back();
        it->second.pop_back();
        stats_.bytes_cached -= cls;
      } else {
        p = device_malloc(bytes, cls, device);
      }
      stats_.bytes_in_use += cls;
    }
    return std::shared_ptr<void>(p, block_return{key});
  }

  // Returns every cached block to CUDA (cudaFree waits for the device first).
  void empty_cache() {
    std::lock_guard lock(mutex_);
    release_cached();
  }

  cuda_memory_stats stats() {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  struct pool_key {
    int device;
    cudaStream_t stream;
    std::size_t size_class;
    bool operator==(const pool_key&) const = default;
  };
  struct pool_hash {
    std::size_t operator()(const pool_key& k) const noexcept {
      std::size_t h = std::hash<std::size_t>{}(k.size_class);
      h ^= std::hash<const void*>{}(k.stream) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      h ^= std::hash<int>{}(k.device) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
      return h;
    }
  };
  // The shared_ptr deleter: the block goes back to its free list.
  struct block_return {
    pool_key key;
    void operator()(void* p) const noexcept { instance().give_back(p, key); }
  };

  caching_allocator() = default;

  // Called with the mutex held.
  void* device_malloc(std::size_t bytes, std::size_t cls, int device) {
    void* p = nullptr;
    cudaError_t status = cudaMalloc(&p, cls);
    ++stats_.cuda_mallocs;
    if (status == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      release_cached();  // cached blocks of every size and stream, then once more
      status = cudaMalloc(&p, cls);
      ++stats_.cuda_mallocs;
    }
    if (status != cudaSuccess) {
      raise_cuda(status, "cudaMalloc", " allocating ", bytes, " bytes (size class ", cls, ") on device ", device,
                 " with ", stats_.bytes_in_use, " bytes in use by tensors");
    }
    return p;
  }

  // Called with the mutex held.
  void release_cached() noexcept {
    for (auto& [key, blocks] : free_) {
      for (void* p : blocks) {
        int previous = 0;
        (void)cudaGetDevice(&previous);
        (void)cudaSetDevice(key.device);
        (void)cudaFree(p);
        (void)cudaSetDevice(previous);
        ++stats_.cuda_frees;
        stats_.bytes_cached -= key.size_class;
      }
      blocks.clear();
    }
  }

  void give_back(void* p, const pool_key& key) noexcept {
    std::lock_guard lock(mutex_);
    stats_.bytes_in_use -= key.size_class;
    try {
      free_[key].push_back(p);
      stats_.bytes_cached += key.size_class;
    } catch (...) {  // no host memory for the list: return the block to CUDA instead
      (void)cudaFree(p);
      ++stats_.cuda_frees;
    }
  }

  std::mutex mutex_;
  std::unordered_map<pool_key, std::vector<void*>, pool_hash> free_;
  cuda_memory_stats stats_;
};

}  // namespace cuda_backend

// The caching allocator's counters (bytes in use and cached, CUDA calls made).
inline cuda_memory_stats cuda_memory() { return cuda_backend::caching_allocator::instance().stats(); }

// Returns all cached, unused device memory to CUDA (for other programs, or
// before measuring memory). Tensors keep theirs.
inline void cuda_empty_cache() { cuda_backend::caching_allocator::instance().empty_cache(); }

template <>
struct allocator<cuda> {
  static constexpr std::size_t alignment = 256;  // what cudaMalloc guarantees
  // Owns `bytes` bytes of device memory (at least one size class), for work on
  // this thread's current stream.
  static std::shared_ptr<void> allocate(std::size_t bytes) {
    return cuda_backend::caching_allocator::instance().allocate(bytes, current_stream());
  }
  // Zeroes the memory, queued on the current stream.
  static void zero(void* p, std::size_t bytes) {
    if (bytes == 0) return;
    cuda_backend::check(cudaMemsetAsync(p, 0, bytes, current_stream()), "cudaMemsetAsync", " of ", bytes, " bytes");
  }
};

}  // namespace ctrace
