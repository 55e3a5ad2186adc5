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
  static constexpr int class_count = 1 + 4 * (26 - 6);  // 64 B, then 2^6 .. 2^26 in quarters
  static constexpr std::size_t largest = std::size_t{64} << 20;
  static constexpr std::size_t budget = std::size_t{256} << 20;  // cached bytes per thread
  static constexpr int depth = 8;                                 // blocks per class

  // The size class a request of `bytes` is served from: its size (bytes
  // itself, rounded to 64, above `largest`) and its list. Shifts, not
  // divisions: the steps are powers of two, and a 64-bit division costs tens
  // of cycles, as much as the rest of a lookup.
  struct size_class {
    std::size_t size;
    int index;
  };
  static constexpr size_class classify(std::size_t bytes) {
    if (bytes <= alignment) return {alignment, 0};
    if (bytes > largest) return {(bytes + alignment - 1) / alignment * alignment, class_count};
    const int k = std::bit_width(bytes - 1) - 1;  // 2^k < bytes <= 2^(k+1), k >= 6
    const std::size_t base = std::size_t{1} << k;
    const std::size_t quarters = (bytes - base + (base >> 2) - 1) >> (k - 2);  // 1 to 4
    return {base + (quarters << (k - 2)), 4 * (k - 6) + static_cast<int>(quarters)};
  }
  static constexpr std::size_t class_size(std::size_t bytes) { return classify(bytes).size; }

  // A block of class_size(bytes) bytes, 64-byte aligned; null when the
  // system has none.
  static void* acquire(std::size_t bytes) {
    const size_class sc = classify(bytes);
    if (host_cache_enabled && sc.index < class_count && alive()) {
      host_block_cache& c = mine();
      list& l = c.lists_[sc.index];
      if (l.count > 0) {
        c.cached_ -= sc.size;
        return l.blocks[--l.count];
      }
    }
    return std::aligned_alloc(alignment, sc.size);
  }

  // Gives back a block from acquire(bytes).
  static void release(void* p, std::size_t bytes) {
    const size_class sc = classify(bytes);
    if (host_cache_enabled && sc.index < class_count && alive()) {
      host_block_cache& c = mine();
      list& l = c.lists_[sc.index];
      if (l.count < depth && c.cached_ + sc.size <= budget) {
        l.blocks[l.count++] = p;
        c.cached_ += sc.size;
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
