// Host memory held by tensors: bytes live now, the peak since the last
// reset, and the count of allocations. Every CPU tensor allocation goes
// through allocator<cpu>, which records here (relaxed atomics: a few
// nanoseconds next to the allocation itself). Used to report the
// temporaries a graph call needs (bench/RESULTS.md: the MLP step).
#pragma once

#include <atomic>
#include <cstdint>

namespace ctrace {

struct memory_stats {
  std::int64_t live_bytes = 0;
  std::int64_t peak_bytes = 0;
  std::int64_t allocations = 0;
};

namespace detail {
struct host_memory_counters {
  std::atomic<std::int64_t> live{0};
  std::atomic<std::int64_t> peak{0};
  std::atomic<std::int64_t> allocations{0};

  void allocated(std::int64_t bytes) {
    const std::int64_t now = live.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    std::int64_t p = peak.load(std::memory_order_relaxed);
    while (now > p && !peak.compare_exchange_weak(p, now, std::memory_order_relaxed)) {
    }
    allocations.fetch_add(1, std::memory_order_relaxed);
  }
  void freed(std::int64_t bytes) { live.fetch_sub(bytes, std::memory_order_relaxed); }
};
inline host_memory_counters& host_memory() {
  static host_memory_counters counters;
  return counters;
}
}  // namespace detail

// Bytes of host memory tensors hold now, at most since the last reset, and
// allocations made.
inline memory_stats host_memory_stats() {
  auto& c = detail::host_memory();
  return {c.live.load(std::memory_order_relaxed), c.peak.load(std::memory_order_relaxed),
          c.allocations.load(std::memory_order_relaxed)};
}

// Starts a new peak from what is live now.
inline void reset_peak_host_memory() {
  auto& c = detail::host_memory();
  c.peak.store(c.live.load(std::memory_order_relaxed), std::memory_order_relaxed);
}

}  // namespace ctrace
