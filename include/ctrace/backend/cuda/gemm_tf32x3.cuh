// The f32 GEMM on the tensor cores at f32 accuracy ("3xTF32", CUTLASS's
// OpMultiplyAddFastF32). Each f32 operand x is split into big = tf32(x) and
// small = tf32(x - big), 11 significant bits each (22 of x's 24), and a · b
// is accumulated as a_small·b_big + a_big·b_small + a_big·b_big with
// mma.sync m16n8k8 tf32. A product of two tf32 values is exact in f32; what is
// dropped (a_small·b_small, the last bits of each operand) is a relative
// 2^-22 per product. (Plain TF32, one product, keeps 11 bits: that is
// PyTorch's allow_tf32, not f32.) The tensor cores add with truncation, not
// round-to-nearest, so over a long k the sums drift; each BK-deep k-tile is
// therefore summed by the tensor cores from zero and added to the running sum
// by an ordinary f32 add. The tests measure the error against f64 beside the
// SIMT kernel's.
//
// Two passes. split_tf32_kernel rewrites each operand, whatever its strides,
// as rows along K of big and small values: per 8 consecutive k, the 8 bigs
// then the 8 smalls, rows and k padded with zeros to whole tiles, so the GEMM
// reads without bounds checks and splits nothing in its main loop. (A pass
// over A and B costs a read of each and a write of twice each: about 0.1 ms
// for two 4096 x 4096 operands against ~1.5 ms for their product.) The GEMM:
// a block of 8 warps computes a BM x BN tile (each warp WM x WN) from tiles
// of BK k's moved to shared memory by cp.async, Stages deep. In each k8 step
// the mma's logical k = t and t + 4 (t = lane % 4) are read from the stored
// k = 2t and 2t + 1 of both operands, a permutation of the sum, so each
// thread's pair of bigs (and of smalls) is one 8-byte load; rows are padded
// by 8 floats, which keeps those loads free of bank conflicts.
#pragma once

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>

#include "ctrace/backend/cuda/gemm_common.cuh"
#include "ctrace/backend/cuda/runtime.hpp"

namespace ctrace::cuda_backend {

template <int BM, int BN, int BK, int WM, int WN, int Stages, int MinBlocks = 1>
struct tf32x3_tile {
  static constexpr int bm = BM, bn = BN, bk = BK, wm = WM, wn = WN, stages = Stages, min_blocks = MinBlocks;
  static constexpr int warps_m = BM / WM, warps_n = BN / WN;
  static constexpr int threads = warps_m * warps_n * 32;
  static constexpr int mi = WM / 16, nj = WN / 8;  // m16 and n8 tiles per warp
  static_assert(WM % 16 == 0 && WN % 8 == 0 && BK % 8 == 0, "ctrace: tf32 tiles are whole m16n8k8 steps");
  static constexpr int row_floats = 2 * BK + 8;  // a row of a tile in shared memory: BK bigs and smalls, padding
  static_assert(row_floats % 32 == 8, "ctrace: fragment loads without bank conflicts need rows of 8 mod 32 floats");
  static constexpr int a_floats = BM * row_floats, b_floats = BN * row_floats;
  static constexpr int stage_floats = a_floats + b_floats;
  static constexpr int ldc = BN + 8;  // f32 accumulators staged for the epilogue
  static constexpr int smem_bytes = 4 * (Stages * stage_floats > BM * ldc ? Stages * stage_floats : BM * ldc);
};
using tf32x3_default_tile = tf32x3_tile<128, 128, 32, 64, 32, 3>;

// ---- the split pass ------------------------------------------------------------

// An operand as the split pass reads it: element (batch, mn, k) of a stack of
// matrices at base + batch offset + mn * s_mn + k * s_k; written to
// out + (batch * rows_padded + mn) * 2 * depth_padded.
struct split_operand {
  const float* base;
  index_t s_mn, s_k;
  index_t rows, depth;                // inside the matrix
  index_t rows_padded, depth_padded;  // written (zeros outside)
  bool along_mn;                      // mn contiguous: consecutive threads take consecutive rows
};

// x = big + small + (what is below small's 11 bits), big and small as tf32.
// A value that is not finite (or that rounds past the largest tf32) is kept
// whole in `small` with big = 0: of the three products only a_small·b_big and
// a_big·b_small then carry it, each beside the other operand's nonzero part,
// so inf · b is inf and inf · 0 NaN as in f32. (inf · inf at one k gives NaN
// here, inf in f32: the one case the split cannot keep.)
CTRACE_DEVICE CTRACE_INLINE void split_tf32(float x, float& big, float& small) {
  std::uint32_t high, low;
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(high) : "f"(x));
  const float rest = x - __uint_as_float(high);
  asm("cvt.rna.tf32.f32 %0, %1;\n" : "=r"(low) : "f"(rest));
  const bool finite = fabsf(rest) <= 3.40282347e38f;
  big = finite ? __uint_as_float(high) : 0.0f;
  small = finite ? __uint_as_float(low) : x;
}

