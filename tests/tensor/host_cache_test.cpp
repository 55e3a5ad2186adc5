// Host tensor memory: the per-thread block cache's size classes, and tensors
// whose shared_ptr control block lives in the head of their own block (small
// ones) or in a 64-byte block of its own (large ones).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <vector>

#include <ctrace/ctrace.hpp>

using namespace ctrace;
using cache = ctrace::detail::host_block_cache;

namespace {
// The classes as first written, with divisions: 64 B, then four per power of two.
std::size_t reference_class_size(std::size_t bytes) {
  if (bytes <= 64) return 64;
  if (bytes > cache::largest) return (bytes + 63) / 64 * 64;
  std::size_t base = 64;
  while (base * 2 < bytes) base *= 2;  // base < bytes <= 2 * base
  const std::size_t step = base / 4;
  return base + (bytes - base + step - 1) / step * step;
}
}  // namespace

TEST_CASE("host block cache: size classes round up by at most a quarter, one list per class") {
  std::vector<std::size_t> probes;
  for (std::size_t b = 1; b <= 4096; ++b) probes.push_back(b);
  for (std::size_t p = 4096; p <= cache::largest * 2; p *= 2) {
    for (std::size_t d : {p - 1, p, p + 1, p + p / 4, p + p / 4 + 1, p + p / 2, p + 3 * p / 4 - 1}) probes.push_back(d);
  }
  int last_index = -1;
  std::size_t last_size = 0;
  for (std::size_t b : probes) {
    CAPTURE(b);
    const auto sc = cache::classify(b);
    CHECK(sc.size == reference_class_size(b));
    CHECK(sc.size >= b);
    if (b % 64 == 0) CHECK(sc.size % 64 == 0);  // tensors ask for multiples of 64: their blocks stay aligned
    if (sc.size > cache::largest) {
      CHECK(sc.index == cache::class_count);  // not cached
    } else {
      CHECK(sc.index >= 0);
      CHECK(sc.index < cache::class_count);
      CHECK(cache::classify(sc.size).index == sc.index);  // a class size is its own class
      if (sc.size == last_size) CHECK(sc.index == last_index);
      if (sc.size > last_size && last_size > 0) CHECK(sc.index == last_index + 1);
      last_index = sc.index;
      last_size = sc.size;
    }
  }
  CHECK(cache::classify(cache::largest).index == cache::class_count - 1);
}

TEST_CASE("host tensors: aligned data apart from the control block, small and large") {
  // Sizes whose blocks hold their control block (small), and powers of two
  // above 1 KiB whose class has no room to spare (control block apart).
  for (index_t n : {1, 3, 16, 100, 256, 1000, 1024, 4096, 65536, 1 << 20}) {
    CAPTURE(n);
    constexpr auto N = sym<"N">;
    std::vector<Tensor<float, N>> live;
    for (int k = 0; k < 4; ++k) {  // several at once, then again from the cache
      for (int round = 0; round < 2; ++round) {
        auto t = Tensor<float, N>::uninitialized({n});
        CHECK(reinterpret_cast<std::uintptr_t>(t.data()) % 64 == 0);
        for (index_t i = 0; i < n; ++i) t.data()[i] = static_cast<float>(i + k);
        if (round == 1) live.push_back(t);
      }
    }
    for (int k = 0; k < 4; ++k) {
      const auto& t = live[static_cast<std::size_t>(k)];
      CHECK(t.owner().use_count() == 1);
      bool intact = true;  // nothing (a control block, another tensor) wrote over the data
      for (index_t i = 0; i < n; ++i) intact = intact && t.data()[i] == static_cast<float>(i + k);
      CHECK(intact);
    }
  }
}

TEST_CASE("host tensors: handles share one count; a weak reference outlives the data's owners") {
  const auto before = host_memory_stats();
  std::weak_ptr<void> weak;
  {
    Tensor<float, 4, 4> a = full<float, 4, 4>(3.0f);
    Tensor<float, 4, 4> b = a;  // a handle on the same memory
    CHECK(a.owner().use_count() == 2);
    weak = a.owner();
    CHECK(host_memory_stats().live_bytes - before.live_bytes == 64);
  }
  CHECK(weak.expired());
  CHECK(host_memory_stats().live_bytes == before.live_bytes);  // freed when the last handle went
  weak.reset();                                                 // the block itself goes now
  Tensor<float, 4, 4> c = full<float, 4, 4>(1.0f);
  CHECK(c(3, 3) == 1.0f);
}
