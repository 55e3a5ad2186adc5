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

namespace detail {
// Host tensor memory and its shared_ptr's control block, both from the
// thread's block cache (tensor/host_cache.hpp), never from malloc. A small
// tensor's control block lives in the first 64 bytes of its own block (the
// data follows, 64-byte aligned): one cache lookup per tensor. A larger one,
// whose size class has no room to spare (64 MiB would take 80), gets a
// 64-byte block of its own for it. shared_ptr allocates its control block
// through this allocator. (malloc and free of the control block were about
// 150 of the 1,400 instructions of a 4x4 graph call.)
template <class T>
struct host_block_allocator {
  using value_type = T;
  void* head;  // the tensor's block, whose head holds the control block; null: a block of its own
  std::size_t block_bytes;

  host_block_allocator(void* h, std::size_t bytes) noexcept : head(h), block_bytes(bytes) {}
  template <class U>
  host_block_allocator(const host_block_allocator<U>& o) noexcept : head(o.head), block_bytes(o.block_bytes) {}

  T* allocate(std::size_t n) {
    static_assert(sizeof(T) <= host_block_cache::alignment, "ctrace: a control block larger than a block's head");
    if (n != 1) throw std::bad_alloc();  // shared_ptr asks for its one control block
    if (head) return static_cast<T*>(head);
    void* p = host_block_cache::acquire(host_block_cache::alignment);
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  // After the last handle and the last weak reference.
  void deallocate(T* p, std::size_t) noexcept {
    if (head) host_block_cache::release(head, block_bytes);
    else host_block_cache::release(p, host_block_cache::alignment);
  }

  template <class U>
  bool operator==(const host_block_allocator<U>& o) const noexcept {
    return head == o.head && block_bytes == o.block_bytes;
  }
};

// Runs when the last tensor handle goes: the bytes stop counting as live, and
// a block without the control block in it goes back to the cache.
struct host_data_release {
  void* block;  // null when the block holds the control block (it goes with it)
  std::size_t bytes, block_bytes;
  void operator()(void*) const noexcept {
    host_memory().freed(static_cast<std::int64_t>(bytes));
    if (block) host_block_cache::release(block, block_bytes);
  }
};
}  // namespace detail

template <>
struct allocator<cpu> {
  static constexpr std::size_t alignment = 64;
  // Owns `bytes` bytes (at least one, so every tensor has a distinct address).
  static std::shared_ptr<void> allocate(std::size_t bytes) {
    using cache = detail::host_block_cache;
    static_assert(alignment == cache::alignment);
    std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    if (rounded == 0) rounded = alignment;
    // With the control block in its head where that costs at most 64 bytes
    // more than the data's own size class, or the data is at most 1 KiB.
    const bool with_head = rounded <= 1024 || cache::class_size(rounded + alignment) == cache::class_size(rounded);
    const std::size_t block_bytes = with_head ? rounded + alignment : rounded;
    void* block = cache::acquire(block_bytes);
    if (!block) detail::raise("out of host memory allocating ", bytes, " bytes");
    detail::host_memory().allocated(static_cast<std::int64_t>(rounded));
    if (with_head) {
      return std::shared_ptr<void>(static_cast<char*>(block) + alignment,
                                   detail::host_data_release{nullptr, rounded, block_bytes},
                                   detail::host_block_allocator<void>(block, block_bytes));
    }
    // (If the control block cannot be had, shared_ptr calls the deleter: the
    // data block goes back.)
    return std::shared_ptr<void>(block, detail::host_data_release{block, rounded, block_bytes},
                                 detail::host_block_allocator<void>(nullptr, 0));
  }
  static void zero(void* p, std::size_t bytes) { std::memset(p, 0, bytes); }
};

}  // namespace ctrace