// One thread per 8 consecutive k of one row of one batch.
template <int BatchRank>
__global__ void split_tf32_kernel(gemm_args<float, BatchRank> p, bool operand_b, split_operand o, float* out) {
  const index_t groups = o.depth_padded / 8;
  const index_t per_batch = o.rows_padded * groups;
  const index_t total = per_batch * p.batches;
  for (index_t i = static_cast<index_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total;
       i += static_cast<index_t>(gridDim.x) * blockDim.x) {
    const index_t batch = i / per_batch, r = i % per_batch;
    const index_t row = o.along_mn ? r % o.rows_padded : r / groups;
    const index_t group = o.along_mn ? r / o.rows_padded : r % groups;
    index_t coord[gemm_args<float, BatchRank>::batch_slots];
    index_t offset_a, offset_b;
    batch_offsets(p, batch, coord, offset_a, offset_b);
    const float* src = o.base + (operand_b ? offset_b : offset_a) + row * o.s_mn;
    float big[8], small[8];
#pragma unroll
    for (int e = 0; e < 8; ++e) {
      const index_t k = group * 8 + e;
      const float x = row < o.rows && k < o.depth ? src[k * o.s_k] : 0.0f;
      split_tf32(x, big[e], small[e]);
    }
    float4* dst = reinterpret_cast<float4*>(out + (batch * o.rows_padded + row) * 2 * o.depth_padded + group * 16);
    dst[0] = make_float4(big[0], big[1], big[2], big[3]);
    dst[1] = make_float4(big[4], big[5], big[6], big[7]);
    dst[2] = make_float4(small[0], small[1], small[2], small[3]);
    dst[3] = make_float4(small[4], small[5], small[6], small[7]);
  }
}

// ---- the product ------------------------------------------------------------------

// d = a · b + c for one m16n8k8 tf32 step.
CTRACE_DEVICE CTRACE_INLINE void mma_1688_tf32(float (&d)[4], const std::uint32_t (&a)[4], std::uint32_t b0,
                                               std::uint32_t b1, const float (&c)[4]) {
  asm volatile(
      "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%10, %11, %12, %13};\n"
      : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1), "f"(c[0]), "f"(c[1]), "f"(c[2]), "f"(c[3]));
}

