// The Hopper GEMM for bf16 and f16 (sm_90a): warpgroup MMA (wgmma, f32
// accumulators in registers) fed by the tensor memory accelerator (TMA). A
// block of 3 warpgroups computes a 128 x BN tile: one producer warpgroup (one
// thread of it) issues the TMA copies of the A and B tiles (BK = 64, 128-byte
// swizzled rows) into a ring of Stages shared-memory stages, each completing on
// an mbarrier; two consumer warpgroups, 64 rows each, run wgmma m64nBNk16 on
// the stages and release them through a second mbarrier per stage. The
// epilogue (gemm_epilogue.cuh) takes the accumulators straight from registers.
//
// Row-major and column-major operands both go to the tensor cores without a
// copy: a K-contiguous operand is loaded as rows along M/N (K-major in wgmma's
// terms), an M/N-contiguous one as rows along K (MN-major, the instruction's
// transpose bit). TMA needs 16-byte aligned rows (a leading dim that is a
// multiple of 8 elements) and batches that flatten to one stride or are
// broadcast; gemm.cuh sends other operands to the mma.sync kernel.
//
// Compiled only for sm_90a (-gencode=arch=compute_90a,code=sm_90a; CMake's
// CUDA_ARCHITECTURES 90a-real): elsewhere the kernel is empty, and
// wgmma_available() says so at run time.
#pragma once

#include <cuda.h>  // CUtensorMap (types only; the encoder comes from the runtime's driver entry point)
#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <type_traits>

#include "ctrace/backend/cuda/gemm_common.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/core/half.hpp"

namespace ctrace::cuda_backend {

template <int BN>
struct wgmma_tile {
  static constexpr int bm = 128, bn = BN, bk = 64;
  static constexpr int threads = 384;  // producer + 2 consumer warpgroups
  static constexpr int a_bytes = bm * bk * 2, b_bytes = bn * bk * 2;
  static constexpr int stage_bytes = a_bytes + b_bytes;
  static constexpr int stages = (200 * 1024) / stage_bytes;  // 4 of 48 KB, 6 of 32 KB
  static constexpr int smem_bytes = stages * stage_bytes + 1024;  // + alignment to 1024 (128-byte swizzle atoms)
  static constexpr int ldc = BN + 8;  // the f32 output tile, staged in the stages' memory for the epilogue
  static_assert(bm * ldc * 4 <= stages * stage_bytes, "ctrace: the output tile fits in the pipeline's memory");
};

// The wgmma instruction, m64 x BN x k16, accumulators d in registers; the
// operands' shared-memory descriptors; TransA/TransB: MN-major operand.
#define CTRACE_WGMMA_M64N256K16(TYPE)                                                          \
  asm volatile(                                                                             \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %130, 0;\n"                                     \
      "wgmma.mma_async.sync.aligned.m64n256k16.f32." TYPE "." TYPE " "                        \
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63, " \
      "%64, %65, %66, %67, %68, %69, %70, %71, %72, %73, %74, %75, %76, %77, %78, %79, " \
      "%80, %81, %82, %83, %84, %85, %86, %87, %88, %89, %90, %91, %92, %93, %94, %95, " \
      "%96, %97, %98, %99, %100, %101, %102, %103, %104, %105, %106, %107, %108, %109, %110, %111, " \
      "%112, %113, %114, %115, %116, %117, %118, %119, %120, %121, %122, %123, %124, %125, %126, %127}, " \
      "%128, %129, p, 1, 1, %131, %132;\n}\n" \
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), \
        "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), \
        "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), \
        "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), \
        "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), \
        "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), \
        "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), \
        "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]), \
        "+f"(d[64]), "+f"(d[65]), "+f"(d[66]), "+f"(d[67]), "+f"(d[68]), "+f"(d[69]), "+f"(d[70]), "+f"(d[71]), \
        "+f"(d[72]), "+f"(d[73]), "+f"(d[74]), "+f"(d[75]), "+f"(d[76]), "+f"(d[77]), "+f"(d[78]), "+f"(d[79]), \
        "+f"(d[80]), "+f"(d[81]), "+f"(d[82]), "+f"(d[83]), "+f"(d[84]), "+f"(d[85]), "+f"(d[86]), "+f"(d[87]), \
        "+f"(d[88]), "+f"(d[89]), "+f"(d[90]), "+f"(d[91]), "+f"(d[92]), "+f"(d[93]), "+f"(d[94]), "+f"(d[95]), \
        "+f"(d[96]), "+f"(d[97]), "+f"(d[98]), "+f"(d[99]), "+f"(d[100]), "+f"(d[101]), "+f"(d[102]), "+f"(d[103]), \
        "+f"(d[104]), "+f"(d[105]), "+f"(d[106]), "+f"(d[107]), "+f"(d[108]), "+f"(d[109]), "+f"(d[110]), "+f"(d[111]), \
        "+f"(d[112]), "+f"(d[113]), "+f"(d[114]), "+f"(d[115]), "+f"(d[116]), "+f"(d[117]), "+f"(d[118]), "+f"(d[119]), \
        "+f"(d[120]), "+f"(d[121]), "+f"(d[122]), "+f"(d[123]), "+f"(d[124]), "+f"(d[125]), "+f"(d[126]), "+f"(d[127]) \
      : "l"(desc_a), "l"(desc_b), "r"(1), "n"(TransA), "n"(TransB))

