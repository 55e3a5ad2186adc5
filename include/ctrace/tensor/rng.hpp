// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11): the value
// at element i depends only on (seed, offset, i), so any backend and any number
// of threads draw the same tensor.
#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "ctrace/core/config.hpp"

namespace ctrace {

struct philox4x32 {
  struct block {
    std::uint32_t v[4];
  };
  // Ten rounds of Philox4x32 on counter `ctr` with key `key`.
  CTRACE_HOST_DEVICE static block generate(block ctr, std::uint32_t k0, std::uint32_t k1) {
    for (int round = 0; round < 10; ++round) {
      const std::uint64_t p0 = std::uint64_t{0xD2511F53u} * ctr.v[0];
      const std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * ctr.v[2];
      const std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
      const std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
      ctr = block{{hi1 ^ ctr.v[1] ^ k0, lo1, hi0 ^ ctr.v[3] ^ k1, lo0}};
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    return ctr;
  }
  // Block number `n` of the stream keyed by `seed`.
  CTRACE_HOST_DEVICE static block at(std::uint64_t seed, std::uint64_t n) {
    return generate(block{{static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(n >> 32), 0u, 0u}},
                    static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
  }
};

// A seed and a position in its stream. Each draw reserves the Philox blocks it
// uses, so two draws from one generator differ and repeat for the same seed.
class generator {
 public:
  explicit generator(std::uint64_t seed = 0) : seed_(seed), offset_(0) {}
  generator(const generator& other) : seed_(other.seed_), offset_(other.offset_.load()) {}
  generator& operator=(const generator& other) {
    seed_ = other.seed_;
    offset_.store(other.offset_.load());
    return *this;
  }

  std::uint64_t seed() const { return seed_; }
  std::uint64_t offset() const { return offset_.load(); }
  void manual_seed(std::uint64_t seed) {
    seed_ = seed;
    offset_.store(0);
  }
  // Reserves `blocks` Philox blocks and returns the first one's number.
  std::uint64_t reserve(std::uint64_t blocks) { return offset_.fetch_add(blocks); }

 private:
  std::uint64_t seed_;
  std::atomic<std::uint64_t> offset_;
};

// The process-wide generator used when no generator is passed.
// A graph's generator input: a handle on the generator of the call (the
// trace's own while tracing), numbered like the other inputs.
class rng_input {
 public:
  rng_input(generator* g, int index) : g_(g), index_(index) {}
  std::uint64_t seed() const { return g_->seed(); }
  std::uint64_t offset() const { return g_->offset(); }
  std::uint64_t reserve(std::uint64_t blocks) { return g_->reserve(blocks); }
  int source() const { return index_; }

 private:
  generator* g_;
  int index_;
};

template <class G>
concept random_source = std::is_same_v<std::remove_cvref_t<G>, generator> || std::is_same_v<std::remove_cvref_t<G>, rng_input>;

inline generator& default_generator() {
  static generator g(0);
  return g;
}
inline void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }

namespace detail {
// Uniform [0, 1) from 24 random bits (float) or 53 bits (double).
CTRACE_HOST_DEVICE inline float uniform_float(std::uint32_t x) { return static_cast<float>(x >> 8) * 0x1.0p-24f; }
CTRACE_HOST_DEVICE inline double uniform_double(std::uint32_t lo, std::uint32_t hi) {
  const std::uint64_t bits = (static_cast<std::uint64_t>(hi) << 32 | lo) >> 11;
  return static_cast<double>(bits) * 0x1.0p-53;
}
}  // namespace detail

}  // namespace ctrace
