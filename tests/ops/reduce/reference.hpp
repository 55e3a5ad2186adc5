// Reference reductions for the tests: plain loops in double over row-major
// values, written without any of ctrace's reduction code.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

namespace reduce_reference {

using values = std::vector<double>;

// Groups the row-major `data` of shape `sizes` by the coordinates that are not
// in `axes` (each group in row-major order of the reduced coordinates) and
// applies f to each group. Empty `axes` means all dims.
inline values reduce(const values& data, const std::vector<std::int64_t>& sizes, std::vector<int> axes,
                     const std::function<double(const values&)>& f) {
  const int rank = static_cast<int>(sizes.size());
  if (axes.empty()) {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
  }
  std::vector<bool> reduced(static_cast<std::size_t>(rank), false);
  for (int a : axes) reduced[static_cast<std::size_t>(a < 0 ? a + rank : a)] = true;
  std::int64_t outputs = 1, total = 1;
  for (int d = 0; d < rank; ++d) {
    total *= sizes[static_cast<std::size_t>(d)];
    if (!reduced[static_cast<std::size_t>(d)]) outputs *= sizes[static_cast<std::size_t>(d)];
  }
  std::vector<values> groups(static_cast<std::size_t>(outputs));
  std::vector<std::int64_t> coord(static_cast<std::size_t>(rank), 0);
  for (std::int64_t i = 0; i < total; ++i) {
    std::int64_t rest = i;
    for (int d = rank - 1; d >= 0; --d) {
      coord[static_cast<std::size_t>(d)] = rest % sizes[static_cast<std::size_t>(d)];
      rest /= sizes[static_cast<std::size_t>(d)];
    }
    std::int64_t out = 0;
    for (int d = 0; d < rank; ++d) {
      if (!reduced[static_cast<std::size_t>(d)]) out = out * sizes[static_cast<std::size_t>(d)] + coord[static_cast<std::size_t>(d)];
    }
    groups[static_cast<std::size_t>(out)].push_back(data[static_cast<std::size_t>(i)]);
  }
  values result;
  for (const auto& g : groups) result.push_back(f(g));
  return result;
}

inline double sum(const values& g) {
  double s = 0;
  for (double v : g) s += v;
  return s;
}
inline double mean(const values& g) { return g.empty() ? std::nan("") : sum(g) / static_cast<double>(g.size()); }
inline double prod(const values& g) {
  double p = 1;
  for (double v : g) p *= v;
  return p;
}
inline double max(const values& g) {
  double m = -std::numeric_limits<double>::infinity();
  for (double v : g) {
    if (std::isnan(v)) return v;
    if (v > m) m = v;
  }
  return m;
}
inline double min(const values& g) {
  double m = std::numeric_limits<double>::infinity();
  for (double v : g) {
    if (std::isnan(v)) return v;
    if (v < m) m = v;
  }
  return m;
}
// Index of the first NaN, else of the first largest (smallest) value.
inline double argmax(const values& g) {
  std::size_t best = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(g[i])) return static_cast<double>(i);
    if (g[i] > g[best]) best = i;
  }
  return static_cast<double>(best);
}
inline double argmin(const values& g) {
  std::size_t best = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(g[i])) return static_cast<double>(i);
    if (g[i] < g[best]) best = i;
  }
  return static_cast<double>(best);
}
// Two-pass variance with `correction` subtracted from the count.
inline double var(const values& g, double correction) {
  const double m = mean(g);
  double ss = 0;
  for (double v : g) ss += (v - m) * (v - m);
  const double dof = std::max(0.0, static_cast<double>(g.size()) - correction);
  return ss / dof;
}

inline std::function<double(const values&)> var_with(double correction) {
  return [correction](const values& g) { return var(g, correction); };
}
inline std::function<double(const values&)> std_with(double correction) {
  return [correction](const values& g) { return std::sqrt(var(g, correction)); };
}

}  // namespace reduce_reference
