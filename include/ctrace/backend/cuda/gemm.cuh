// Matrix products on CUDA (matmul_node, torch.matmul's rules), with the
// elementwise consumers of the product fused into the kernel's epilogue.
//
// What runs is decided from the graph's types, at compile time:
//   - f32 operands: the tensor cores at f32 accuracy (3xTF32, gemm_tf32x3.cuh:
//     a pass over each operand, then the product), or the SIMT kernel
//     (gemm_simt.cuh) when gemm_options() says so; f64, i32 and i64: SIMT;
//   - operands that are bf16 or f16 tensors cast to f32 (how the API spells a
//     half-precision product: computed in f32, rounded back), both of one
//     type: the tensor cores, reading the 16-bit values directly: wgmma fed by
//     TMA on sm_90a when both operands' rows are 16-byte aligned
//     (gemm_wgmma.cuh), else mma.sync (gemm_mma.cuh);
//   - the root of an assignment that is an elementwise tree over exactly one
//     matmul (bias add, activation, residual add, casts: gemm_epilogue.cuh):
//     one kernel, the tree applied to each element of the product in
//     registers before the one store.
// Only strides and alignment are looked at when the product runs: the SIMT and
// 16-bit kernels read transposed views and broadcast batches where they are,
// without copies; the 3xTF32 path's split pass reads them through their strides.
// Operands that are expressions (not tensors) are evaluated once first.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstdint>
#include <type_traits>

#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/gemm_common.cuh"
#include "ctrace/backend/cuda/gemm_epilogue.cuh"
#include "ctrace/backend/cuda/gemm_mma.cuh"
#include "ctrace/backend/cuda/gemm_simt.cuh"
#include "ctrace/backend/cuda/gemm_tf32x3.cuh"
#include "ctrace/backend/cuda/gemm_wgmma.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/backend/cuda/runtime.hpp"
#include "ctrace/backend/cuda/stream.hpp"
#include "ctrace/backend/cuda/views.cuh"
#include "ctrace/expr/matmul.hpp"
#include "ctrace/expr/movement.hpp"

