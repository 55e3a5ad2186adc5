// Reference-counted, 64-byte aligned memory that tensors and their views share.
#pragma once

#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "ctrace/core/config.hpp"
#include "ctrace/core/device.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/error.hpp"
#include "ctrace/core/memory_stats.hpp"
#include "ctrace/tensor/host_cache.hpp"

namespace ctrace {

// Allocation per device. CPU memory is aligned for the widest SIMD loads;
// the CUDA backend specializes this with its caching allocator.
template <class Device>
struct allocator {
  static_assert(always_false<Device>,
                "ctrace: tensors on this device need its backend: include <ctrace/cuda.hpp> in a source compiled "
                "by nvcc");
};

template <>
struct allocator<cpu> {
  static constexpr std::size_t alignment = 64;
  // Owns `bytes` bytes (at least one, so every tensor has a distinct address).
  // Blocks come from the thread's cache of freed ones (tensor/host_cache.hpp).
  static std::shared_ptr<void> allocate(std::size_t bytes) {
    std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    if (rounded == 0) rounded = alignment;
    void* p = detail::host_block_cache::acquire(rounded);
    if (!p) detail::raise("out of host memory allocating ", bytes, " bytes");
    detail::host_memory().allocated(static_cast<std::int64_t>(rounded));
    return std::shared_ptr<void>(p, [rounded](void* q) {
      detail::host_memory().freed(static_cast<std::int64_t>(rounded));
      detail::host_block_cache::release(q, rounded);
    });
  }
  static void zero(void* p, std::size_t bytes) { std::memset(p, 0, bytes); }
};

}  // namespace ctrace
