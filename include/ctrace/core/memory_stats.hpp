// Host memory held by tensors: bytes live now, the peak since the last
// reset, and the count of allocations. Every CPU tensor allocation goes
// through allocator<cpu>, which records here. Used to report the temporaries
// a graph call needs (bench/RESULTS.md: the MLP step).
//
// Each thread counts in its own counters, which only it writes (a relaxed
// load and store: no locked read-modify-write on the allocation path, which
// cost about 6 ns per update on the GPU machine's Xeon, a tenth of a 4x4
// call); host_memory_stats() sums them. So:
//   - live_bytes and allocations are exact (a tensor freed on another thread
//     than the one that made it moves bytes between the two threads' counts;
//     the sum is right);
//   - peak_bytes is the sum of each thread's own peak: exact when one thread
//     allocates (the usual graph call), an upper bound of the true peak when
//     several do;
//   - reset_peak_host_memory() is meant for when no other thread allocates.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace ctrace {

struct memory_stats {
  std::int64_t live_bytes = 0;
  std::int64_t peak_bytes = 0;
  std::int64_t allocations = 0;
};

namespace detail {

struct memory_counts {
  std::atomic<std::int64_t> live{0};
  std::atomic<std::int64_t> peak{0};
  std::atomic<std::int64_t> allocations{0};
};

// Every thread's counters, and what threads that have ended left (their
// tensors may outlive them).
class memory_registry {
 public:
  // Never destroyed: threads may end (and leave) during static destruction.
  static memory_registry& instance() {
    static memory_registry* r = new memory_registry;
    return *r;
  }
  void enter(memory_counts* c) {
    std::lock_guard<std::mutex> lock(mutex_);
    threads_.push_back(c);
  }
  void leave(memory_counts* c) {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_.live_bytes += c->live.load(std::memory_order_relaxed);
    ended_.peak_bytes += c->peak.load(std::memory_order_relaxed);
    ended_.allocations += c->allocations.load(std::memory_order_relaxed);
    std::erase(threads_, c);
  }
  memory_stats sum() {
    std::lock_guard<std::mutex> lock(mutex_);
    memory_stats s = ended_;
    for (memory_counts* c : threads_) {
      s.live_bytes += c->live.load(std::memory_order_relaxed);
      s.peak_bytes += c->peak.load(std::memory_order_relaxed);
      s.allocations += c->allocations.load(std::memory_order_relaxed);
    }
    return s;
  }
  void reset_peaks() {
    std::lock_guard<std::mutex> lock(mutex_);
    ended_.peak_bytes = ended_.live_bytes;
    for (memory_counts* c : threads_) c->peak.store(c->live.load(std::memory_order_relaxed), std::memory_order_relaxed);
  }

 private:
  std::mutex mutex_;
  std::vector<memory_counts*> threads_;
  memory_stats ended_;
};

// This thread's counters, registered while the thread lives.
class thread_memory_counters {
 public:
  thread_memory_counters() { memory_registry::instance().enter(&counts_); }
  ~thread_memory_counters() { memory_registry::instance().leave(&counts_); }
  thread_memory_counters(const thread_memory_counters&) = delete;
  thread_memory_counters& operator=(const thread_memory_counters&) = delete;

  void allocated(std::int64_t bytes) {
    const std::int64_t now = counts_.live.load(std::memory_order_relaxed) + bytes;
    counts_.live.store(now, std::memory_order_relaxed);
    if (now > counts_.peak.load(std::memory_order_relaxed)) counts_.peak.store(now, std::memory_order_relaxed);
    counts_.allocations.store(counts_.allocations.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void freed(std::int64_t bytes) {
    counts_.live.store(counts_.live.load(std::memory_order_relaxed) - bytes, std::memory_order_relaxed);
  }

 private:
  memory_counts counts_;
};

inline thread_memory_counters& host_memory() {
  thread_local thread_memory_counters counters;
  return counters;
}
}  // namespace detail

// Bytes of host memory tensors hold now, at most since the last reset, and
// allocations made (see above for threads).
inline memory_stats host_memory_stats() { return detail::memory_registry::instance().sum(); }

// Starts a new peak from what is live now.
inline void reset_peak_host_memory() { detail::memory_registry::instance().reset_peaks(); }

}  // namespace ctrace