#define CTRACE_WGMMA_M64N128K16(TYPE)                                                          \
  asm volatile(                                                                             \
      "{\n.reg .pred p;\nsetp.ne.b32 p, %66, 0;\n"                                     \
      "wgmma.mma_async.sync.aligned.m64n128k16.f32." TYPE "." TYPE " "                        \
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, " \
      "%16, %17, %18, %19, %20, %21, %22, %23, %24, %25, %26, %27, %28, %29, %30, %31, " \
      "%32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, %44, %45, %46, %47, " \
      "%48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, " \
      "%64, %65, p, 1, 1, %67, %68;\n}\n" \
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3]), "+f"(d[4]), "+f"(d[5]), "+f"(d[6]), "+f"(d[7]), \
        "+f"(d[8]), "+f"(d[9]), "+f"(d[10]), "+f"(d[11]), "+f"(d[12]), "+f"(d[13]), "+f"(d[14]), "+f"(d[15]), \
        "+f"(d[16]), "+f"(d[17]), "+f"(d[18]), "+f"(d[19]), "+f"(d[20]), "+f"(d[21]), "+f"(d[22]), "+f"(d[23]), \
        "+f"(d[24]), "+f"(d[25]), "+f"(d[26]), "+f"(d[27]), "+f"(d[28]), "+f"(d[29]), "+f"(d[30]), "+f"(d[31]), \
        "+f"(d[32]), "+f"(d[33]), "+f"(d[34]), "+f"(d[35]), "+f"(d[36]), "+f"(d[37]), "+f"(d[38]), "+f"(d[39]), \
        "+f"(d[40]), "+f"(d[41]), "+f"(d[42]), "+f"(d[43]), "+f"(d[44]), "+f"(d[45]), "+f"(d[46]), "+f"(d[47]), \
        "+f"(d[48]), "+f"(d[49]), "+f"(d[50]), "+f"(d[51]), "+f"(d[52]), "+f"(d[53]), "+f"(d[54]), "+f"(d[55]), \
        "+f"(d[56]), "+f"(d[57]), "+f"(d[58]), "+f"(d[59]), "+f"(d[60]), "+f"(d[61]), "+f"(d[62]), "+f"(d[63]) \
      : "l"(desc_a), "l"(desc_b), "r"(1), "n"(TransA), "n"(TransB))

template <int BN, class H, int TransA, int TransB>
CTRACE_DEVICE CTRACE_INLINE void wgmma_m64k16(float (&d)[BN / 2], std::uint64_t desc_a, std::uint64_t desc_b) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  if constexpr (BN == 256) {
    if constexpr (std::is_same_v<H, bf16>) CTRACE_WGMMA_M64N256K16("bf16");
    else CTRACE_WGMMA_M64N256K16("f16");
  } else {
    static_assert(BN == 128, "ctrace: the wgmma GEMM has tiles 256 or 128 wide");
    if constexpr (std::is_same_v<H, bf16>) CTRACE_WGMMA_M64N128K16("bf16");
    else CTRACE_WGMMA_M64N128K16("f16");
  }
#else
  (void)d;
  (void)desc_a;
  (void)desc_b;
#endif
}

#undef CTRACE_WGMMA_M64N256K16
#undef CTRACE_WGMMA_M64N128K16

