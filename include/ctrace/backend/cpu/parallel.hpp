// Work spread over the CPU cores: one process-wide Eigen thread pool and a
// parallel_for that splits a range into one chunk per thread.
#pragma once

#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/ThreadPool>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "ctrace/core/config.hpp"

namespace ctrace::cpu_backend {

namespace detail {
inline int default_thread_count() {
  if (const char* env = std::getenv("CTRACE_NUM_THREADS")) {
    int n = std::atoi(env);
    if (n > 0) return n;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

struct pool_state {
  std::mutex mutex;
  int threads = default_thread_count();
  std::unique_ptr<Eigen::ThreadPool> pool;  // threads - 1 workers; the caller is the last
};

inline pool_state& state() {
  static pool_state s;
  return s;
}
}  // namespace detail

// Threads used by parallel loops (CTRACE_NUM_THREADS, else the core count).
inline int num_threads() { return detail::state().threads; }

// Changes the thread count; call it while no ctrace work is running.
inline void set_num_threads(int n) {
  auto& s = detail::state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.threads = n < 1 ? 1 : n;
  s.pool.reset();
}

inline Eigen::ThreadPool* thread_pool() {
  auto& s = detail::state();
  if (s.threads <= 1) return nullptr;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.pool) s.pool = std::make_unique<Eigen::ThreadPool>(s.threads - 1);
  return s.pool.get();
}

// Calls f(begin, end) over [0, n) in chunks of at least `grain` elements,
// spread over num_threads() threads; the calling thread works too. There are a
// few chunks per thread, claimed from a shared counter, so a thread that the
// machine slows down does not hold the others up. Chunk boundaries depend only
// on n, grain and the thread count, not on timing. Runs inline when the range
// is small or when called from a worker (no nested pools).
template <class F>
void parallel_for(index_t n, index_t grain, F&& f) {
  if (n <= 0) return;
  const int threads = num_threads();
  grain = std::max<index_t>(grain, 1);
  const index_t max_chunks = (n + grain - 1) / grain;
  const index_t chunks = std::min<index_t>(max_chunks, index_t(threads) * 4);
  Eigen::ThreadPool* pool = chunks > 1 && threads > 1 ? thread_pool() : nullptr;
  if (!pool || pool->CurrentThreadId() != -1) {
    f(index_t(0), n);
    return;
  }
  const index_t per = (n + chunks - 1) / chunks;
  std::atomic<index_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    try {
      for (index_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
        const index_t b = c * per, e = std::min(n, b + per);
        if (b < e) f(b, e);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next.store(chunks);  // stop handing out work
    }
  };
  const int helpers = static_cast<int>(std::min<index_t>(threads - 1, chunks - 1));
  Eigen::Barrier barrier(static_cast<unsigned>(helpers));
  for (int h = 0; h < helpers; ++h) {
    pool->Schedule([&] {
      work();
      barrier.Notify();
    });
  }
  work();
  barrier.Wait();
  if (failure) std::rethrow_exception(failure);
}

// Below this many elements, elementwise work runs on one thread.
inline constexpr index_t parallel_grain = 32768;

}  // namespace ctrace::cpu_backend
