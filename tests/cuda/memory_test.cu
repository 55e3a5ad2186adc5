// Device tensors: copies between host and device, the caching allocator,
// streams, and errors (every CUDA failure a cuda_error naming the call).
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "cuda_test_util.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {
constexpr auto N = sym<"N">;
constexpr auto M = sym<"M">;
using matrix = shape_of<N, M>;
}  // namespace

TEST_CASE("to_device and to_host copy values both ways, for every dtype") {
  auto check_round_trip = [](auto tag) {
    using T = decltype(tag);
    const auto h = random_host<T, matrix>({7, 33});
    const tensor<T, matrix, cuda> d = to_device(h);
    CHECK(d.sizes() == h.sizes());
    CHECK(d.is_contiguous());
    CHECK(d.data() != nullptr);
    const tensor<T, matrix, cpu> back = to_host(d);
    CHECK(back.data() != h.data());
    check_close(back, to_vector(h), 0.0);
  };
  check_round_trip(float{});
  check_round_trip(double{});
  check_round_trip(std::int32_t{});
  check_round_trip(std::int64_t{});
  check_round_trip(bool{});
  check_round_trip(f16{});
  check_round_trip(bf16{});
}

TEST_CASE("x.to<cuda>() and x.to<cpu>() are the copies; to its own device a tensor is itself") {
  const auto h = random_host<float, matrix>({5, 6});
  const auto d = h.to<cuda>();
  static_assert(std::is_same_v<decltype(d), const tensor<float, matrix, cuda>>);
  const auto same = d.to<cuda>();
  CHECK(same.data() == d.data());
  const auto back = d.to<cpu>();
  static_assert(std::is_same_v<decltype(back), const tensor<float, matrix, cpu>>);
  check_close(back, to_vector(h), 0.0);
}

TEST_CASE("strided views copy as their logical values") {
  const auto h = random_host<float, shape_of<6, 10>>({6, 10});
  // A host view: transposed and sliced; to_device gathers it.
  const auto hv = h.transpose().slice<0>(1, 9, 3);  // [3, 6] with strides {3, 10}
  const auto d = to_device(hv);
  CHECK(d.is_contiguous());
  check_close(d, to_vector(hv), 0.0);
  // A device view: to_host makes it contiguous on the device first.
  const auto dfull = to_device(h);
  const auto dv = dfull.transpose().slice<0>(1, 9, 3);
  CHECK(!dv.is_contiguous());
  check_close(to_host(dv), to_vector(hv), 0.0);
  // Broadcast (stride-0) views too.
  const auto row = h.select<0>(2);
  const auto dexp = to_device(row).unsqueeze<0>().expand<4, 10>();
  check_close(dexp, expected_from(40, [&](std::size_t k) { return static_cast<double>(row(static_cast<index_t>(k % 10))); }), 0.0);
}

TEST_CASE("empty and rank-0 tensors copy") {
  const auto h0 = tensor<float, matrix, cpu>::uninitialized({0, 4});
  const auto d0 = to_device(h0);
  CHECK(d0.numel() == 0);
  CHECK(to_host(d0).numel() == 0);
  auto s = tensor<double, shape<>, cpu>::uninitialized({});
  *s.data() = 2.5;
  CHECK(to_host(to_device(s)).item() == 2.5);
}

TEST_CASE("a new device tensor is zero-filled, also in reused memory") {
  const void* first = nullptr;
  {
    CudaTensor<float, 64, 64> ones;
    ones.fill_(1.0f);
    first = ones.data();
    check_close(ones, std::vector<double>(64 * 64, 1.0), 0.0);
  }  // back to the cache
  CudaTensor<float, 64, 64> zeros;
  CHECK(zeros.data() == first);  // same size class, same stream: the cached block
  check_close(zeros, std::vector<double>(64 * 64, 0.0), 0.0);
}

TEST_CASE("size classes: 512-byte steps up to 4 KiB, then 8 per power of two") {
  using cuda_backend::caching_allocator;
  CHECK(caching_allocator::size_class(0) == 512);
  CHECK(caching_allocator::size_class(1) == 512);
  CHECK(caching_allocator::size_class(512) == 512);
  CHECK(caching_allocator::size_class(513) == 1024);
  CHECK(caching_allocator::size_class(4096) == 4096);
  CHECK(caching_allocator::size_class(4097) == 4608);
  CHECK(caching_allocator::size_class(5000) == 5120);
  CHECK(caching_allocator::size_class(1u << 20) == (1u << 20));
  CHECK(caching_allocator::size_class((1u << 20) + 1) == (1u << 20) + (1u << 17));
  CHECK(caching_allocator::size_class((std::size_t{1} << 28) * 3) == (std::size_t{1} << 28) * 3);
  for (std::size_t bytes = 1; bytes < (std::size_t{1} << 26); bytes = bytes * 5 / 4 + 7) {
    const std::size_t c = caching_allocator::size_class(bytes);
    INFO("bytes " << bytes << " class " << c);
    CHECK(c >= bytes);
    CHECK((bytes <= 4096 ? c - bytes < 512 : c - bytes <= bytes / 8));
  }
}

