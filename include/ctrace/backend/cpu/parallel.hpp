// Work spread over the CPU cores: one process-wide Eigen thread pool and a
// parallel_for that splits a range into one chunk per thread.
#pragma once

#define EIGEN_USE_THREADS
#include <unsupported/Eigen/CXX11/ThreadPool>

#include <algorithm>
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

// Calls f(begin, end) over [0, n) in up to num_threads() chunks of at least
// `grain` elements; the calling thread takes the first chunk. Runs inline
// when the range is small or when called from a worker (no nested pools).
template <class F>
void parallel_for(index_t n, index_t grain, F&& f) {
  if (n <= 0) return;
  int threads = num_threads();
  index_t chunks = std::min<index_t>(threads, (n + grain - 1) / std::max<index_t>(grain, 1));
  Eigen::ThreadPool* pool = chunks > 1 ? thread_pool() : nullptr;
  if (!pool || pool->CurrentThreadId() != -1) {
    f(index_t(0), n);
    return;
  }
  const index_t per = (n + chunks - 1) / chunks;
  Eigen::Barrier barrier(static_cast<unsigned>(chunks - 1));
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (index_t c = 1; c < chunks; ++c) {
    pool->Schedule([&, c] {
      try {
        index_t b = c * per, e = std::min(n, b + per);
        if (b < e) f(b, e);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
      barrier.Notify();
    });
  }
  try {
    f(index_t(0), std::min(n, per));
  } catch (...) {
    std::lock_guard<std::mutex> lock(failure_mutex);
    if (!failure) failure = std::current_exception();
  }
  barrier.Wait();
  if (failure) std::rethrow_exception(failure);
}

// Below this many elements, elementwise work runs on one thread.
inline constexpr index_t parallel_grain = 32768;

}  // namespace ctrace::cpu_backend
