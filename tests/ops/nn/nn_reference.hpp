// Reference softmax, log_softmax and layer_norm for the tests: plain loops in
// double over row-major values, one row along the axis at a time.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace nn_reference {

using values = std::vector<double>;

// Applies f to every row of `data` (shape `sizes`) along `axis`, in place of it.
inline values along_axis(const values& data, const std::vector<std::int64_t>& sizes, int axis,
                         const std::function<values(const values&)>& f) {
  const int rank = static_cast<int>(sizes.size());
  if (axis < 0) axis += rank;
  std::int64_t inner = 1;
  for (int d = axis + 1; d < rank; ++d) inner *= sizes[static_cast<std::size_t>(d)];
  const std::int64_t n = sizes[static_cast<std::size_t>(axis)];
  const std::int64_t outer = n == 0 || inner == 0 ? 0 : static_cast<std::int64_t>(data.size()) / (n * inner);
  values out(data.size());
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) {
      values row(static_cast<std::size_t>(n));
      for (std::int64_t k = 0; k < n; ++k) row[static_cast<std::size_t>(k)] = data[static_cast<std::size_t>((o * n + k) * inner + i)];
      const values r = f(row);
      for (std::int64_t k = 0; k < n; ++k) out[static_cast<std::size_t>((o * n + k) * inner + i)] = r[static_cast<std::size_t>(k)];
    }
  }
  return out;
}

inline values softmax_row(const values& x) {
  double m = -std::numeric_limits<double>::infinity();
  for (double v : x) m = std::max(m, v);
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  values out;
  for (double v : x) out.push_back(std::exp(v - m) / s);
  return out;
}

inline values log_softmax_row(const values& x) {
  double m = -std::numeric_limits<double>::infinity();
  for (double v : x) m = std::max(m, v);
  double s = 0;
  for (double v : x) s += std::exp(v - m);
  values out;
  for (double v : x) out.push_back(v - m - std::log(s));
  return out;
}

// (x - mean) / sqrt(biased var + eps) * w + b; empty w and b mean no affine part.
inline std::function<values(const values&)> layer_norm_row(const values& w, const values& b, double eps) {
  return [w, b, eps](const values& x) {
    double mean = 0;
    for (double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    double var = 0;
    for (double v : x) var += (v - mean) * (v - mean);
    var /= static_cast<double>(x.size());
    values out;
    for (std::size_t k = 0; k < x.size(); ++k) {
      double y = (x[k] - mean) / std::sqrt(var + eps);
      out.push_back(w.empty() ? y : y * w[k] + b[k]);
    }
    return out;
  };
}

}  // namespace nn_reference