TEST_CASE("once warm, evaluating expressions makes no cudaMalloc and returns its memory") {
  const auto x = to_device(random_host<float, matrix>({300, 257}));
  const auto y = to_device(random_host<float, matrix>({300, 257}));
  auto body = [&] {
    tensor<float, matrix, cuda> z = sigmoid(tanh(x * (x + y)));
    tensor<float, matrix, cuda> w = z * 2 + x;
    return cuda_memory().bytes_in_use;
  };
  const std::size_t in_use_before = cuda_memory().bytes_in_use;
  CHECK(body() >= in_use_before + 2 * 300 * 257 * sizeof(float));  // warm: the two results' blocks
  const cuda_memory_stats before = cuda_memory();
  CHECK(before.bytes_in_use == in_use_before);
  for (int i = 0; i < 50; ++i) CHECK(body() >= before.bytes_in_use + 2 * 300 * 257 * sizeof(float));
  synchronize();
  const cuda_memory_stats after = cuda_memory();
  CHECK(after.cuda_mallocs == before.cuda_mallocs);
  CHECK(after.bytes_in_use == before.bytes_in_use);
}

TEST_CASE("cuda_empty_cache returns cached blocks to CUDA and keeps live tensors") {
  const auto h = random_host<float, matrix>({128, 128});
  const auto keep = to_device(h);
  { CudaTensor<float, 1000, 1000> temp; }
  CHECK(cuda_memory().bytes_cached >= 1000 * 1000 * sizeof(float));
  const std::size_t frees = cuda_memory().cuda_frees;
  cuda_empty_cache();
  CHECK(cuda_memory().bytes_cached == 0);
  CHECK(cuda_memory().cuda_frees > frees);
  check_close(keep, to_vector(h), 0.0);
}

TEST_CASE("out of memory throws cuda_error naming the size, and earlier tensors stay intact") {
  const auto h = random_host<float, matrix>({64, 100});
  const auto keep = to_device(h);
  const std::size_t in_use = cuda_memory().bytes_in_use;
  constexpr index_t huge = index_t{1} << 46;  // 2^48 bytes of floats: more than any GPU has
  std::string message;
  try {
    const tensor<float, shape_of<dyn>, cuda> too_big(huge);
    FAIL("allocating 2^48 bytes did not throw");
  } catch (const cuda_error& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(message.find("cudaMalloc failed allocating 281474976710656 bytes") != std::string::npos);
  CHECK(message.find("cudaErrorMemoryAllocation") != std::string::npos);
  CHECK(cuda_memory().bytes_in_use == in_use);
  check_close(keep, to_vector(h), 0.0);
  // CUDA is still usable: a kernel and a copy after the failure.
  const tensor<float, matrix, cuda> doubled = keep * 2;
  check_close(doubled, expected_from(6400, [&](std::size_t k) { return 2 * at_index(h, k); }), 0.0);
}

TEST_CASE("a failed kernel launch is a cuda_error naming the launch and CUDA's message") {
  const auto x = to_device(random_host<float, matrix>({4, 4}));
  auto out = tensor<float, matrix, cuda>::uninitialized({4, 4});
  std::string message;
  try {
    cuda_backend::run_elementwise(out.strided(), to_node(x), cuda_backend::launch_shape{4096, 1});  // > 1024 threads
    FAIL("a block of 4096 threads launched");
  } catch (const cuda_error& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(message.find("ctrace: elementwise kernel launch failed (vector path, 16 elements): ") == 0);
  CHECK(message.find("(cudaErrorInvalid") != std::string::npos);  // CUDA's name: InvalidValue on H100, driver 580
  // The error does not stick: the next evaluation works.
  out.assign(x + 1);
  const auto hx = to_vector(x);
  check_close(to_vector(out), expected_from(16, [&](std::size_t k) { return static_cast<double>(static_cast<float>(hx[k] + 1)); }), 0.0);
}

TEST_CASE("each thread has its own default stream; stream_scope redirects work") {
  const cudaStream_t mine = current_stream();
  CHECK(mine == default_stream().get());
  cudaStream_t other = nullptr;
  std::thread([&] { other = current_stream(); }).join();
  CHECK(other != nullptr);
  CHECK(other != mine);

  cuda_stream side;
  const auto h = random_host<float, matrix>({50, 70});
  const auto x = to_device(h);
  {
    stream_scope scope(side);
    CHECK(current_stream() == side.get());
    tensor<float, matrix, cuda> y = x * x;  // queued on `side` (x is ready: to_device finished)
    side.synchronize();
    CHECK(current_stream() == side.get());
    check_close(y, expected_from(3500, [&](std::size_t k) { const double v = at_index(h, k); return static_cast<double>(static_cast<float>(v * v)); }), 0.0);
  }
  CHECK(current_stream() == mine);
}

TEST_CASE("threads allocate, compute and free concurrently") {
  const std::size_t baseline = cuda_memory().bytes_in_use;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<float> hv(1000 + 37 * static_cast<std::size_t>(t));
      for (std::size_t i = 0; i < hv.size(); ++i) hv[i] = static_cast<float>(i % 97) * 0.25f;
      const auto n = static_cast<index_t>(hv.size());
      for (int round = 0; round < 40; ++round) {
        const tensor<float, shape_of<dyn>, cpu> h(nullptr, hv.data(), {n}, {1});
        const auto d = to_device(h);
        tensor<float, shape_of<dyn>, cuda> r = d * 3 + static_cast<float>(round);
        const auto back = to_host(r);
        for (index_t i = 0; i < n; ++i) {
          if (back(i) != hv[static_cast<std::size_t>(i)] * 3 + static_cast<float>(round)) {
            ++failures;
            break;
          }
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
  CHECK(cuda_memory().bytes_in_use == baseline);
}
