// What every GEMM kernel shares: the problem as the kernels see it (pointers,
// sizes and strides of a stack of matrix products, broadcast batches at
// stride 0), batch offsets, the order in which tiles are visited, and the PTX
// wrappers for asynchronous copies.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/core/config.hpp"
#include "ctrace/core/shape.hpp"

namespace ctrace::cuda_backend {

// out[b] = A[b] · B[b] for every batch b: A [m, k], B [k, n], each element
// addressed through its own strides (a transposed view is only other strides).
template <class T, int BatchRank>
struct gemm_args {
  static constexpr int batch_slots = BatchRank > 0 ? BatchRank : 1;
  const T* a;
  const T* b;
  index_t m, n, k;
  index_t a_stride_m, a_stride_k;
  index_t b_stride_k, b_stride_n;
  index_t batches;
  index_t batch_sizes[batch_slots];
  index_t a_batch[batch_slots], b_batch[batch_slots];  // 0: broadcast
};

// The coordinates of batch `batch` in the batch dims, and the operands' offsets.
template <class T, int BatchRank>
CTRACE_DEVICE CTRACE_INLINE void batch_offsets(const gemm_args<T, BatchRank>& p, index_t batch, index_t* coord,
                                               index_t& offset_a, index_t& offset_b) {
  offset_a = 0;
  offset_b = 0;
#pragma unroll
  for (int d = BatchRank - 1; d >= 0; --d) {
    const index_t i = batch % p.batch_sizes[d];
    batch /= p.batch_sizes[d];
    coord[d] = i;
    offset_a += i * p.a_batch[d];
    offset_b += i * p.b_batch[d];
  }
}

// Tiles are visited in groups of 8 tile rows, each group sweeping the tile
// columns, so that the blocks running at once share rows of A and columns of B
// in L2 (the "grouped" order of Triton's matmul tutorial).
struct tile_coord {
  int m, n;
};
CTRACE_DEVICE CTRACE_INLINE tile_coord tile_of(int id, int tiles_m, int tiles_n) {
  constexpr int group = 8;
  const int per_group = group * tiles_n;
  const int g = id / per_group;
  const int first = g * group;
  const int size = tiles_m - first < group ? tiles_m - first : group;
  const int r = id - g * per_group;
  return {first + r % size, r / size};
}

// Most blocks along the grid's z (batches beyond it loop inside the kernel).
inline constexpr index_t max_grid_z = 65535;

// The epilogue of a BM x BN tile of accumulators staged in shared memory
// (rows `ld` elements apart): each thread takes runs of 4 columns in turn, so
// that a warp's stores (and its reads of bias or residual) are contiguous
// along rows; the loop is not unrolled, which keeps the epilogue's registers
// apart from the main loop's. Callers synchronize before and after.
template <int BM, int BN, int Threads, class P, class Epilogue, class Cursor>
CTRACE_DEVICE CTRACE_INLINE void store_tile(const P* tile, int ld, const Epilogue& epi, Cursor& cursor, index_t m0,
                                            index_t n0, index_t m, index_t n, int tid) {
  static_assert(BN % 4 == 0, "ctrace: epilogue runs are 4 columns");
#pragma unroll 1
  for (int i = tid; i < BM * BN / 4; i += Threads) {
    const int row = i / (BN / 4), col = (i % (BN / 4)) * 4;
    if (m0 + row >= m) break;  // rows only grow with i
    const vec<P, 4> v = load_vector<4, false>(tile + row * ld + col);
    const P run[4] = {v.v[0], v.v[1], v.v[2], v.v[3]};
    epi.template store<4>(cursor, m0 + row, n0 + col, run, m, n);
  }
}

// A warp's grid of m16n8 mma accumulators (MI x NJ tiles of 4 each; the
// warp's part of the block tile starts at row0, col0) into the staged output
// tile, rows `ld` floats apart.
template <int MI, int NJ>
CTRACE_DEVICE CTRACE_INLINE void stage_mma_fragments(float* tile, int ld, const float (&acc)[MI][NJ][4], int row0,
                                                     int col0, int lane) {
  const int g = lane / 4, t4 = lane % 4;
#pragma unroll
  for (int i = 0; i < MI; ++i) {
#pragma unroll
    for (int j = 0; j < NJ; ++j) {
      float* q = tile + (row0 + 16 * i + g) * ld + col0 + 8 * j + 2 * t4;
      *reinterpret_cast<float2*>(q) = make_float2(acc[i][j][0], acc[i][j][1]);
      *reinterpret_cast<float2*>(q + 8 * ld) = make_float2(acc[i][j][2], acc[i][j][3]);
    }
  }
}

// A consumer warpgroup's m64 x BN wgmma accumulators (rows 64c .. 64c + 63 of
// the block tile; t: the thread in the warpgroup) into the staged output tile.
template <int BN>
CTRACE_DEVICE CTRACE_INLINE void stage_wgmma_accumulators(float* tile, int ld, const float (&d)[BN / 2], int c, int t) {
  const int warp = t / 32, lane = t % 32;
  float* const row = tile + (64 * c + 16 * warp + lane / 4) * ld + 2 * (lane % 4);
#pragma unroll
  for (int j = 0; j < BN / 8; ++j) {
    *reinterpret_cast<float2*>(row + 8 * j) = make_float2(d[4 * j], d[4 * j + 1]);
    *reinterpret_cast<float2*>(row + 8 * ld + 8 * j) = make_float2(d[4 * j + 2], d[4 * j + 3]);
  }
}

// ---- PTX wrappers -------------------------------------------------------------

// The dynamic shared memory of the GEMM kernels (one declaration for all).
CTRACE_DEVICE CTRACE_INLINE unsigned char* gemm_dynamic_smem() {
  extern __shared__ __align__(16) unsigned char ctrace_gemm_smem[];
  return ctrace_gemm_smem;
}

CTRACE_DEVICE CTRACE_INLINE std::uint32_t smem_address(const void* p) {
  return static_cast<std::uint32_t>(__cvta_generic_to_shared(p));
}

// 16 bytes from global to shared memory, asynchronously; the bytes past
// `src_bytes` (0 to 16) are zero-filled and not read.
CTRACE_DEVICE CTRACE_INLINE void cp_async_16(std::uint32_t dst, const void* src, int src_bytes) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(src_bytes) : "memory");
}
CTRACE_DEVICE CTRACE_INLINE void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int Pending>
CTRACE_DEVICE CTRACE_INLINE void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending) : "memory");
}

}  // namespace ctrace::cuda_backend