// Operands: split rows (split_tf32_kernel) of depth_padded k's, a_rows /
// b_rows rows per batch; the product is p.m x p.n per batch.
template <class Tile, int BatchRank, class Epilogue>
__global__ void __launch_bounds__(Tile::threads, Tile::min_blocks)
    gemm_tf32x3_kernel(gemm_args<float, BatchRank> p, const float* a_split, const float* b_split, index_t a_rows,
                       index_t b_rows, index_t depth_padded, Epilogue epi) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  constexpr int BM = Tile::bm, BN = Tile::bn, BK = Tile::bk, S = Tile::stages, RF = Tile::row_floats;
  constexpr int MI = Tile::mi, NJ = Tile::nj;
  constexpr int row_chunks = 2 * BK / 4;  // 16-byte chunks per row of a k-tile
  unsigned char* smem = gemm_dynamic_smem();
  float* const smem_floats = reinterpret_cast<float*>(smem);
  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid % 32, warp = tid / 32;
  const int wm = warp / Tile::warps_n, wn = warp % Tile::warps_n;
  const int g = lane / 4, t4 = lane % 4;
  const int tiles_m = static_cast<int>((p.m + BM - 1) / BM), tiles_n = static_cast<int>((p.n + BN - 1) / BN);
  const tile_coord tc = tile_of(static_cast<int>(blockIdx.x), tiles_m, tiles_n);
  const index_t m0 = static_cast<index_t>(tc.m) * BM, n0 = static_cast<index_t>(tc.n) * BN;
  const index_t k_tiles = depth_padded / BK;
  const index_t row_length = 2 * depth_padded;
  const std::uint32_t smem_base = smem_address(smem);

  for (index_t batch = blockIdx.z; batch < p.batches; batch += gridDim.z) {
    index_t coord[gemm_args<float, BatchRank>::batch_slots];
    index_t unused_a, unused_b;
    batch_offsets(p, batch, coord, unused_a, unused_b);
    const float* a = a_split + (batch * a_rows + m0) * row_length;
    const float* b = b_split + (batch * b_rows + n0) * row_length;

    // Every chunk of the k-tile is inside the padded operands: no bounds.
    auto load_stage = [&](int stage, index_t kt) {
      const std::uint32_t ta = smem_base + static_cast<std::uint32_t>(stage * Tile::stage_floats) * 4;
      const std::uint32_t tb = ta + Tile::a_floats * 4;
#pragma unroll
      for (int c = tid; c < BM * row_chunks; c += Tile::threads) {
        const int row = c / row_chunks, ch = c % row_chunks;
        cp_async_16(ta + static_cast<std::uint32_t>(row * RF + ch * 4) * 4, a + row * row_length + kt * 2 * BK + ch * 4,
                    16);
      }
#pragma unroll
      for (int c = tid; c < BN * row_chunks; c += Tile::threads) {
        const int row = c / row_chunks, ch = c % row_chunks;
        cp_async_16(tb + static_cast<std::uint32_t>(row * RF + ch * 4) * 4, b + row * row_length + kt * 2 * BK + ch * 4,
                    16);
      }
    };

    float acc[MI][NJ][4];
#pragma unroll
    for (int i = 0; i < MI; ++i)
#pragma unroll
      for (int j = 0; j < NJ; ++j)
#pragma unroll
        for (int e = 0; e < 4; ++e) acc[i][j][e] = 0.0f;

#pragma unroll
    for (int s = 0; s < S - 1; ++s) {
      if (s < k_tiles) load_stage(s, s);
      cp_async_commit();
    }
    for (index_t kt = 0; kt < k_tiles; ++kt) {
      cp_async_wait<S - 2>();
      __syncthreads();
      const index_t next = kt + S - 1;
      if (next < k_tiles) load_stage(static_cast<int>(next % S), next);
      cp_async_commit();

      const float* sa = smem_floats + (kt % S) * Tile::stage_floats;
      const float* sb = sa + Tile::a_floats;
      float part[MI][NJ][4];  // this k-tile's sum, from zero
#pragma unroll
      for (int kk = 0; kk < BK / 8; ++kk) {
        const int k_even = kk * 16 + 2 * t4;  // the pair of bigs (stored k = 2t, 2t + 1); the smalls 8 floats on
        std::uint32_t a_big[MI][4], a_small[MI][4];
#pragma unroll
        for (int i = 0; i < MI; ++i) {
          const float* top = sa + (wm * Tile::wm + 16 * i + g) * RF + k_even;
          const float* bottom = top + 8 * RF;
          const float2 tb = *reinterpret_cast<const float2*>(top), bb = *reinterpret_cast<const float2*>(bottom);
          const float2 ts = *reinterpret_cast<const float2*>(top + 8), bs = *reinterpret_cast<const float2*>(bottom + 8);
          // (row, t), (row + 8, t), (row, t + 4), (row + 8, t + 4)
          a_big[i][0] = __float_as_uint(tb.x);
          a_big[i][1] = __float_as_uint(bb.x);
          a_big[i][2] = __float_as_uint(tb.y);
          a_big[i][3] = __float_as_uint(bb.y);
          a_small[i][0] = __float_as_uint(ts.x);
          a_small[i][1] = __float_as_uint(bs.x);
          a_small[i][2] = __float_as_uint(ts.y);
          a_small[i][3] = __float_as_uint(bs.y);
        }
        std::uint32_t b_big[NJ][2], b_small[NJ][2];
#pragma unroll
        for (int j = 0; j < NJ; ++j) {
          const float* col = sb + (wn * Tile::wn + 8 * j + g) * RF + k_even;
          const float2 big = *reinterpret_cast<const float2*>(col), small = *reinterpret_cast<const float2*>(col + 8);
          b_big[j][0] = __float_as_uint(big.x);  // (t, col), (t + 4, col)
          b_big[j][1] = __float_as_uint(big.y);
          b_small[j][0] = __float_as_uint(small.x);
          b_small[j][1] = __float_as_uint(small.y);
        }
        // The small terms first; each pass over every accumulator, so that
        // consecutive mma's do not wait on each other.
        constexpr float zero[4] = {0.0f, 0.0f, 0.0f, 0.0f};
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NJ; ++j) {
            if (kk == 0) mma_1688_tf32(part[i][j], a_small[i], b_big[j][0], b_big[j][1], zero);
            else mma_1688_tf32(part[i][j], a_small[i], b_big[j][0], b_big[j][1], part[i][j]);
          }
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NJ; ++j) mma_1688_tf32(part[i][j], a_big[i], b_small[j][0], b_small[j][1], part[i][j]);
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NJ; ++j) mma_1688_tf32(part[i][j], a_big[i], b_big[j][0], b_big[j][1], part[i][j]);
      }
