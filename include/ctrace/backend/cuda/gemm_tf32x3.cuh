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
// as two planes of rows along K, the bigs and the smalls, rows and k padded
// with zeros to whole tiles, so the product reads without bounds checks and
// splits nothing in its main loop. (A pass over A and B costs a read of each
// and a write of twice each: about 0.1 ms for two 4096 x 4096 operands.) The
// product then runs on one of two kernels:
//   - gemm_tf32x3_wgmma_kernel (sm_90a): warpgroup MMA m64n128k8 fed by TMA,
//     as gemm_wgmma.cuh for 16-bit operands, with four tiles per stage (A and
//     B, big and small) and each k-tile summed from zero into registers of its
//     own, then added to the running sum;
//   - gemm_tf32x3_kernel (sm_80 and up, or batches beyond the grid): mma.sync
//     m16n8k8, a block of 8 warps computing a BM x BN tile (each warp WM x WN)
//     from tiles moved to shared memory by cp.async, Stages deep. In each k8
//     step the mma's logical k = t and t + 4 (t = lane % 4) are read from the
//     stored k = 2t and 2t + 1 of both operands, a permutation of the sum, so
//     each thread's pair is one 8-byte load; rows padded to 8 or 24 mod 32
//     floats keep those loads free of bank conflicts.
#pragma once

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>

#include "ctrace/backend/cuda/gemm_common.cuh"
#include "ctrace/backend/cuda/gemm_wgmma.cuh"
#include "ctrace/backend/cuda/runtime.hpp"

namespace ctrace::cuda_backend {

template <int BM, int BN, int BK, int WM, int WN, int Stages, int MinBlocks = 1>
struct tf32x3_tile {
  static constexpr int bm = BM, bn = BN, bk = BK, wm = WM, wn = WN, stages = Stages, min_blocks = MinBlocks;
  static constexpr int warps_m = BM / WM, warps_n = BN / WN;
  static constexpr int threads = warps_m * warps_n * 32;
  static constexpr int mi = WM / 16, nj = WN / 8;  // m16 and n8 tiles per warp
  static_assert(WM % 16 == 0 && WN % 8 == 0 && BK % 8 == 0, "ctrace: tf32 tiles are whole m16n8k8 steps");
  static constexpr int row_floats = BK + 8;  // a row of a tile in shared memory, padded
  static_assert(row_floats % 32 == 8 || row_floats % 32 == 24,
                "ctrace: fragment loads without bank conflicts need rows of 8 or 24 mod 32 floats");
  static constexpr int a_floats = BM * row_floats, b_floats = BN * row_floats;  // one plane's tile
  static constexpr int stage_floats = 2 * (a_floats + b_floats);
  static constexpr int ldc = BN + 8;  // f32 accumulators staged for the epilogue
  static constexpr int smem_bytes = 4 * (Stages * stage_floats > BM * ldc ? Stages * stage_floats : BM * ldc);
};
// The mma.sync kernel's tiles (bench/cuda/gemm_tuning.cu: 45 TFLOP/s at 4096^3
// on the H100, the best of six; wgmma takes the products there).
using tf32x3_default_tile = tf32x3_tile<128, 128, 32, 32, 64, 2>;

// ---- the split pass ------------------------------------------------------------

// An operand as the split pass reads it: element (batch, mn, k) of a stack of
// matrices at base + batch offset + mn * s_mn + k * s_k; its big and small
// parts written to out + ((batch * 2 + part) * rows_padded + mn) * depth_padded + k.
struct split_operand {
  const float* base;
  index_t s_mn, s_k;
  index_t rows, depth;                // inside the matrix
  index_t rows_padded, depth_padded;  // written (zeros outside)
  bool along_mn;                      // mn contiguous: split_tf32_transposed_kernel
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

// One thread per 8 consecutive k of one row of one batch (operands contiguous along K, or neither).
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
    float4* big_row = reinterpret_cast<float4*>(out + ((batch * 2) * o.rows_padded + row) * o.depth_padded + group * 8);
    float4* small_row = big_row + o.rows_padded * o.depth_padded / 4;
    big_row[0] = make_float4(big[0], big[1], big[2], big[3]);
    big_row[1] = make_float4(big[4], big[5], big[6], big[7]);
    small_row[0] = make_float4(small[0], small[1], small[2], small[3]);
    small_row[1] = make_float4(small[4], small[5], small[6], small[7]);
  }
}

