// The SIMT GEMM kernel (f32, and f64/i32/i64 with smaller tiles): a block of
// 256 threads computes a BM x BN tile of the product; each thread a 4CM x 4CN
// block of it in registers, from A and B tiles staged in shared memory (both
// stored k-major, [BK][BM] and [BK][BN], so that a thread's fragments are
// 16-byte loads). Tiles are double-buffered: the next tile's global loads are
// in flight in registers while the current one is multiplied, then stored to
// the other buffer; one barrier per BK step.
//
// Operands are read through their strides, so transposed views cost no copy:
// per operand, pieces of 4 elements run along K (row-major A, column-major B)
// or along M/N (column-major A, row-major B), whichever dim is contiguous, as
// one 16-byte load when aligned and inside the matrix, element by element
// otherwise (edges, odd strides, any other view). A piece along K is written
// to shared memory transposed (4 scalar stores), one along M/N as one vector.
#pragma once

#include <cuda_runtime.h>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/backend/cuda/gemm_common.cuh"

namespace ctrace::cuda_backend {

// Tile shape: 8 warps as WarpsM x WarpsN; a warp's 32 lanes as LanesM x
// (32 / LanesM); a lane holds CM x CN chunks of 4x4 accumulators, so
// BM = WarpsM * CM * LanesM * 4 and BN = WarpsN * CN * (32 / LanesM) * 4.
// MinBlocks: blocks per multiprocessor the registers are capped for.
template <int WarpsM, int WarpsN, int CM, int CN, int BK, int MinBlocks = 2, int LanesM = 8>
struct simt_tile {
  static constexpr int threads = 256;
  static_assert(WarpsM * WarpsN * 32 == threads, "ctrace: the SIMT GEMM runs 8 warps per block");
  static constexpr int warps_m = WarpsM, warps_n = WarpsN, cm = CM, cn = CN, bk = BK, min_blocks = MinBlocks;
  static constexpr int lanes_m = LanesM, lanes_n = 32 / LanesM;
  static constexpr int warp_m = CM * LanesM * 4, warp_n = CN * lanes_n * 4;  // a warp's part of the tile
  static constexpr int bm = WarpsM * warp_m, bn = WarpsN * warp_n;
  static constexpr int pad = 4;  // keeps rows 16-byte aligned, spreads transposed stores over banks
  static constexpr int pieces_a = bm * bk / 4 / threads, pieces_b = bn * bk / 4 / threads;
  static_assert(pieces_a * 4 * threads == bm * bk && pieces_b * 4 * threads == bn * bk,
                "ctrace: each thread loads whole 4-element pieces of both tiles");
  static constexpr int lda = bm + pad, ldb = bn + pad, ldc = bn + pad;
  // Elements of shared memory: two buffers of both tiles, later the output tile.
  static constexpr int smem_elements = 2 * bk * (lda + ldb) > bm * ldc ? 2 * bk * (lda + ldb) : bm * ldc;
  template <class T>
  static constexpr int smem_bytes = smem_elements * static_cast<int>(sizeof(T));
};

// f32 (and other 4-byte types): 128 x 128 tiles, 8 x 8 per thread.
// 8-byte types: 64 x 64 tiles, 4 x 4 per thread (registers).
template <class T>
using simt_default_tile = std::conditional_t<sizeof(T) <= 4, simt_tile<2, 4, 2, 2, 8>, simt_tile<2, 4, 1, 1, 16>>;

// How an operand's pieces are read: bit 0 set, along M/N (else along K);
// bit 1 set, as 16-byte vectors where whole and inside (else element-wise).
enum : int { simt_along_mn = 1, simt_vector = 2 };

// One thread's piece of an operand's tile: where it starts in the current
// k-tile (advanced by BK rows of K each step), its first k inside the tile, and
// how many of its elements lie inside the matrix along M/N (along K: 4 when its
// row does, else 0). Kept small: the main loop's registers are the product's.
template <class T>
struct simt_piece {
  const T* ptr;
  int k_first;
  int count;
};

template <class Tile, class T>
struct simt_operand_loader {
  static constexpr int bk = Tile::bk;