// A shared-memory matrix descriptor with 128-byte swizzling.
CTRACE_DEVICE CTRACE_INLINE std::uint64_t wgmma_descriptor(std::uint32_t address, std::uint32_t leading_bytes,
                                                          std::uint32_t stride_bytes) {
  return static_cast<std::uint64_t>((address & 0x3FFFF) >> 4) |
         (static_cast<std::uint64_t>((leading_bytes & 0x3FFFF) >> 4) << 16) |
         (static_cast<std::uint64_t>((stride_bytes & 0x3FFFF) >> 4) << 32) | (1ull << 62);
}

#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
CTRACE_DEVICE CTRACE_INLINE void mbarrier_init(std::uint32_t bar, unsigned count) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(bar), "r"(count) : "memory");
}
CTRACE_DEVICE CTRACE_INLINE void mbarrier_expect_bytes(std::uint32_t bar, unsigned bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(bar), "r"(bytes) : "memory");
}
CTRACE_DEVICE CTRACE_INLINE void mbarrier_arrive(std::uint32_t bar) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(bar) : "memory");
}
CTRACE_DEVICE CTRACE_INLINE void mbarrier_wait(std::uint32_t bar, unsigned parity) {
  unsigned done = 0;
  do {
    asm volatile(
        "{\n.reg .pred p;\nmbarrier.try_wait.parity.shared::cta.b64 p, [%1], %2;\nselp.u32 %0, 1, 0, p;\n}\n"
        : "=r"(done)
        : "r"(bar), "r"(parity)
        : "memory");
  } while (!done);
}
// A box of a 3-D tensor map into shared memory, completing on `bar`.
CTRACE_DEVICE CTRACE_INLINE void tma_load(std::uint32_t dst, const CUtensorMap* map, std::uint32_t bar, int c0, int c1,
                                          int c2) {
  asm volatile(
      "cp.async.bulk.tensor.3d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4, %5}], "
      "[%2];\n" ::"r"(dst),
      "l"(reinterpret_cast<std::uint64_t>(map)), "r"(bar), "r"(c0), "r"(c1), "r"(c2)
      : "memory");
}
#endif

