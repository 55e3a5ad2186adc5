// doctest's main for the CUDA tests, alone in this file so that it is compiled
// once. Without a usable CUDA device the program says so and exits with 77,
// which CTest reports as skipped (SKIP_RETURN_CODE): never a failure, never a
// silent pass.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cuda_runtime_api.h>

#include <cstdio>

int main(int argc, char** argv) {
  int devices = 0;
  const cudaError_t status = cudaGetDeviceCount(&devices);
  if (status != cudaSuccess || devices == 0) {
    std::printf("SKIPPED: no usable CUDA device (cudaGetDeviceCount: %s)\n",
                status != cudaSuccess ? cudaGetErrorString(status) : "0 devices");
    return 77;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) {
    std::printf("CUDA device 0: %s, compute capability %d.%d, %d multiprocessors\n", prop.name, prop.major,
                prop.minor, prop.multiProcessorCount);
  }
  doctest::Context context(argc, argv);
  return context.run();
}
