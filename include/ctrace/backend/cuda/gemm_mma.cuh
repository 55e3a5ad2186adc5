// The tensor-core GEMM for bf16 and f16 operands with mma.sync (m16n8k16, f32
// accumulators), for any strides: a block of 8 warps computes a 128 x 128 tile
// (each warp 64 x 32); A and B tiles of BK = 32 go from global to shared
// memory by cp.async, Stages deep, and from shared memory to registers by
// ldmatrix. The layout of each operand in shared memory is its layout in
// global memory: rows along K when K is contiguous (ldmatrix), rows along M/N
// when M/N is contiguous (ldmatrix.trans), so a transposed view is read
// without a copy; 16-byte chunks are XOR-swizzled so that the 8 rows an
// ldmatrix reads fall in 8 different bank groups. Operands that are not
// 16-byte aligned along their rows are loaded element by element instead.
// This is the general path; on sm_90a, aligned operands take gemm_wgmma.cuh.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctrace/backend/cuda/gemm_common.cuh"
#include "ctrace/core/half.hpp"

namespace ctrace::cuda_backend {

template <int BM, int BN, int BK, int WM, int WN, int Stages>
struct mma_tile {
  static constexpr int bm = BM, bn = BN, bk = BK, wm = WM, wn = WN, stages = Stages;
  static constexpr int warps_m = BM / WM, warps_n = BN / WN;
  static constexpr int threads = warps_m * warps_n * 32;
  static constexpr int mi = WM / 16, nj = WN / 8;  // m16 and n8 tiles per warp
  static_assert(WM % 16 == 0 && WN % 16 == 0 && BK % 16 == 0, "ctrace: mma tiles are whole m16n8k16 steps");
  static constexpr int a_bytes = BM * BK * 2, b_bytes = BN * BK * 2;
  static constexpr int stage_bytes = a_bytes + b_bytes;
  static constexpr int ldc = BN + 8;  // f32 accumulators staged for the epilogue; float2 stores without conflicts
  static constexpr int smem_bytes = Stages * stage_bytes > BM * ldc * 4 ? Stages * stage_bytes : BM * ldc * 4;
};
using mma_default_tile = mma_tile<128, 128, 32, 64, 32, 4>;

// The 16-byte chunk `chunk` of row `row` in a tile of RowChunks chunks per
// row, XOR-swizzled so that 8 consecutive rows at one chunk column land in
// 8 different 16-byte bank groups.
template <int RowChunks>
CTRACE_DEVICE CTRACE_INLINE int swizzled_chunk(int row, int chunk) {
  if constexpr (RowChunks >= 8) return row * RowChunks + (chunk ^ (row & 7));
  else return row * RowChunks + (chunk ^ ((row / (8 / RowChunks)) & (RowChunks - 1)));
}

CTRACE_DEVICE CTRACE_INLINE void ldmatrix_x4(std::uint32_t (&r)[4], std::uint32_t address) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address));
}
CTRACE_DEVICE CTRACE_INLINE void ldmatrix_x4_trans(std::uint32_t (&r)[4], std::uint32_t address) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(address));
}

