// CPU matmul: Eigen's GEMM over strided maps of the operands (no copy when each
// matrix has a unit stride along its rows or its columns), cut into tiles of
// output rows (or columns) spread over the cores, one single-threaded Eigen
// product per tile.
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "ctrace/backend/cpu/assign.hpp"  // as_tensor evaluates operands through it
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/movement.hpp"
#include "ctrace/backend/cpu/parallel.hpp"
#include "ctrace/expr/matmul.hpp"

namespace ctrace::cpu_backend {

// Below this many multiply-adds per thread a product runs on one thread: the
// pool's wake-up costs about as much as that work.
inline constexpr double matmul_parallel_work = 262144.0;

namespace matmul_detail {

// One operand seen as a stack of matrices, all with the same strides.
template <class T>
struct operand_matrices {
  const T* data = nullptr;
  index_t rows = 0, cols = 0;
  index_t row_stride = 0, col_stride = 0;
  // Stride per batch dim of the result; 0 where the operand is broadcast.
  index_t batch_strides[max_rank]{};
  // How Eigen maps one matrix: unit stride along the columns (row-major) or
  // along the rows (column-major), and the stride between those lines.
  bool row_major = true;
  index_t outer = 0;

  // False when neither dim has a unit stride: Eigen would copy each matrix,
  // so the caller makes the whole operand contiguous once instead.
  bool choose_layout() {
    // A dim of size 1 has no meaningful stride, so it fits either layout.
    if (cols == 1 || col_stride == 1) {
      row_major = true;
      outer = rows == 1 ? cols : row_stride;
      return true;
    }
    if (rows == 1 || row_stride == 1) {
      row_major = false;
      outer = col_stride;
      return true;
    }
    return false;
  }
};

// The matrices of a rank-r operand. A 1-D lhs is one row, a 1-D rhs one column
// (torch.matmul's rule); the leading dims align right with the result's
// `batch_rank` batch dims.
template <class T, int r>
operand_matrices<T> matrices_of(const strided_view<T, r>& v, bool is_lhs, int batch_rank) {
  operand_matrices<T> o;
  o.data = v.data;
  if constexpr (r == 1) {
    if (is_lhs) {
      o.rows = 1;
      o.cols = v.sizes[0];
      o.col_stride = v.strides[0];
    } else {
      o.rows = v.sizes[0];
      o.cols = 1;
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
    o.batch_strides[i] = (j < 0 || v.sizes[j] == 1) ? 0 : v.strides[j];
  }
  return o;
}

// out[b] = a[b] · b[b] for every batch b: [n, k] · [k, m] into a contiguous
// [batch..., n, m] block.
template <class T>
struct problem {
  T* out = nullptr;
  int batch_rank = 0;
  index_t batch_sizes[max_rank]{};
  index_t batches = 1, n = 0, k = 0, m = 0;
  operand_matrices<T> a, b;

  void offsets(index_t batch, index_t& oa, index_t& ob) const {
    oa = 0;
    ob = 0;
    for (int d = batch_rank - 1; d >= 0; --d) {
      const index_t i = batch % batch_sizes[d];
      batch /= batch_sizes[d];
      oa += i * a.batch_strides[d];
      ob += i * b.batch_strides[d];
    }
  }
};

// Rows [r0, r1) and columns [c0, c1) of one batch's output, by Eigen.
template <class T, bool LhsRowMajor, bool RhsRowMajor>
void gemm_tile(const problem<T>& p, index_t batch, index_t r0, index_t r1, index_t c0, index_t c1) {
  using lhs_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, LhsRowMajor ? Eigen::RowMajor : Eigen::ColMajor>;
  using rhs_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, RhsRowMajor ? Eigen::RowMajor : Eigen::ColMajor>;
  using out_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using stride = Eigen::OuterStride<>;
  index_t oa = 0, ob = 0;
  p.offsets(batch, oa, ob);
  Eigen::Map<const lhs_matrix, Eigen::Unaligned, stride> lhs(p.a.data + oa + r0 * p.a.row_stride, r1 - r0, p.k,
                                                             stride(p.a.outer));
  Eigen::Map<const rhs_matrix, Eigen::Unaligned, stride> rhs(p.b.data + ob + c0 * p.b.col_stride, p.k, c1 - c0,
                                                             stride(p.b.outer));
  Eigen::Map<out_matrix, Eigen::Unaligned, stride> out(p.out + (batch * p.n + r0) * p.m + c0, r1 - r0, c1 - c0,
                                                       stride(p.m));
  out.noalias() = lhs * rhs;
}

template <class T>
using tile_function = void (*)(const problem<T>&, index_t, index_t, index_t, index_t, index_t);

template <class T>
tile_function<T> select_tile(bool lhs_row_major, bool rhs_row_major) {
  if (lhs_row_major) return rhs_row_major ? &gemm_tile<T, true, true> : &gemm_tile<T, true, false>;
  return rhs_row_major ? &gemm_tile<T, false, true> : &gemm_tile<T, false, false>;
}

// Output tiles per unit of work: rows in multiples of Eigen's register block
// along them (4), columns of a packet (8 floats).
inline constexpr index_t row_block = 4;
inline constexpr index_t col_block = 8;

template <class T>
void run(const problem<T>& p) {
  const index_t nb = p.batches, n = p.n, m = p.m, k = p.k;
  if (nb == 0 || n == 0 || m == 0) return;
  if (k == 0) {  // an empty sum: zeros (as torch)
    std::fill_n(p.out, nb * n * m, T(0));
    return;
  }
  const tile_function<T> tile = select_tile<T>(p.a.row_major, p.b.row_major);
  const int threads = num_threads();
  const double work = static_cast<double>(nb) * static_cast<double>(n) * static_cast<double>(m) * static_cast<double>(k);
  if (threads <= 1 || work < 2 * matmul_parallel_work) {
    for (index_t b = 0; b < nb; ++b) tile(p, b, 0, n, 0, m);
    return;
  }
  const auto grain_for = [](double unit_work) {
    return std::max<index_t>(1, static_cast<index_t>(matmul_parallel_work / unit_work) + 1);
  };
  if (nb * n >= std::max<index_t>(m, threads * row_block)) {
    // Split the rows of all batches together; each thread's range covers whole
    // batches and parts of at most two.
    const index_t block = std::min(n, row_block);
    const index_t per_batch = (n + block - 1) / block;
    const double unit_work = static_cast<double>(block) * static_cast<double>(m) * static_cast<double>(k);
    parallel_for(nb * per_batch, grain_for(unit_work), [&](index_t u0, index_t u1) {
      for (index_t u = u0; u < u1;) {
        const index_t b = u / per_batch;
        const index_t last = std::min(u1, (b + 1) * per_batch);
        tile(p, b, (u - b * per_batch) * block, std::min(n, (last - b * per_batch) * block), 0, m);
        u = last;
      }
    });
  } else {
    // Few rows, many columns (vector-matrix products, thin outputs).
    const index_t block = std::min(m, col_block);
    const index_t units = (m + block - 1) / block;
    const double unit_work = static_cast<double>(n) * static_cast<double>(block) * static_cast<double>(k);
    for (index_t b = 0; b < nb; ++b) {
      parallel_for(units, grain_for(unit_work),
                   [&](index_t u0, index_t u1) { tile(p, b, 0, n, u0 * block, std::min(m, u1 * block)); });
    }
  }
}

}  // namespace matmul_detail

template <class A, class B>
struct root_kernel<matmul_node<A, B>> {
  static constexpr bool exists = true;

  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const matmul_node<A, B>& node) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
                      std::is_same_v<T, std::int64_t>,
                  "ctrace: the CPU matmul computes in f32, f64, i32 or i64 (the API casts other types)");
    constexpr int ra = A::shape_type::rank, rb = B::shape_type::rank;
    constexpr int batch_rank = R - (ra >= 2 ? 1 : 0) - (rb >= 2 ? 1 : 0);
    // Each operand is evaluated once; views of expressions stay views.
    auto a = as_strided_tensor(node.lhs());
    auto b = as_strided_tensor(node.rhs());
    matmul_detail::problem<T> p;
    p.out = dest.data;
    p.batch_rank = batch_rank;
    for (int i = 0; i < batch_rank; ++i) {
      p.batch_sizes[i] = dest.sizes[i];
      p.batches *= dest.sizes[i];
    }
    p.a = matmul_detail::matrices_of<T, ra>(a.strided(), true, batch_rank);
    if (!p.a.choose_layout()) {
      a = a.clone();
      p.a = matmul_detail::matrices_of<T, ra>(a.strided(), true, batch_rank);
      p.a.choose_layout();
    }
    p.b = matmul_detail::matrices_of<T, rb>(b.strided(), false, batch_rank);
    if (!p.b.choose_layout()) {
      b = b.clone();
      p.b = matmul_detail::matrices_of<T, rb>(b.strided(), false, batch_rank);
      p.b.choose_layout();
    }
    p.n = p.a.rows;
    p.k = p.a.cols;
    p.m = p.b.cols;
    matmul_detail::run(p);
  }
};

}  // namespace ctrace::cpu_backend