  template <int BMN>
  static CTRACE_DEVICE CTRACE_INLINE simt_piece<T> start(const T* base, index_t s_mn, index_t s_k, index_t rows,
                                                         index_t mn0, int id, int mode) {
    simt_piece<T> piece;
    if (mode & simt_along_mn) {
      const int k = id / (BMN / 4);
      const index_t mn = mn0 + (id % (BMN / 4)) * 4;
      piece.ptr = base + k * s_k + mn * s_mn;
      piece.k_first = k;
      const index_t inside = rows - mn;
      piece.count = inside <= 0 ? 0 : inside >= 4 ? 4 : static_cast<int>(inside);
    } else {
      const index_t mn = mn0 + id / (bk / 4);
      const int k = (id % (bk / 4)) * 4;
      piece.ptr = base + mn * s_mn + k * s_k;
      piece.k_first = k;
      piece.count = mn < rows ? 4 : 0;
    }
    return piece;
  }

  // The piece in the k-tile starting at k0, into registers (zeros outside).
  static CTRACE_DEVICE CTRACE_INLINE vec<T, 4> load(const simt_piece<T>& piece, index_t s_mn, index_t s_k,
                                                     index_t depth, index_t k0, int mode) {
    const index_t k = k0 + piece.k_first;
    vec<T, 4> r;
    if (mode & simt_along_mn) {
      if ((mode & simt_vector) && k < depth && piece.count == 4) return load_vector<4, false>(piece.ptr);
#pragma unroll
      for (int i = 0; i < 4; ++i) r.v[i] = (k < depth && i < piece.count) ? piece.ptr[i * s_mn] : T(0);
    } else {
      if ((mode & simt_vector) && piece.count == 4 && k + 3 < depth) return load_vector<4, false>(piece.ptr);
#pragma unroll
      for (int i = 0; i < 4; ++i) r.v[i] = (piece.count != 0 && k + i < depth) ? piece.ptr[i * s_k] : T(0);
    }
    return r;
  }