// a_batched / b_batched: the operand's TMA map has a batch dim (coordinate =
// the batch index), else one matrix serves every batch.
template <int BN, bool TransA, bool TransB, class H, int BatchRank, class Epilogue>
__global__ void __launch_bounds__(384, 1)
    gemm_wgmma_kernel(const __grid_constant__ CUtensorMap map_a, const __grid_constant__ CUtensorMap map_b,
                      gemm_args<H, BatchRank> p, Epilogue epi, int a_batched, int b_batched) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using Tile = wgmma_tile<BN>;
  constexpr int BM = Tile::bm, BK = Tile::bk, S = Tile::stages;
  __shared__ __align__(8) std::uint64_t full[S], empty[S];
  unsigned char* raw = gemm_dynamic_smem();
  const std::uint32_t raw_address = smem_address(raw);
  const std::uint32_t base = (raw_address + 1023u) & ~1023u;  // 128-byte swizzle atoms are 1024-byte aligned

  const int warpgroup = static_cast<int>(threadIdx.x) / 128, t = static_cast<int>(threadIdx.x) % 128;
  const int tiles_m = static_cast<int>((p.m + BM - 1) / BM), tiles_n = static_cast<int>((p.n + BN - 1) / BN);
  const tile_coord tc = tile_of(static_cast<int>(blockIdx.x), tiles_m, tiles_n);
  const int m0 = tc.m * BM, n0 = tc.n * BN;
  const int k_tiles = static_cast<int>((p.k + BK - 1) / BK);

  if (threadIdx.x == 0) {
    for (int s = 0; s < S; ++s) {
      mbarrier_init(smem_address(&full[s]), 1);
      mbarrier_init(smem_address(&empty[s]), 2);
    }
    asm volatile("fence.mbarrier_init.release.cluster;\n" ::: "memory");
    asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
  }
  __syncthreads();

  const index_t batch = blockIdx.z;  // one batch per block (gemm.cuh sends more than the grid holds elsewhere)
  if (warpgroup == 0) {
    asm volatile("setmaxnreg.dec.sync.aligned.u32 40;\n");
    if (t == 0) {
      const int ba = a_batched ? static_cast<int>(batch) : 0, bb = b_batched ? static_cast<int>(batch) : 0;
      for (int kt = 0; kt < k_tiles; ++kt) {
        const unsigned s = static_cast<unsigned>(kt) % S;
        if (kt >= S) mbarrier_wait(smem_address(&empty[s]), ((static_cast<unsigned>(kt) / S) - 1) & 1);
        const std::uint32_t bar = smem_address(&full[s]);
        mbarrier_expect_bytes(bar, Tile::stage_bytes);
        const std::uint32_t sa = base + s * Tile::stage_bytes, sb = sa + Tile::a_bytes;
        const int k0 = kt * BK;
        if constexpr (TransA) {
#pragma unroll
          for (int i = 0; i < BM / 64; ++i) tma_load(sa + i * 8192, &map_a, bar, m0 + 64 * i, k0, ba);
        } else {
          tma_load(sa, &map_a, bar, k0, m0, ba);
        }
        if constexpr (TransB) {
#pragma unroll
          for (int i = 0; i < BN / 64; ++i) tma_load(sb + i * 8192, &map_b, bar, n0 + 64 * i, k0, bb);
        } else {
          tma_load(sb, &map_b, bar, k0, n0, bb);
        }
      }
    }
  } else {
    asm volatile("setmaxnreg.inc.sync.aligned.u32 232;\n");
    const int c = warpgroup - 1;  // rows 64c .. 64c + 63 of the tile
    float d[BN / 2];
#pragma unroll
    for (int i = 0; i < BN / 2; ++i) d[i] = 0.0f;
    for (int kt = 0; kt < k_tiles; ++kt) {
      const unsigned s = static_cast<unsigned>(kt) % S;
      mbarrier_wait(smem_address(&full[s]), (static_cast<unsigned>(kt) / S) & 1);
      const std::uint32_t sa = base + s * Tile::stage_bytes, sb = sa + Tile::a_bytes;
      asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
#pragma unroll
      for (int kk = 0; kk < BK / 16; ++kk) {
        // K-major: rows of 128 bytes, 8-row groups 1024 bytes apart, k16 steps 32 bytes
        // into the swizzled row. MN-major: 64-element boxes of 64 k-rows (8 KB) side
        // by side along M/N, 8 k-rows 1024 bytes apart, k16 steps 2048 bytes.
        const std::uint64_t da = TransA ? wgmma_descriptor(sa + c * 8192 + kk * 2048, 8192, 1024)
                                        : wgmma_descriptor(sa + c * 64 * 128 + kk * 32, 16, 1024);
        const std::uint64_t db =
            TransB ? wgmma_descriptor(sb + kk * 2048, 8192, 1024) : wgmma_descriptor(sb + kk * 32, 16, 1024);
        wgmma_m64k16<BN, H, TransA ? 1 : 0, TransB ? 1 : 0>(d, da, db);
      }
      asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
      asm volatile("wgmma.wait_group.sync.aligned 0;\n" ::: "memory");
      if (t == 0) mbarrier_arrive(smem_address(&empty[s]));
    }

    // Both consumers are past their last wgmma and every TMA copy has landed
    // (each was waited for): the stages take the output tile.
    asm volatile("bar.sync 1, 256;\n" ::: "memory");
    float* const tile = reinterpret_cast<float*>(raw + (base - raw_address));
    stage_wgmma_accumulators<BN>(tile, Tile::ldc, d, c, t);
    asm volatile("bar.sync 1, 256;\n" ::: "memory");
    index_t coord[gemm_args<H, BatchRank>::batch_slots];
    index_t offset_a, offset_b;
    batch_offsets(p, batch, coord, offset_a, offset_b);
    auto cursor = epi.at_batch(coord);
    store_tile<BM, BN, 256>(tile, Tile::ldc, epi, cursor, m0, n0, p.m, p.n, static_cast<int>(threadIdx.x) - 128);
  }
#else
  (void)map_a;
  (void)map_b;
  (void)p;
  (void)epi;
  (void)a_batched;
  (void)b_batched;
#endif
}

// ---- host side ------------------------------------------------------------------

template <int Unused = 0>
__global__ void wgmma_probe_kernel(int* out) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  *out = 1;
#else
  *out = 0;
#endif
}