// The same for an operand contiguous along M/N (a transposed view): a block
// takes 32 rows x 64 k through shared memory, reading along the rows and
// writing 8 threads' runs of 8 k (256 bytes per plane) along each row.
template <int BatchRank>
__global__ void __launch_bounds__(256) split_tf32_transposed_kernel(gemm_args<float, BatchRank> p, bool operand_b,
                                                                     split_operand o, float* out) {
  __shared__ float tile[64][33];
  const index_t batch = blockIdx.z;
  const index_t row0 = static_cast<index_t>(blockIdx.x) * 32, k0 = static_cast<index_t>(blockIdx.y) * 64;
  index_t coord[gemm_args<float, BatchRank>::batch_slots];
  index_t offset_a, offset_b;
  batch_offsets(p, batch, coord, offset_a, offset_b);
  const float* src = o.base + (operand_b ? offset_b : offset_a);
  const int lane = static_cast<int>(threadIdx.x) % 32, warp = static_cast<int>(threadIdx.x) / 32;
  const index_t row = row0 + lane;
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const int kk = warp * 8 + i;
    const index_t k = k0 + kk;
    tile[kk][lane] = row < o.rows && k < o.depth ? src[row * o.s_mn + k * o.s_k] : 0.0f;
  }
  __syncthreads();
  const int r = static_cast<int>(threadIdx.x) / 8, group = static_cast<int>(threadIdx.x) % 8;
  if (k0 + group * 8 >= o.depth_padded) return;
  float big[8], small[8];
#pragma unroll
  for (int e = 0; e < 8; ++e) split_tf32(tile[group * 8 + e][r], big[e], small[e]);
  float4* big_row =
      reinterpret_cast<float4*>(out + ((batch * 2) * o.rows_padded + row0 + r) * o.depth_padded + k0 + group * 8);
  float4* small_row = big_row + o.rows_padded * o.depth_padded / 4;
  big_row[0] = make_float4(big[0], big[1], big[2], big[3]);
  big_row[1] = make_float4(big[4], big[5], big[6], big[7]);
  small_row[0] = make_float4(small[0], small[1], small[2], small[3]);
  small_row[1] = make_float4(small[4], small[5], small[6], small[7]);
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