// d += a · b for one m16n8k16 step; H: bf16 or f16.
template <class H>
CTRACE_DEVICE CTRACE_INLINE void mma_16816(float (&d)[4], const std::uint32_t (&a)[4], std::uint32_t b0, std::uint32_t b1) {
  if constexpr (std::is_same_v<H, bf16>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
        "{%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}

// One 16-byte chunk of an operand that is not 16-byte aligned, element by
// element through its strides (out of line: the aligned path's registers stay
// free of this one's address arithmetic).
template <bool KMajor, class H>
__device__ __noinline__ void mma_load_chunk(unsigned char* dst, const H* src, index_t s_mn, index_t s_k, int valid) {
  std::uint16_t v[8];
#pragma unroll
  for (int e = 0; e < 8; ++e) v[e] = e < valid ? src[e * (KMajor ? s_k : s_mn)].bits : std::uint16_t(0);
  uint4 raw;
  std::memcpy(&raw, v, 16);
  *reinterpret_cast<uint4*>(dst) = raw;
}

// One thread's chunk of an operand's BMN x BK tile: where it starts in the
// current k-tile (advanced by BK along K each step), its first k in the tile,
// and how many of its elements lie inside the matrix along M/N (K-major: 8 when
// its row does, else 0).
template <class H>
struct mma_chunk {
  const H* ptr;
  int k_first;
  int count;
};

template <int BMN, int BK, bool KMajor, int Threads>
struct mma_tile_loader {
  static constexpr int row_chunks = KMajor ? BK / 8 : BMN / 8;
  static constexpr int chunks = BMN * BK / 8;
  static constexpr int per_thread = chunks / Threads;
  static_assert(per_thread * Threads == chunks, "ctrace: every thread copies the same number of chunks");

  template <class H>
  static CTRACE_DEVICE CTRACE_INLINE mma_chunk<H> start(const H* base, index_t s_mn, index_t s_k, index_t rows,
                                                        index_t mn0, int c) {
    const int row = c / row_chunks, ch = c % row_chunks;
    mma_chunk<H> chunk;
    if constexpr (KMajor) {
      const index_t mn = mn0 + row;
      chunk.ptr = base + mn * s_mn + ch * 8 * s_k;
      chunk.k_first = ch * 8;
      chunk.count = mn < rows ? 8 : 0;
    } else {
      const index_t mn = mn0 + ch * 8;
      chunk.ptr = base + row * s_k + mn * s_mn;
      chunk.k_first = row;
      const index_t inside = rows - mn;
      chunk.count = inside <= 0 ? 0 : inside >= 8 ? 8 : static_cast<int>(inside);
    }
    return chunk;
  }

  // The chunk of the k-tile at k0 into the tile at `tile`: 16-byte cp.async
  // (zero-filled past the matrix) when aligned, else element by element.
  template <class H>
  static CTRACE_DEVICE CTRACE_INLINE void load(unsigned char* tile, const mma_chunk<H>& chunk, const H* base, int c,
                                               index_t s_mn, index_t s_k, index_t depth, index_t k0, bool aligned) {
    const index_t k = k0 + chunk.k_first;
    int valid;
    if constexpr (KMajor) {
      const index_t left = depth - k;
      valid = chunk.count == 0 || left <= 0 ? 0 : left >= 8 ? 8 : static_cast<int>(left);
    } else {
      valid = k < depth ? chunk.count : 0;
    }
    unsigned char* dst = tile + swizzled_chunk<row_chunks>(c / row_chunks, c % row_chunks) * 16;
    // Nothing is read when valid is 0; the matrix's first element stands in as the address.
    if (aligned) cp_async_16(smem_address(dst), valid > 0 ? chunk.ptr : base, valid * 2);
    else mma_load_chunk<KMajor>(dst, chunk.ptr, s_mn, s_k, valid);
  }
};

template <class Tile, bool AKMajor, bool BKMajor, class H, int BatchRank, class Epilogue>
__global__ void __launch_bounds__(Tile::threads) gemm_mma_kernel(gemm_args<H, BatchRank> p, Epilogue epi,
                                                                 bool a_aligned, bool b_aligned) {
  constexpr int BM = Tile::bm, BN = Tile::bn, BK = Tile::bk, S = Tile::stages;
  constexpr int MI = Tile::mi, NJ = Tile::nj;
  unsigned char* smem = gemm_dynamic_smem();
  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid % 32, warp = tid / 32;
  const int wm = warp / Tile::warps_n, wn = warp % Tile::warps_n;
  const int tiles_m = static_cast<int>((p.m + BM - 1) / BM), tiles_n = static_cast<int>((p.n + BN - 1) / BN);
  const tile_coord tc = tile_of(static_cast<int>(blockIdx.x), tiles_m, tiles_n);
  const index_t m0 = static_cast<index_t>(tc.m) * BM, n0 = static_cast<index_t>(tc.n) * BN;
  const index_t k_tiles = (p.k + BK - 1) / BK;
  const std::uint32_t smem_base = smem_address(smem);

  for (index_t batch = blockIdx.z; batch < p.batches; batch += gridDim.z) {
    index_t coord[gemm_args<H, BatchRank>::batch_slots];
    index_t offset_a, offset_b;
    batch_offsets(p, batch, coord, offset_a, offset_b);
    const H* a = p.a + offset_a;
    const H* b = p.b + offset_b;

    using loader_a = mma_tile_loader<BM, BK, AKMajor, Tile::threads>;
    using loader_b = mma_tile_loader<BN, BK, BKMajor, Tile::threads>;
    mma_chunk<H> ca[loader_a::per_thread], cb[loader_b::per_thread];
#pragma unroll
    for (int q = 0; q < loader_a::per_thread; ++q)
      ca[q] = loader_a::start(a, p.a_stride_m, p.a_stride_k, p.m, m0, tid + q * Tile::threads);
#pragma unroll
    for (int q = 0; q < loader_b::per_thread; ++q)
      cb[q] = loader_b::start(b, p.b_stride_n, p.b_stride_k, p.n, n0, tid + q * Tile::threads);
    const index_t step_a = BK * p.a_stride_k, step_b = BK * p.b_stride_k;
    // Stages are loaded in the order of k, so each chunk's pointer only moves forward.
    auto load_stage = [&](int stage, index_t kt) {
      unsigned char* ta = smem + stage * Tile::stage_bytes;
#pragma unroll
      for (int q = 0; q < loader_a::per_thread; ++q) {
        loader_a::load(ta, ca[q], a, tid + q * Tile::threads, p.a_stride_m, p.a_stride_k, p.k, kt * BK, a_aligned);
        ca[q].ptr += step_a;
      }
#pragma unroll
      for (int q = 0; q < loader_b::per_thread; ++q) {
        loader_b::load(ta + Tile::a_bytes, cb[q], b, tid + q * Tile::threads, p.b_stride_n, p.b_stride_k, p.k, kt * BK,
                       b_aligned);
        cb[q].ptr += step_b;
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
    const int mat = lane / 8, r8 = lane % 8;
    for (index_t kt = 0; kt < k_tiles; ++kt) {
      cp_async_wait<S - 2>();
      __syncthreads();
      const index_t next = kt + S - 1;
      if (next < k_tiles) load_stage(static_cast<int>(next % S), next);
      cp_async_commit();

      const std::uint32_t sa = smem_base + static_cast<std::uint32_t>((kt % S) * Tile::stage_bytes);
      const std::uint32_t sb = sa + Tile::a_bytes;
#pragma unroll
      for (int kk = 0; kk < BK / 16; ++kk) {
        std::uint32_t fa[MI][4], fb[NJ / 2][4];
#pragma unroll
        for (int i = 0; i < MI; ++i) {
          const int mn = wm * Tile::wm + 16 * i + (mat & 1) * 8;
          if constexpr (AKMajor) {
            ldmatrix_x4(fa[i], sa + swizzled_chunk<BK / 8>(mn + r8, kk * 2 + (mat >> 1)) * 16);
          } else {
            ldmatrix_x4_trans(fa[i], sa + swizzled_chunk<BM / 8>(kk * 16 + (mat >> 1) * 8 + r8, mn / 8) * 16);
          }
        }
#pragma unroll
        for (int j = 0; j < NJ / 2; ++j) {
          const int mn = wn * Tile::wn + 16 * j + (mat >> 1) * 8;
          if constexpr (BKMajor) {
            ldmatrix_x4(fb[j], sb + swizzled_chunk<BK / 8>(mn + r8, kk * 2 + (mat & 1)) * 16);
          } else {
            ldmatrix_x4_trans(fb[j], sb + swizzled_chunk<BN / 8>(kk * 16 + (mat & 1) * 8 + r8, mn / 8) * 16);
          }
        }
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NJ; ++j) mma_16816<H>(acc[i][j], fa[i], fb[j / 2][(j % 2) * 2], fb[j / 2][(j % 2) * 2 + 1]);
      }
    }
    cp_async_wait<0>();
    __syncthreads();  // every warp is done with the stages: they take the output tile

    float* const tile = reinterpret_cast<float*>(smem);
    stage_mma_fragments(tile, Tile::ldc, acc, wm * Tile::wm, wn * Tile::wn, lane);
    __syncthreads();
    auto cursor = epi.at_batch(coord);
    store_tile<BM, BN, Tile::threads>(tile, Tile::ldc, epi, cursor, m0, n0, p.m, p.n, tid);
    __syncthreads();  // the next batch's loads reuse the stages
  }
}

}  // namespace ctrace::cuda_backend
