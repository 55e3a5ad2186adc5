// The CPU backend's results (Eigen's packet math, compiled by the host
// compiler in cpu_reference.cpp) for expressions the CUDA tests also evaluate
// on the device: the two backends must agree. Plain vectors cross the boundary,
// so no ctrace type is compiled by both nvcc and the host compiler.
#pragma once

#include <cstdint>
#include <vector>

namespace ctrace::testing::cpu_reference {

// sigmoid(tanh(x * (x + y))), elementwise.
std::vector<float> simple(const std::vector<float>& x, const std::vector<float>& y);
// a * b / (a - 2 * b) + b, elementwise.
std::vector<float> ge(const std::vector<float>& a, const std::vector<float>& b);
// x: [rows, cols] row-major, b: [rows]. where(x^T > 0, x^T * b, -b): [cols, rows].
std::vector<float> where_transposed(const std::vector<float>& x, const std::vector<float>& b, long rows, long cols);
// (x * 100).to<i32>() (saturating, NaN to 0).
std::vector<std::int32_t> cast_to_int(const std::vector<float>& x);

}  // namespace ctrace::testing::cpu_reference
