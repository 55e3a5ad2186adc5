// The CPU backend's reductions, softmax and layer_norm (compiled by the host
// compiler in reduce_reference.cpp) for inputs the CUDA tests also reduce on
// the device: the two backends must agree. Plain vectors cross the boundary
// (see cpu_reference.hpp). Inputs are [a, b, c] row-major float tensors.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace ctrace::testing::cpu_reference {

using dims3 = std::array<long, 3>;

// softmax (or log_softmax) along `axis` (0, 1 or 2) of x * 2.
std::vector<float> softmax_of_twice(const std::vector<float>& x, dims3 sizes, int axis, bool log);
// layer_norm along `axis` of x + 1, with weight and bias (sizes[axis] each) when
// `affine`, eps 1e-5.
std::vector<float> layer_norm_of_shifted(const std::vector<float>& x, const std::vector<float>& weight,
                                         const std::vector<float>& bias, dims3 sizes, int axis, bool affine);

enum class reduce_op { sum, mean, amax, argmax, var };
// op over the axes of `mask` (bit d: axis d; 4 = the last, 1 = the first,
// 5 = first and last, 7 = all) of x * y, y: [c] broadcast; argmax only over
// one axis. Results in row-major order, as double.
std::vector<double> reduce_of_product(reduce_op op, const std::vector<float>& x, const std::vector<float>& y,
                                      dims3 sizes, unsigned mask);

}  // namespace ctrace::testing::cpu_reference