  // The same piece into the [BK][BMN + pad] tile in shared memory.
  template <int BMN>
  static CTRACE_DEVICE CTRACE_INLINE void store(T* tile, const vec<T, 4>& r, int id, int mode) {
    constexpr int ld = BMN + Tile::pad;
    if (mode & simt_along_mn) {
      const int k = id / (BMN / 4), mn = (id % (BMN / 4)) * 4;
      store_vector<4, false>(tile + k * ld + mn, r);
    } else {
      const int mn = id / (bk / 4), k = (id % (bk / 4)) * 4;
#pragma unroll
      for (int i = 0; i < 4; ++i) tile[(k + i) * ld + mn] = r.v[i];
    }
  }
};

template <class Tile, class T, int BatchRank, class Epilogue>
__global__ void __launch_bounds__(Tile::threads, Tile::min_blocks) gemm_simt_kernel(gemm_args<T, BatchRank> p, Epilogue epi,
                                                                  int mode_a, int mode_b) {
  constexpr int BM = Tile::bm, BN = Tile::bn, BK = Tile::bk, CM = Tile::cm, CN = Tile::cn;
  constexpr int lda = Tile::lda, ldb = Tile::ldb;
  using loader = simt_operand_loader<Tile, T>;
  T* const smem = reinterpret_cast<T*>(gemm_dynamic_smem());
  const auto tile_a = [smem](int buffer) { return smem + buffer * (BK * lda); };
  const auto tile_b = [smem](int buffer) { return smem + 2 * BK * lda + buffer * (BK * ldb); };

  const int tid = static_cast<int>(threadIdx.x);
  const int lane = tid % 32, warp = tid / 32;
  const int wm = warp / Tile::warps_n, wn = warp % Tile::warps_n;
  const int lm = lane / Tile::lanes_n, ln = lane % Tile::lanes_n;
  const int tiles_m = static_cast<int>((p.m + BM - 1) / BM), tiles_n = static_cast<int>((p.n + BN - 1) / BN);
  const tile_coord tc = tile_of(static_cast<int>(blockIdx.x), tiles_m, tiles_n);
  const index_t m0 = static_cast<index_t>(tc.m) * BM, n0 = static_cast<index_t>(tc.n) * BN;
  const index_t k_tiles = (p.k + BK - 1) / BK;

  for (index_t batch = blockIdx.z; batch < p.batches; batch += gridDim.z) {
    index_t coord[gemm_args<T, BatchRank>::batch_slots];
    index_t offset_a, offset_b;
    batch_offsets(p, batch, coord, offset_a, offset_b);
    const T* a = p.a + offset_a;
    const T* b = p.b + offset_b;

    T acc[CM * 4][CN * 4];
#pragma unroll
    for (int i = 0; i < CM * 4; ++i)
#pragma unroll
      for (int j = 0; j < CN * 4; ++j) acc[i][j] = T(0);

    simt_piece<T> pa[Tile::pieces_a], pb[Tile::pieces_b];
#pragma unroll
    for (int q = 0; q < Tile::pieces_a; ++q)
      pa[q] = loader::template start<BM>(a, p.a_stride_m, p.a_stride_k, p.m, m0, tid + q * Tile::threads, mode_a);
#pragma unroll
    for (int q = 0; q < Tile::pieces_b; ++q)
      pb[q] = loader::template start<BN>(b, p.b_stride_n, p.b_stride_k, p.n, n0, tid + q * Tile::threads, mode_b);
    const index_t step_a = BK * p.a_stride_k, step_b = BK * p.b_stride_k;

    vec<T, 4> ra[Tile::pieces_a], rb[Tile::pieces_b];
    auto load_tiles = [&](index_t kt) {
#pragma unroll
      for (int q = 0; q < Tile::pieces_a; ++q) {
        ra[q] = loader::load(pa[q], p.a_stride_m, p.a_stride_k, p.k, kt * BK, mode_a);
        pa[q].ptr += step_a;
      }
#pragma unroll
      for (int q = 0; q < Tile::pieces_b; ++q) {
        rb[q] = loader::load(pb[q], p.b_stride_n, p.b_stride_k, p.k, kt * BK, mode_b);
        pb[q].ptr += step_b;
      }
    };
    auto store_tiles = [&](int buffer) {
#pragma unroll
      for (int q = 0; q < Tile::pieces_a; ++q) loader::template store<BM>(tile_a(buffer), ra[q], tid + q * Tile::threads, mode_a);
#pragma unroll
      for (int q = 0; q < Tile::pieces_b; ++q) loader::template store<BN>(tile_b(buffer), rb[q], tid + q * Tile::threads, mode_b);
    };

    if (k_tiles > 0) {
      load_tiles(0);
      store_tiles(0);
    }
    __syncthreads();
    for (index_t kt = 0; kt < k_tiles; ++kt) {
      const int buffer = static_cast<int>(kt & 1);
      if (kt + 1 < k_tiles) load_tiles(kt + 1);  // in flight during the products below
      const T* ta = tile_a(buffer);
      const T* tb = tile_b(buffer);
#pragma unroll
      for (int kk = 0; kk < BK; ++kk) {
        vec<T, 4> fa[CM], fb[CN];
#pragma unroll
        for (int c = 0; c < CM; ++c)
          fa[c] = load_vector<4, false>(ta + kk * lda + wm * Tile::warp_m + c * (Tile::lanes_m * 4) + lm * 4);
#pragma unroll
        for (int c = 0; c < CN; ++c)
          fb[c] = load_vector<4, false>(tb + kk * ldb + wn * Tile::warp_n + c * (Tile::lanes_n * 4) + ln * 4);
#pragma unroll
        for (int i = 0; i < CM * 4; ++i)
#pragma unroll
          for (int j = 0; j < CN * 4; ++j) acc[i][j] += fa[i / 4].v[i % 4] * fb[j / 4].v[j % 4];
      }
      if (kt + 1 < k_tiles) store_tiles(buffer ^ 1);
      __syncthreads();
    }

    // The tile through shared memory (the last barrier above freed it), then
    // stored by rows.
#pragma unroll
    for (int i = 0; i < CM * 4; ++i) {
      const int row = wm * Tile::warp_m + (i / 4) * (Tile::lanes_m * 4) + lm * 4 + i % 4;
#pragma unroll
      for (int c = 0; c < CN; ++c) {
        const vec<T, 4> run{{acc[i][c * 4], acc[i][c * 4 + 1], acc[i][c * 4 + 2], acc[i][c * 4 + 3]}};
        store_vector<4, false>(smem + row * Tile::ldc + wn * Tile::warp_n + c * (Tile::lanes_n * 4) + ln * 4, run);
      }
    }
    __syncthreads();
    auto cursor = epi.at_batch(coord);
    store_tile<BM, BN, Tile::threads>(smem, Tile::ldc, epi, cursor, m0, n0, p.m, p.n, tid);
    __syncthreads();  // before the next batch's tiles
  }
}

}  // namespace ctrace::cuda_backend