// Operands: split planes (split_tf32_kernel) of depth_padded k's, a_rows /
// b_rows rows per plane; the product is p.m x p.n per batch.
template <class Tile, int BatchRank, class Epilogue>
__global__ void __launch_bounds__(Tile::threads, Tile::min_blocks)
    gemm_tf32x3_kernel(gemm_args<float, BatchRank> p, const float* a_split, const float* b_split, index_t a_rows,
                       index_t b_rows, index_t depth_padded, Epilogue epi) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  constexpr int BM = Tile::bm, BN = Tile::bn, BK = Tile::bk, S = Tile::stages, RF = Tile::row_floats;
  constexpr int MI = Tile::mi, NJ = Tile::nj;
  constexpr int row_chunks = BK / 4;  // 16-byte chunks per row of a k-tile
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
  const index_t a_plane = a_rows * depth_padded, b_plane = b_rows * depth_padded;
  const std::uint32_t smem_base = smem_address(smem);

  for (index_t batch = blockIdx.z; batch < p.batches; batch += gridDim.z) {
    index_t coord[gemm_args<float, BatchRank>::batch_slots];
    index_t unused_a, unused_b;
    batch_offsets(p, batch, coord, unused_a, unused_b);
    const float* a = a_split + 2 * batch * a_plane + m0 * depth_padded;  // the bigs; the smalls a plane on
    const float* b = b_split + 2 * batch * b_plane + n0 * depth_padded;

    // Every chunk of the k-tile is inside the padded operands: no bounds.
    // A stage: A's bigs, A's smalls, B's bigs, B's smalls.
    auto load_stage = [&](int stage, index_t kt) {
      const std::uint32_t ta = smem_base + static_cast<std::uint32_t>(stage * Tile::stage_floats) * 4;
      const std::uint32_t tb = ta + 2 * Tile::a_floats * 4;
#pragma unroll
      for (int c = tid; c < 2 * BM * row_chunks; c += Tile::threads) {
        const int plane = c / (BM * row_chunks), row = c % (BM * row_chunks) / row_chunks, ch = c % row_chunks;
        cp_async_16(ta + static_cast<std::uint32_t>(plane * Tile::a_floats + row * RF + ch * 4) * 4,
                    a + plane * a_plane + row * depth_padded + kt * BK + ch * 4, 16);
      }
#pragma unroll
      for (int c = tid; c < 2 * BN * row_chunks; c += Tile::threads) {
        const int plane = c / (BN * row_chunks), row = c % (BN * row_chunks) / row_chunks, ch = c % row_chunks;
        cp_async_16(tb + static_cast<std::uint32_t>(plane * Tile::b_floats + row * RF + ch * 4) * 4,
                    b + plane * b_plane + row * depth_padded + kt * BK + ch * 4, 16);
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
      const float* sb = sa + 2 * Tile::a_floats;
      float part[MI][NJ][4];  // this k-tile's sum, from zero
#pragma unroll
      for (int kk = 0; kk < BK / 8; ++kk) {
        const int k_even = kk * 8 + 2 * t4;  // the pair at stored k = 2t, 2t + 1; the smalls a tile on
        std::uint32_t a_big[MI][4], a_small[MI][4];
#pragma unroll
        for (int i = 0; i < MI; ++i) {
          const float* top = sa + (wm * Tile::wm + 16 * i + g) * RF + k_even;
          const float* bottom = top + 8 * RF;
          const float2 tb = *reinterpret_cast<const float2*>(top), bb = *reinterpret_cast<const float2*>(bottom);
          const float2 ts = *reinterpret_cast<const float2*>(top + Tile::a_floats);
          const float2 bs = *reinterpret_cast<const float2*>(bottom + Tile::a_floats);
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
          const float2 big = *reinterpret_cast<const float2*>(col);
          const float2 small = *reinterpret_cast<const float2*>(col + Tile::b_floats);
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
    stage_mma_fragments(tile, Tile::ldc, acc, wm * Tile::wm, wn * Tile::wn, lane);
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

// ---- the wgmma kernel (sm_90a) ---------------------------------------------------

// 128 x 128 tiles, k-tiles of 32 floats (one 128-byte swizzled row per row of
// a plane's tile), 3 stages of 64 KB.
struct tf32x3_wgmma_tile {
  static constexpr int bm = 128, bn = 128, bk = 32, stages = 3;
  static constexpr int plane_bytes = 128 * 128;  // one plane's tile of A or of B: 128 rows of 128 bytes
  static constexpr int stage_bytes = 4 * plane_bytes;
  static constexpr int ldc = bn + 8;
  static constexpr int smem_bytes = stages * stage_bytes + 1024;  // + alignment to 1024 (swizzle atoms)
  static_assert(bm * ldc * 4 <= stages * stage_bytes, "ctrace: the output tile fits in the pipeline's memory");
};

// d = a · b (+ d when accumulate), m64 x n128 x k8 tf32; both operands K-major in shared memory.
CTRACE_DEVICE CTRACE_INLINE void wgmma_m64n128k8_tf32(float (&d)[64], std::uint64_t desc_a, std::uint64_t desc_b,
                                                      int accumulate) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  asm volatile(
      "{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"
      "wgmma.mma_async.sync.aligned.m64n128k8.f32.tf32.tf32 "
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, "
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, "
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, "
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, "
      "%64, %65, p, 1, 1;\n}\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]),
        "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]),
        "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]),
        "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]),
        "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]),
        "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]),
        "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]),
        "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63])
      : "l"(desc_a), "l"(desc_b), "r"(accumulate));
#else
  (void)d;
  (void)desc_a;
  (void)desc_b;
  (void)accumulate;
#endif
}

// map_a / map_b: TMA maps over the split planes (3-D: k, row, 2 * batch + plane).
// One batch per block (blockIdx.z). A producer warpgroup (one thread) issues
// four copies per stage; two consumer warpgroups, 64 rows each, sum each
// k-tile from zero (12 wgmma: 4 k8 steps x 3 products) and add it to their
// running sum in f32.
template <int BatchRank, class Epilogue>
__global__ void __launch_bounds__(384, 1)
    gemm_tf32x3_wgmma_kernel(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b,
                             gemm_args<float, BatchRank> p, index_t depth_padded, Epilogue epi) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using Tile = tf32x3_wgmma_tile;
  constexpr int BM = Tile::bm, BN = Tile::bn, BK = Tile::bk, S = Tile::stages, P = Tile::plane_bytes;
  __shared__ __align__(8) std::uint64_t full[S], empty[S];
  unsigned char* raw = gemm_dynamic_smem();
  const std::uint32_t raw_address = smem_address(raw);
  const std::uint32_t base = (raw_address + 1023u) & ~1023u;  // 128-byte swizzle atoms are 1024-byte aligned

  const int warpgroup = static_cast<int>(threadIdx.x) / 128, t = static_cast<int>(threadIdx.x) % 128;
  const int tiles_m = static_cast<int>((p.m + BM - 1) / BM), tiles_n = static_cast<int>((p.n + BN - 1) / BN);
  const tile_coord tc = tile_of(static_cast<int>(blockIdx.x), tiles_m, tiles_n);
  const int m0 = tc.m * BM, n0 = tc.n * BN;
  const int k_tiles = static_cast<int>(depth_padded / BK);

  if (threadIdx.x == 0) {
    for (int s = 0; s < S; ++s) {
      mbarrier_init(smem_address(&full[s]), 1);
      mbarrier_init(smem_address(&empty[s]), 2);
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  }
  __syncthreads();

  const index_t batch = blockIdx.z;
  if (warpgroup == 0) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n");
    if (t == 0) {
      const int big = 2 * static_cast<int>(batch), small = big + 1;
      for (int kt = 0; kt < k_tiles; ++kt) {
        const unsigned s = static_cast<unsigned>(kt) % S;
        if (kt >= S) mbarrier_wait(smem_address(&empty[s]), ((static_cast<unsigned>(kt) / S) - 1) & 1);
        const std::uint32_t bar = smem_address(&full[s]);
        mbarrier_expect_bytes(bar, Tile::stage_bytes);
        const std::uint32_t st = base + s * Tile::stage_bytes;
        const int k0 = kt * BK;
        tma_load(st, &map_a, bar, k0, m0, big);
        tma_load(st + P, &map_a, bar, k0, m0, small);
        tma_load(st + 2 * P, &map_b, bar, k0, n0, big);
        tma_load(st + 3 * P, &map_b, bar, k0, n0, small);
      }
    }
  } else {
    asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
    const int c = warpgroup - 1;  // rows 64c .. 64c + 63 of the tile
    float acc[64], part[64];
#pragma unroll
    for (int i = 0; i < 64; ++i) acc[i] = part[i] = 0.0f;
    for (int kt = 0; kt < k_tiles; ++kt) {
      const unsigned s = static_cast<unsigned>(kt) % S;
      mbarrier_wait(smem_address(&full[s]), (static_cast<unsigned>(kt) / S) & 1);
      const std::uint32_t st = base + s * Tile::stage_bytes;
      const std::uint32_t a_big = st + c * 64 * 128, a_small = a_big + P, b_big = st + 2 * P, b_small = st + 3 * P;
      asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
      for (int kk = 0; kk < BK / 8; ++kk) {
        // Rows of 128 bytes, 8-row groups 1024 bytes apart, k8 steps 32 bytes into the swizzled row.
        const std::uint32_t step = kk * 32;
        wgmma_m64n128k8_tf32(part, wgmma_descriptor(a_small + step, 16, 1024), wgmma_descriptor(b_big + step, 16, 1024),
                             kk);
        wgmma_m64n128k8_tf32(part, wgmma_descriptor(a_big + step, 16, 1024), wgmma_descriptor(b_small + step, 16, 1024),
                             1);
        wgmma_m64n128k8_tf32(part, wgmma_descriptor(a_big + step, 16, 1024), wgmma_descriptor(b_big + step, 16, 1024),
                             1);
      }
      asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
      asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
      if (t == 0) mbarrier_arrive(smem_address(&empty[s]));
#pragma unroll
      for (int i = 0; i < 64; ++i) acc[i] += part[i];
    }

    // Both consumers are past their last wgmma and every TMA copy has landed
    // (each was waited for): the stages take the output tile.
    asm volatile("bar.sync 1, 256;\n" ::: "memory");
    float* const tile = reinterpret_cast<float*>(raw + (base - raw_address));
    stage_wgmma_accumulators<BN>(tile, Tile::ldc, acc, c, t);
    asm volatile("bar.sync 1, 256;\n" ::: "memory");
    index_t coord[gemm_args<float, BatchRank>::batch_slots];
    index_t offset_a, offset_b;
    batch_offsets(p, batch, coord, offset_a, offset_b);
    auto cursor = epi.at_batch(coord);
    store_tile<BM, BN, 256>(tile, Tile::ldc, epi, cursor, m0, n0, p.m, p.n, static_cast<int>(threadIdx.x) - 128);
  }
#else
  (void)map_a;
  (void)map_b;
  (void)p;
  (void)depth_padded;
  (void)epi;
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