namespace ctrace::cuda_backend {

// ---- choices tests and benchmarks can see and steer --------------------------------

enum class gemm_kernel { none, simt, tf32x3, tf32x3_wgmma, mma, wgmma };

struct gemm_settings {
  bool allow_wgmma = true;  // false: half-precision and 3xTF32 products take the mma.sync kernels
  bool f32_tensor_cores = true;  // false: f32 products take the SIMT kernel (FFMA), not 3xTF32
};
// This thread's settings.
inline gemm_settings& gemm_options() {
  thread_local gemm_settings settings;
  return settings;
}
// The kernel the last product on this thread ran.
inline gemm_kernel& last_gemm_kernel() {
  thread_local gemm_kernel kernel = gemm_kernel::none;
  return kernel;
}
// How many products this thread has run (tests count what a graph call computes).
inline std::size_t& gemm_count() {
  thread_local std::size_t count = 0;
  return count;
}

// ---- operands ----------------------------------------------------------------

// The 16-bit type behind an operand that is a cast of a bf16/f16 node to f32.
template <class Node>
struct half_storage {
  using type = void;
};
template <class X>
  requires is_half_v<typename X::value_type>
struct half_storage<cast_node<float, X>> {
  using type = typename X::value_type;
};
// The tensor cores' input type for a product of A and B (void: not for them).
template <class A, class B>
using tensor_core_type =
    std::conditional_t<!std::is_void_v<typename half_storage<A>::type> &&
                           std::is_same_v<typename half_storage<A>::type, typename half_storage<B>::type>,
                       typename half_storage<A>::type, void>;

template <class Node>
inline constexpr bool is_device_tensor_node = false;
template <class T, class S>
inline constexpr bool is_device_tensor_node<tensor_leaf<T, S, cuda>> = true;
template <int I, class T, class S>
inline constexpr bool is_device_tensor_node<input_node<I, T, S, cuda>> = true;

// The operand's value as a device tensor: a tensor is itself, a movement op
// of one a view of it (a transpose costs no copy), anything else is evaluated
// into new memory (once per graph call when value-free: exec/memo.hpp).
template <class Node>
auto device_tensor(const Node& n) {
  using value_tensor = tensor<typename Node::value_type, typename Node::shape_type, cuda>;
  if constexpr (is_device_tensor_node<Node>) return value_tensor(n.value);  // an input node borrows its memory
  else if constexpr (is_movement_node_v<Node>) return n.op.apply(device_tensor(n.arg()));
  else return exec::materialize_once<Node, value_tensor>([&] { return value_tensor(n); });
}

// One operand as a stack of matrices (torch.matmul: a 1-D lhs is a row, a 1-D
// rhs a column), batch dims aligned right with the product's.
struct operand_matrices {
  index_t rows = 1, cols = 1, row_stride = 0, col_stride = 0;
  index_t batch_strides[max_rank]{};
};
template <class T, int r>
operand_matrices matrices_of(const strided_view<T, r>& v, bool is_lhs, int batch_rank, const index_t* batch_sizes) {
  operand_matrices o;
  if constexpr (r == 1) {
    if (is_lhs) {
      o.cols = v.sizes[0];
      o.col_stride = v.strides[0];
    } else {
      o.rows = v.sizes[0];
      o.row_stride = v.strides[0];
    }
  } else {
    o.rows = v.sizes[r - 2];
    o.cols = v.sizes[r - 1];
    o.row_stride = v.strides[r - 2];
    o.col_stride = v.strides[r - 1];
  }
  constexpr int own_batch = r >= 2 ? r - 2 : 0;
  for (int i = 0; i < batch_rank; ++i) {
    const int j = i - (batch_rank - own_batch);
    o.batch_strides[i] = (j < 0 || v.sizes[j] == 1 || batch_sizes[i] == 1) ? 0 : v.strides[j];
  }
  return o;
}

// How one operand is read: along its M/N dim (contiguous there) or along K,
// and whether 16-byte accesses reach every row (`aligned`).
struct operand_reading {
  bool along_mn = false;
  bool aligned = false;
};
inline operand_reading reading_of(const void* data, std::size_t element, index_t s_mn, index_t s_k, index_t rows,
                                  index_t depth, const index_t* batch_strides, int batch_rank) {
  operand_reading r;
  r.along_mn = rows > 1 && s_mn == 1 && !(depth > 1 && s_k == 1);
  const index_t contiguous_stride = r.along_mn ? s_mn : s_k, contiguous_size = r.along_mn ? rows : depth;
  const index_t other_stride = r.along_mn ? s_k : s_mn, other_size = r.along_mn ? depth : rows;
  const auto bytes_aligned = [&](index_t stride) { return (stride * static_cast<index_t>(element)) % 16 == 0; };
  r.aligned = (contiguous_stride == 1 || contiguous_size == 1) && reinterpret_cast<std::uintptr_t>(data) % 16 == 0 &&
              (other_size == 1 || bytes_aligned(other_stride));
  for (int d = 0; d < batch_rank; ++d) r.aligned = r.aligned && bytes_aligned(batch_strides[d]);
  return r;
}

// The batches of an operand as TMA sees them: all at one stride (flattened
// batch dims), or one matrix for all (broadcast); otherwise not for TMA.
struct flat_batches {
  bool ok = false;
  bool batched = false;
  index_t stride = 0;
};
inline flat_batches flatten_batches(const index_t* strides, const index_t* sizes, int batch_rank) {
  flat_batches f;
  bool any = false, all = true;
  index_t expected = -1;
  for (int d = batch_rank - 1; d >= 0; --d) {
    if (sizes[d] == 1) continue;
    if (strides[d] == 0) {
      all = false;
      continue;
    }
    any = true;
    if (expected >= 0 && strides[d] != expected) all = false;
    if (expected < 0) f.stride = strides[d];
    expected = strides[d] * sizes[d];
  }
  if (!any) {
    f.ok = true;
    return f;
  }
  f.ok = all;
  f.batched = true;
  return f;
}

// ---- launches --------------------------------------------------------------------

template <auto Kernel>
void allow_dynamic_smem(int bytes) {
  static std::atomic<bool> done[max_devices] = {};
  const int device = current_device();
  if (!done[device].load(std::memory_order_relaxed)) {
    check(cudaFuncSetAttribute(Kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes), "cudaFuncSetAttribute",
          " (GEMM kernel shared memory, ", bytes, " bytes)");
    done[device].store(true, std::memory_order_relaxed);
  }
}

inline dim3 gemm_grid(index_t m, index_t n, index_t batches, int bm, int bn) {
  const index_t tiles = ((m + bm - 1) / bm) * ((n + bn - 1) / bn);
  if (tiles > INT_MAX) detail::raise<cuda_error>("matmul: ", m, " x ", n, " is too large a product for one launch");
  return dim3(static_cast<unsigned>(tiles), 1, static_cast<unsigned>(std::min(batches, max_grid_z)));
}

template <class Tile, class T, int BatchRank, class Epilogue>
void launch_simt(const gemm_args<T, BatchRank>& p, const Epilogue& epi, const operand_reading& ra,
                 const operand_reading& rb) {
  const int mode_a = (ra.along_mn ? simt_along_mn : 0) | (ra.aligned ? simt_vector : 0);
  const int mode_b = (rb.along_mn ? simt_along_mn : 0) | (rb.aligned ? simt_vector : 0);
  constexpr auto kernel = &gemm_simt_kernel<Tile, T, BatchRank, Epilogue>;
  constexpr int smem = Tile::template smem_bytes<T>;
  allow_dynamic_smem<kernel>(smem);
  kernel<<<gemm_grid(p.m, p.n, p.batches, Tile::bm, Tile::bn), Tile::threads, smem, current_stream()>>>(p, epi, mode_a,
                                                                                                     mode_b);
  check(cudaGetLastError(), "matmul kernel launch", " (SIMT, ", p.m, " x ", p.k, " x ", p.n, ", ", p.batches, " batches)");
  last_gemm_kernel() = gemm_kernel::simt;
}

// The split pass over one operand into `out` (split_tf32_kernel).
template <int BatchRank>
void launch_split(const gemm_args<float, BatchRank>& p, bool operand_b, const split_operand& o, float* out) {
  if (o.along_mn && p.batches <= max_grid_z) {
    const dim3 grid(static_cast<unsigned>(o.rows_padded / 32), static_cast<unsigned>((o.depth_padded + 63) / 64),
                    static_cast<unsigned>(p.batches));
    split_tf32_transposed_kernel<BatchRank><<<grid, 256, 0, current_stream()>>>(p, operand_b, o, out);
  } else {
    const index_t threads = o.rows_padded * (o.depth_padded / 8) * p.batches;
    const index_t blocks = std::min<index_t>((threads + 255) / 256, index_t{1} << 20);
    split_tf32_kernel<BatchRank><<<static_cast<unsigned>(blocks), 256, 0, current_stream()>>>(p, operand_b, o, out);
  }
  check(cudaGetLastError(), "matmul kernel launch", " (3xTF32 split of ", operand_b ? "B" : "A", ", ", o.rows, " x ",
        o.depth, ")");
}

// The split passes, then the product: on wgmma (sm_90a, batches within the
// grid) or on mma.sync with Tile's shape.
template <class Tile, int BatchRank, class Epilogue>
void launch_tf32x3(const gemm_args<float, BatchRank>& p, const Epilogue& epi, const operand_reading& ra,
                   const operand_reading& rb) {
  using wgmma_tile = tf32x3_wgmma_tile;
  const bool wgmma = gemm_options().allow_wgmma && p.batches <= max_grid_z && wgmma_available();
  const int bm = wgmma ? wgmma_tile::bm : Tile::bm, bn = wgmma ? wgmma_tile::bn : Tile::bn;
  const int bk = wgmma ? wgmma_tile::bk : Tile::bk;
  const auto round_up = [](index_t x, index_t to) { return (x + to - 1) / to * to; };
  const index_t depth = round_up(std::max<index_t>(p.k, 1), bk);
  const split_operand sa{p.a, p.a_stride_m, p.a_stride_k, p.m, p.k, round_up(p.m, bm), depth, ra.along_mn};
  const split_operand sb{p.b, p.b_stride_n, p.b_stride_k, p.n, p.k, round_up(p.n, bn), depth, rb.along_mn};
  // Stream-ordered temporaries: returned to the cache when this returns, reused only by later work on the stream.
  auto a_split = tensor<float, shape_of<dyn>, cuda>::uninitialized(sizes_t<1>{sa.rows_padded * 2 * depth * p.batches});
  auto b_split = tensor<float, shape_of<dyn>, cuda>::uninitialized(sizes_t<1>{sb.rows_padded * 2 * depth * p.batches});
  launch_split(p, false, sa, a_split.data());
  launch_split(p, true, sb, b_split.data());
  if (wgmma) {
    const CUtensorMap map_a =
        make_tensor_map(a_split.data(), depth, sa.rows_padded, depth, 2 * p.batches, sa.rows_padded * depth, 128);
    const CUtensorMap map_b =
        make_tensor_map(b_split.data(), depth, sb.rows_padded, depth, 2 * p.batches, sb.rows_padded * depth, 128);
    constexpr auto kernel = &gemm_tf32x3_wgmma_kernel<BatchRank, Epilogue>;
    allow_dynamic_smem<kernel>(wgmma_tile::smem_bytes);
    kernel<<<gemm_grid(p.m, p.n, p.batches, bm, bn), 384, wgmma_tile::smem_bytes, current_stream()>>>(map_a, map_b, p,
                                                                                                      depth, epi);
  } else {
    constexpr auto kernel = &gemm_tf32x3_kernel<Tile, BatchRank, Epilogue>;
    allow_dynamic_smem<kernel>(Tile::smem_bytes);
    kernel<<<gemm_grid(p.m, p.n, p.batches, bm, bn), Tile::threads, Tile::smem_bytes, current_stream()>>>(
        p, a_split.data(), b_split.data(), sa.rows_padded, sb.rows_padded, depth, epi);
  }
  check(cudaGetLastError(), "matmul kernel launch", wgmma ? " (3xTF32 wgmma, " : " (3xTF32 mma.sync, ", p.m, " x ",
        p.k, " x ", p.n, ", ", p.batches, " batches)");
  last_gemm_kernel() = wgmma ? gemm_kernel::tf32x3_wgmma : gemm_kernel::tf32x3;
}

template <class Tile, bool AKMajor, bool BKMajor, class H, int BatchRank, class Epilogue>
void launch_mma_as(const gemm_args<H, BatchRank>& p, const Epilogue& epi, bool a_aligned, bool b_aligned) {
  constexpr auto kernel = &gemm_mma_kernel<Tile, AKMajor, BKMajor, H, BatchRank, Epilogue>;
  allow_dynamic_smem<kernel>(Tile::smem_bytes);
  kernel<<<gemm_grid(p.m, p.n, p.batches, Tile::bm, Tile::bn), Tile::threads, Tile::smem_bytes, current_stream()>>>(
      p, epi, a_aligned, b_aligned);
  check(cudaGetLastError(), "matmul kernel launch", " (mma.sync, ", p.m, " x ", p.k, " x ", p.n, ", ", p.batches,
        " batches)");
  last_gemm_kernel() = gemm_kernel::mma;
}

template <class Tile, class H, int BatchRank, class Epilogue>
void launch_mma(const gemm_args<H, BatchRank>& p, const Epilogue& epi, const operand_reading& ra,
                const operand_reading& rb) {
  if (!ra.along_mn) {
    if (!rb.along_mn) launch_mma_as<Tile, true, true>(p, epi, ra.aligned, rb.aligned);
    else launch_mma_as<Tile, true, false>(p, epi, ra.aligned, rb.aligned);
  } else {
    if (!rb.along_mn) launch_mma_as<Tile, false, true>(p, epi, ra.aligned, rb.aligned);
    else launch_mma_as<Tile, false, false>(p, epi, ra.aligned, rb.aligned);
  }
}

template <int BN, bool TransA, bool TransB, class H, int BatchRank, class Epilogue>
void launch_wgmma_as(const gemm_args<H, BatchRank>& p, const Epilogue& epi, const flat_batches& fa,
                     const flat_batches& fb) {
  using Tile = wgmma_tile<BN>;
  // A: [m, k]; MN-major (TransA) when m is contiguous. B: [k, n]; MN-major (TransB) when n is.
  const index_t a_batches = fa.batched ? p.batches : 1, b_batches = fb.batched ? p.batches : 1;
  const CUtensorMap map_a = TransA ? make_tensor_map(p.a, p.m, p.k, p.k > 1 ? p.a_stride_k : (p.m + 7) / 8 * 8,
                                                     a_batches, fa.stride, 64)
                                   : make_tensor_map(p.a, p.k, p.m, p.m > 1 ? p.a_stride_m : (p.k + 7) / 8 * 8,
                                                     a_batches, fa.stride, Tile::bm);
  const CUtensorMap map_b = TransB ? make_tensor_map(p.b, p.n, p.k, p.k > 1 ? p.b_stride_k : (p.n + 7) / 8 * 8,
                                                     b_batches, fb.stride, 64)
                                   : make_tensor_map(p.b, p.k, p.n, p.n > 1 ? p.b_stride_n : (p.k + 7) / 8 * 8,
                                                     b_batches, fb.stride, BN);
  constexpr auto kernel = &gemm_wgmma_kernel<BN, TransA, TransB, H, BatchRank, Epilogue>;
  allow_dynamic_smem<kernel>(Tile::smem_bytes);
  kernel<<<gemm_grid(p.m, p.n, p.batches, Tile::bm, Tile::bn), Tile::threads, Tile::smem_bytes, current_stream()>>>(
      map_a, map_b, p, epi, fa.batched ? 1 : 0, fb.batched ? 1 : 0);
  check(cudaGetLastError(), "matmul kernel launch", " (wgmma, ", p.m, " x ", p.k, " x ", p.n, ", ", p.batches,
        " batches)");
  last_gemm_kernel() = gemm_kernel::wgmma;
}

template <int BN, class H, int BatchRank, class Epilogue>
void launch_wgmma(const gemm_args<H, BatchRank>& p, const Epilogue& epi, bool trans_a, bool trans_b,
                  const flat_batches& fa, const flat_batches& fb) {
  if (!trans_a) {
    if (!trans_b) launch_wgmma_as<BN, false, false>(p, epi, fa, fb);
    else launch_wgmma_as<BN, false, true>(p, epi, fa, fb);
  } else {
    if (!trans_b) launch_wgmma_as<BN, true, false>(p, epi, fa, fb);
    else launch_wgmma_as<BN, true, true>(p, epi, fa, fb);
  }
}

// Whether wgmma can read this operand through TMA: 16-byte aligned rows along
// a contiguous dim that do not overlap, batches flat or broadcast, coordinates
// in 32 bits.
inline bool tma_readable(const operand_reading& r, const flat_batches& f, index_t s_mn, index_t s_k, index_t rows,
                         index_t depth, index_t batches) {
  const index_t line = r.along_mn ? s_k : s_mn, line_count = r.along_mn ? depth : rows;
  const index_t contiguous = r.along_mn ? rows : depth;
  return r.aligned && f.ok && (line_count == 1 || line >= contiguous) && batches < INT_MAX && rows < INT_MAX &&
         depth < INT_MAX;
}

// ---- the product ------------------------------------------------------------------

// Tile shapes of the kernels (bench/cuda/gemm_tuning.cu sweeps others).
struct gemm_default_config {
  template <class T>
  using simt = simt_default_tile<T>;
  using tf32x3 = tf32x3_default_tile;
  using mma = mma_default_tile;
  static constexpr int wgmma_bn = 256;
};

// Writes tree(product) into dest, where the product's sizes are dest's (after
// dest's leading size-1 dims). Tree: the device tree with product_ref in it.
template <class Config = gemm_default_config, class Out, int R, class A, class B, class Tree>
void run_gemm(const strided_view<Out, R>& dest, const matmul_node<A, B>& mm, const Tree& tree) {
  using node = matmul_node<A, B>;
  constexpr int ra = A::shape_type::rank, rb = B::shape_type::rank, rp = node::shape_type::rank;
  constexpr bool has_m = ra >= 2, has_n = rb >= 2;
  constexpr int batch_rank = rp - (has_m ? 1 : 0) - (has_n ? 1 : 0);
  using epilogue_type = gemm_epilogue<Out, R, batch_rank, has_m, has_n, Tree>;
  if (dest.numel() == 0) return;

  epilogue_type epi{dest.data, 0, 0, {}, tree};
  if constexpr (has_m) epi.stride_m = dest.strides[epilogue_type::dim_m];
  if constexpr (has_n) epi.stride_n = dest.strides[epilogue_type::dim_n];
  for (int d = 0; d < batch_rank; ++d) epi.batch_strides[d] = dest.strides[epilogue_type::lead + d];

  ++gemm_count();
  const auto sizes = mm.sizes();
  using H = tensor_core_type<A, B>;
  auto run = [&](const auto& ta, const auto& tb) {
    using T = std::remove_cvref_t<decltype(*ta.data())>;
    gemm_args<T, batch_rank> p{};
    p.batches = 1;
    for (int d = 0; d < batch_rank; ++d) {
      p.batch_sizes[d] = sizes[d];
      p.batches *= sizes[d];
    }
    const operand_matrices oa = matrices_of<T, ra>(ta.strided(), true, batch_rank, p.batch_sizes);
    const operand_matrices ob = matrices_of<T, rb>(tb.strided(), false, batch_rank, p.batch_sizes);
    p.a = ta.data();
    p.b = tb.data();
    p.m = oa.rows;
    p.k = oa.cols;
    p.n = ob.cols;
    p.a_stride_m = oa.row_stride;
    p.a_stride_k = oa.col_stride;
    p.b_stride_k = ob.row_stride;
    p.b_stride_n = ob.col_stride;
    for (int d = 0; d < batch_rank; ++d) {
      p.a_batch[d] = oa.batch_strides[d];
      p.b_batch[d] = ob.batch_strides[d];
    }
    const operand_reading read_a =
        reading_of(p.a, sizeof(T), p.a_stride_m, p.a_stride_k, p.m, p.k, p.a_batch, batch_rank);
    const operand_reading read_b =
        reading_of(p.b, sizeof(T), p.b_stride_n, p.b_stride_k, p.n, p.k, p.b_batch, batch_rank);
    if constexpr (std::is_same_v<T, bf16> || std::is_same_v<T, f16>) {
      const flat_batches fa = flatten_batches(p.a_batch, p.batch_sizes, batch_rank);
      const flat_batches fb = flatten_batches(p.b_batch, p.batch_sizes, batch_rank);
      if (gemm_options().allow_wgmma && p.batches <= max_grid_z &&
          tma_readable(read_a, fa, p.a_stride_m, p.a_stride_k, p.m, p.k, p.batches) &&
          tma_readable(read_b, fb, p.b_stride_n, p.b_stride_k, p.n, p.k, p.batches) && wgmma_available()) {
        launch_wgmma<Config::wgmma_bn>(p, epi, read_a.along_mn, read_b.along_mn, fa, fb);
      } else {
        launch_mma<typename Config::mma>(p, epi, read_a, read_b);
      }
    } else {
      static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
                        std::is_same_v<T, std::int64_t>,
                    "ctrace: the CUDA matmul computes in f32, f64, i32 or i64, or bf16/f16 operands on the tensor "
                    "cores (the API casts other types)");
      if constexpr (std::is_same_v<T, float>) {
        if (gemm_options().f32_tensor_cores && tf32_available()) {
          launch_tf32x3<typename Config::tf32x3>(p, epi, read_a, read_b);
          return;
        }
      }
      launch_simt<typename Config::template simt<T>>(p, epi, read_a, read_b);
    }
  };
  if constexpr (!std::is_void_v<H>) {
    run(device_tensor(mm.lhs().arg()), device_tensor(mm.rhs().arg()));
  } else {
    run(device_tensor(mm.lhs()), device_tensor(mm.rhs()));
  }
}