// Whether this program holds sm_90a code that the current device runs: asked
// once per device (one tiny kernel), since only the device pass knows which
// architecture it compiled for.
inline bool wgmma_available() {
  static std::atomic<int> cache[max_devices] = {};  // 0 unknown, 1 no, 2 yes
  const int device = current_device();
  int known = cache[device].load(std::memory_order_relaxed);
  if (known == 0) {
    int major = 0, minor = 0;
    check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute");
    check(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device), "cudaDeviceGetAttribute");
    int result = 0;
    if (major == 9 && minor == 0) {
      int* flag = nullptr;
      check(cudaMalloc(&flag, sizeof(int)), "cudaMalloc", " (wgmma probe)");
      wgmma_probe_kernel<><<<1, 1>>>(flag);
      cudaError_t status = cudaGetLastError();
      if (status == cudaSuccess) status = cudaMemcpy(&result, flag, sizeof(int), cudaMemcpyDeviceToHost);
      (void)cudaFree(flag);
      if (status == cudaErrorNoKernelImageForDevice || status == cudaErrorInvalidDeviceFunction) {
        (void)cudaGetLastError();
        result = 0;
      } else {
        check(status, "wgmma probe kernel");
      }
    }
    known = result ? 2 : 1;
    cache[device].store(known, std::memory_order_relaxed);
  }
  return known == 2;
}

using tensor_map_encoder = CUresult (*)(CUtensorMap*, CUtensorMapDataType, cuuint32_t, void*, const cuuint64_t*,
                                        const cuuint64_t*, const cuuint32_t*, const cuuint32_t*, CUtensorMapInterleave,
                                        CUtensorMapSwizzle, CUtensorMapL2promotion, CUtensorMapFloatOOBfill);

inline tensor_map_encoder tensor_map_encode_function() {
  static const tensor_map_encoder function = [] {
    void* f = nullptr;
    cudaDriverEntryPointQueryResult found{};
    check(cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &f, 12000, cudaEnableDefault, &found),
          "cudaGetDriverEntryPointByVersion", " (cuTensorMapEncodeTiled)");
    if (found != cudaDriverEntryPointSuccess || f == nullptr) {
      detail::raise<cuda_error>("cuTensorMapEncodeTiled is not available from the CUDA driver");
    }
    return reinterpret_cast<tensor_map_encoder>(f);
  }();
  return function;
}

// A 3-D tensor map over a stack of matrices of 2- or 4-byte elements: `inner`
// elements contiguous, `outer` lines `ld` elements apart, `batches` matrices
// `batch_stride` elements apart; boxes of 128 bytes x box_outer, 128-byte swizzled.
template <class T>
CUtensorMap make_tensor_map(const T* data, index_t inner, index_t outer, index_t ld, index_t batches,
                            index_t batch_stride, int box_outer) {
  static_assert(std::is_same_v<T, bf16> || std::is_same_v<T, f16> || std::is_same_v<T, float>,
                "ctrace: TMA maps here are of bf16, f16 or f32");
  constexpr index_t size = sizeof(T);
  CUtensorMap map{};
  const cuuint64_t dims[3] = {static_cast<cuuint64_t>(inner), static_cast<cuuint64_t>(outer),
                              static_cast<cuuint64_t>(batches)};
  // One matrix for all batches: any valid stride (the coordinate is always 0).
  const index_t bstride = batches > 1 ? batch_stride : (ld * outer + 7) / 8 * 8;
  const cuuint64_t strides[2] = {static_cast<cuuint64_t>(ld * size),
                                 static_cast<cuuint64_t>((bstride > 0 ? bstride : 8) * size)};
  const cuuint32_t box[3] = {static_cast<cuuint32_t>(128 / size), static_cast<cuuint32_t>(box_outer), 1};
  const cuuint32_t element_strides[3] = {1, 1, 1};
  const CUtensorMapDataType type = std::is_same_v<T, bf16>   ? CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
                                   : std::is_same_v<T, f16> ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16
                                                            : CU_TENSOR_MAP_DATA_TYPE_FLOAT32;
  const CUresult status = tensor_map_encode_function()(
      &map, type, 3, const_cast<T*>(data), dims, strides, box, element_strides, CU_TENSOR_MAP_INTERLEAVE_NONE,
      CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B, CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (status != CUDA_SUCCESS) {
    detail::raise<cuda_error>("cuTensorMapEncodeTiled failed (error ", static_cast<int>(status), ") for a ", inner,
                              " x ", outer, " x ", batches, " operand with leading dim ", ld);
  }
  return map;
}

}  // namespace ctrace::cuda_backend
