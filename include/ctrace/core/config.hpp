// Host/device macros, the index type and the few switches the whole library shares.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__CUDACC__) || defined(__HIPCC__)
#define CTRACE_HOST_DEVICE __host__ __device__
#define CTRACE_DEVICE __device__
#else
#define CTRACE_HOST_DEVICE
#define CTRACE_DEVICE
#endif

#if defined(_MSC_VER)
#define CTRACE_INLINE __forceinline
#else
#define CTRACE_INLINE inline __attribute__((always_inline))
#endif

#define CTRACE_VERSION_MAJOR 0
#define CTRACE_VERSION_MINOR 1
#define CTRACE_VERSION_PATCH 0

namespace ctrace {

// Sizes, strides and element offsets. Signed, so that negative strides and
// "end minus one" arithmetic never wrap (the convention of PyTorch and Eigen).
using index_t = std::int64_t;

// The most dimensions a tensor may have; fixed so that runtime size arrays
// and broadcasting scratch space can live on the stack.
inline constexpr int max_rank = 8;

}  // namespace ctrace