// Whether the product's sizes are dest's (dest may have more leading dims of size 1).
template <std::size_t R, std::size_t P>
bool product_fills(const std::array<index_t, R>& dest, const std::array<index_t, P>& product) {
  if constexpr (P > R) {
    return false;
  } else {
    for (std::size_t i = 0; i < R; ++i) {
      if (i < R - P ? dest[i] != 1 : dest[i] != product[i - (R - P)]) return false;
    }
    return true;
  }
}

}  // namespace ctrace::cuda_backend

namespace ctrace::cuda_backend {

// A matmul as the root of an assignment, or computed into a temporary for an
// expression that reads it.
template <class A, class B>
struct root_kernel<matmul_node<A, B>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const matmul_node<A, B>& node) {
    using node_type = matmul_node<A, B>;
    if constexpr (R == 0) {
      run(strided_view<T, 1>{dest.data, {1}, {1}}, node);
    } else if (product_fills(dest.sizes, node.sizes())) {
      run_gemm(dest, node, product_ref<typename node_type::value_type, R>{});
    } else {  // broadcast into a larger destination: the product once, then copies
      auto t = tensor<typename node_type::value_type, typename node_type::shape_type, cuda>::uninitialized(node.sizes());
      run(t.strided(), node);
      run_elementwise(dest, tensor_leaf<typename node_type::value_type, typename node_type::shape_type, cuda>{{}, t});
    }
  }
};

// An elementwise tree over one matmul as the root of an assignment: one GEMM
// with the tree as its epilogue. (As an operand of a larger expression such a
// tree is fused into that expression's kernel instead, device_expr's more
// specialized partial specializations win, and only its matmul becomes a
// temporary.)
template <class Node>
  requires gemm_epilogue_tree<Node>
struct root_kernel<Node> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const Node& node) {
    if constexpr (R == 0) {
      run(strided_view<T, 1>{dest.data, {1}, {1}}, node);
    } else {
      const auto& mm = find_matmul(node);
      // The tree broadcasts the product (not one element each), or this graph
      // call remembers the product for its other uses: the product is
      // computed once by itself and an elementwise kernel reads it.
      if (!product_fills(dest.sizes, mm.sizes()) || exec::values_shared<std::remove_cvref_t<decltype(mm)>>()) {
        run_elementwise(dest, node);
        return;
      }
      run_gemm(dest, mm, make_epilogue_tree<R>(node, dest.sizes));
    }
  }
};

}  // namespace ctrace::cuda_backend
