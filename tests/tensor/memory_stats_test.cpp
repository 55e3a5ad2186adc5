#include <doctest/doctest.h>

#include <optional>
#include <thread>

#include <ctrace/ctrace.hpp>

using namespace ctrace;

TEST_CASE("memory stats: tensors' host memory is counted live, at peak and freed") {
  const auto before = host_memory_stats();
  reset_peak_host_memory();
  {
    Tensor<float, 1000> a;  // 4000 bytes, rounded up to the 64-byte alignment: 4032
    const auto during = host_memory_stats();
    CHECK(during.live_bytes - before.live_bytes == 4032);
    CHECK(during.allocations - before.allocations == 1);
    {
      Tensor<double, 10, 10> b;  // 800 bytes, 832 with alignment
      CHECK(host_memory_stats().live_bytes - before.live_bytes == 4032 + 832);
      auto view = a;  // a handle: no new memory
      CHECK(host_memory_stats().allocations - before.allocations == 2);
    }
    CHECK(host_memory_stats().live_bytes - before.live_bytes == 4032);
    CHECK(host_memory_stats().peak_bytes - before.live_bytes == 4032 + 832);
  }
  CHECK(host_memory_stats().live_bytes == before.live_bytes);
  reset_peak_host_memory();
  CHECK(host_memory_stats().peak_bytes == before.live_bytes);
}

TEST_CASE("memory stats: tensors made and freed on other threads are counted") {
  const auto before = host_memory_stats();
  std::optional<Tensor<float, 1000>> a;
  std::thread([&] { a.emplace(); }).join();  // made on a thread that has ended since
  CHECK(host_memory_stats().live_bytes - before.live_bytes == 4032);
  CHECK(host_memory_stats().allocations - before.allocations == 1);
  std::thread([&] { a.reset(); }).join();  // freed on another
  CHECK(host_memory_stats().live_bytes == before.live_bytes);
  {
    Tensor<float, 1000> b;
    std::thread([&] { b = Tensor<float, 1000>(); }).join();  // b's first memory is freed there, its new made there
    CHECK(host_memory_stats().live_bytes - before.live_bytes == 4032);
    CHECK(host_memory_stats().allocations - before.allocations == 3);
  }
  CHECK(host_memory_stats().live_bytes == before.live_bytes);
}