#pragma unroll
      for (int i = 0; i < MI; ++i)
#pragma unroll
        for (int j = 0; j < NJ; ++j)
#pragma unroll
          for (int e = 0; e < 4; ++e) acc[i][j][e] += part[i][j][e];
    }
    cp_async_wait<0>();
    __syncthreads();  // every warp is done with the stages: they take the output tile

    float* const tile = smem_floats;
#pragma unroll
    for (int i = 0; i < MI; ++i) {
#pragma unroll
      for (int j = 0; j < NJ; ++j) {
        float* q = tile + (wm * Tile::wm + 16 * i + g) * Tile::ldc + wn * Tile::wn + 8 * j + 2 * t4;
        *reinterpret_cast<float2*>(q) = make_float2(acc[i][j][0], acc[i][j][1]);
        *reinterpret_cast<float2*>(q + 8 * Tile::ldc) = make_float2(acc[i][j][2], acc[i][j][3]);
      }
    }
    __syncthreads();
    auto cursor = epi.at_batch(coord);
    store_tile<BM, BN, Tile::threads>(tile, Tile::ldc, epi, cursor, m0, n0, p.m, p.n, tid);
    __syncthreads();  // the next batch's loads reuse the stages
  }
#else
  (void)p;
  (void)a_split;
  (void)b_split;
  (void)a_rows;
  (void)b_rows;
  (void)depth_padded;
  (void)epi;
  __trap();  // gemm.cuh launches this kernel only on devices of compute capability 8.0 and up
#endif
}

// Whether the current device has tf32 tensor cores (compute capability 8.0 and up).
inline bool tf32_available() {
  static std::atomic<int> cache[max_devices] = {};  // 0 unknown, 1 no, 2 yes
  const int device = current_device();
  int known = cache[device].load(std::memory_order_relaxed);
  if (known == 0) {
    int major = 0;
    check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute");
    known = major >= 8 ? 2 : 1;
    cache[device].store(known, std::memory_order_relaxed);
  }
  return known == 2;
}

}  // namespace ctrace::cuda_backend
