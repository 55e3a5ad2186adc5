// The CPU backend's results (compiled by the host compiler in
// movement_reference.cpp) for the ops of movement_sort_test.cu whose exact
// answers (tie order, NaN, gradients) the CUDA kernels must reproduce: topk,
// cummax, masked_select, and gradients through cat, stack, diag_embed, topk,
// cummax and masked_select. Plain vectors cross the boundary (row-major), so
// no ctrace type is compiled by both nvcc and the host compiler.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

// The ops of movement_loss (front ends only: no backend).
#include <ctrace/api/elementwise.hpp>
#include <ctrace/api/indexing.hpp>
#include <ctrace/api/join.hpp>
#include <ctrace/api/linalg.hpp>
#include <ctrace/api/reduce.hpp>
#include <ctrace/api/scan.hpp>
#include <ctrace/api/sort.hpp>

namespace ctrace::testing::movement_reference {

template <class T>
struct values_indices_of {
  std::vector<T> values;
  std::vector<std::int64_t> indices;
};

// topk<axis>(x, k) of a [rows, cols] matrix (axis 0 or 1).
values_indices_of<float> topk(const std::vector<float>& x, long rows, long cols, int axis, long k);
values_indices_of<double> topk(const std::vector<double>& x, long rows, long cols, int axis, long k);
values_indices_of<std::int32_t> topk(const std::vector<std::int32_t>& x, long rows, long cols, int axis, long k);

// cummax<axis>(x) of a [rows, cols] matrix (axis 0 or 1).
values_indices_of<float> cummax(const std::vector<float>& x, long rows, long cols, int axis);
values_indices_of<std::int32_t> cummax(const std::vector<std::int32_t>& x, long rows, long cols, int axis);

// masked_select(x, mask) of a [rows, cols] matrix; the mask (0 or 1 bytes) is
// [rows, cols], or [cols] when `row_mask` (broadcast over the rows).
std::vector<float> masked_select(const std::vector<float>& x, long rows, long cols, const std::vector<std::uint8_t>& mask,
                                 bool row_mask);

// The graph of the gradient test: x, y [N, M] f32, mask [M] bool captured. Its
// backward graph holds slices of cat, selects of stack, the diagonal of
// diag_embed, scatter_add at topk's and cummax's indices and masked_select's
// index_select over a cumsum of the mask.
template <class Mask>
auto movement_loss(Mask mask) {
  return [mask](auto x, auto y) {
    auto joined = cat<1>(x, y * y);  // [N, 2M]
    auto top = topk<3, 1>(joined).values;
    auto running = cummax<0>(x * y).values;
    auto layers = stack<0>(tanh(x), y);  // [2, N, M]
    auto diagonal_sums = diag_embed<1>(sum<1>(x));  // [N + 1, N + 1]
    return sum(top * top) + sum(running * running) + sum(sin(layers) * flit<3>) +
           sum(diagonal_sums * diagonal_sums) + sum(sin(masked_select(x * y, mask)));
  };
}
// Its gradients for x and y (row-major [n, m] each).
std::pair<std::vector<float>, std::vector<float>> movement_grad(const std::vector<float>& x, const std::vector<float>& y,
                                                                const std::vector<std::uint8_t>& mask, long n, long m);

// A graph with a matrix output for vjp (f64): the 4 largest of each row of
// x * y and y laid side by side.
inline const auto topk_of_cat = [](auto x, auto y) { return topk<4, 1>(cat<1>(x * y, y)).values; };
// vjp of it at cotangent c [n, 4]: the cotangents of x and y.
std::pair<std::vector<double>, std::vector<double>> topk_of_cat_vjp(const std::vector<double>& x,
                                                                    const std::vector<double>& y,
                                                                    const std::vector<double>& c, long n, long m);

}  // namespace ctrace::testing::movement_reference
