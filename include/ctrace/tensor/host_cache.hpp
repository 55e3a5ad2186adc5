// A per-thread cache of freed host blocks, by size class, so that a graph
// called in a loop gets its temporaries and results without going to malloc
// (and, for large blocks, without glibc mapping and unmapping pages on every
// call). Classes are 64 B, then four per power of two (2^k, 1.25, 1.5 and
// 1.75 times it: at most 25% rounding) up to 64 MiB; larger blocks, and
// blocks beyond a class's depth or the thread's byte budget, go straight
// back to the system. A block freed on another thread joins that thread's
// cache (the memory is the process's either way).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdlib>

namespace ctrace::detail {

// Under AddressSanitizer blocks go straight back to the system, so that a
// use after free of tensor memory is still reported.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool host_cache_enabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool host_cache_enabled = false;
#else
inline constexpr bool host_cache_enabled = true;
#endif
#else
inline constexpr bool host_cache_enabled = true;
#endif

class host_block_cache {
 public:
  static constexpr std::size_t alignment = 64;
  static constexpr std::size_t largest = std::size_t{64} << 20;
  static constexpr std::size_t budget = std::size_t{256} << 20;  // cached bytes per thread
  static constexpr int depth = 8;                                 // blocks per class

  // The class size a request of `bytes` is served with (bytes itself above `largest`).
  static constexpr std::size_t class_size(std::size_t bytes) {
    if (bytes <= alignment) return alignment;
    if (bytes > largest) return (bytes + alignment - 1) / alignment * alignment;
    const int k = std::bit_width(bytes - 1) - 1;  // 2^k < bytes <= 2^(k+1)
    const std::size_t base = std::size_t{1} << k, step = base / 4;
    return base + (bytes - base + step - 1) / step * step;
  }

  // A block of class_size(bytes) bytes, 64-byte aligned; null when the
  // system has none.
  static void* acquire(std::size_t bytes) {
    const std::size_t size = class_size(bytes);
    if (host_cache_enabled && size <= largest && alive()) {
      host_block_cache& c = mine();
      list& l = c.lists_[index(size)];
      if (l.count > 0) {
        c.cached_ -= size;
        return l.blocks[--l.count];
      }
    }
    return std::aligned_alloc(alignment, size);
  }

  // Gives back a block from acquire(bytes).
  static void release(void* p, std::size_t bytes) {
    const std::size_t size = class_size(bytes);
    if (host_cache_enabled && size <= largest && alive()) {
      host_block_cache& c = mine();
      list& l = c.lists_[index(size)];
      if (l.count < depth && c.cached_ + size <= budget) {
        l.blocks[l.count++] = p;
        c.cached_ += size;
        return;
      }
    }
    std::free(p);
  }

  ~host_block_cache() {
    alive() = false;
    for (list& l : lists_) {
      for (int i = 0; i < l.count; ++i) std::free(l.blocks[i]);
    }
  }

 private:
  struct list {
    void* blocks[depth];
    int count = 0;
  };
  static constexpr int class_count = 1 + 4 * (26 - 6);  // 64 B, then 2^6 .. 2^26 in quarters

  static constexpr int index(std::size_t size) {
    if (size <= alignment) return 0;
    const int k = std::bit_width(size - 1) - 1;
    const std::size_t base = std::size_t{1} << k;
    return 1 + 4 * (k - 6) + static_cast<int>((size - base) / (base / 4)) - 1;
  }

  // False once this thread's cache is destroyed (a tensor freed later, during
  // exit, goes to the system). Trivially destructible, so readable then.
  static bool& alive() {
    thread_local bool a = true;
    return a;
  }
  static host_block_cache& mine() {
    thread_local host_block_cache c;
    return c;
  }

  list lists_[class_count];
  std::size_t cached_ = 0;
};

}  // namespace ctrace::detail
