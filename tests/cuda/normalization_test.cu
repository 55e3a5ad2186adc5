// softmax, log_softmax and layer_norm on the device: rows of every length
// (shorter than a warp, odd, one block's worth, longer than one block holds),
// producers and consumers fused around them, broadcast and strided operands,
// NaN and infinities, half types, and the other axes; against references
// computed here in double and against the CPU backend.
#include <cmath>
#include <limits>
#include <vector>

#include "cpu_reference.hpp"
#include "cuda_test_util.hpp"
#include "reduce_reference.hpp"

using namespace ctrace;
using namespace ctrace::testing;

namespace {

using matrix_shape = shape_of<dyn, dyn>;
using cube_shape = shape_of<dyn, dyn, dyn>;
using dmatrix = tensor<float, matrix_shape, cuda>;
using hmatrix = tensor<float, matrix_shape, cpu>;
using dcube = tensor<float, cube_shape, cuda>;
using hcube = tensor<float, cube_shape, cpu>;
using dline = tensor<float, shape_of<dyn>, cuda>;
using hline = tensor<float, shape_of<dyn>, cpu>;

// softmax (or log_softmax) of f(x) along `axis` of x (row-major, `sizes`), in double.
template <class F>
std::vector<double> softmax_reference(const std::vector<double>& x, const std::vector<long>& sizes, int axis, bool log,
                                      F f) {
  long inner = 1, outer = 1;
  for (int d = 0; d < static_cast<int>(sizes.size()); ++d) {
    if (d < axis) outer *= sizes[static_cast<std::size_t>(d)];
    if (d > axis) inner *= sizes[static_cast<std::size_t>(d)];
  }
  const long n = sizes[static_cast<std::size_t>(axis)];
  std::vector<double> out(x.size());
  for (long o = 0; o < outer; ++o) {
    for (long i = 0; i < inner; ++i) {
      auto at = [&](long k) { return static_cast<std::size_t>((o * n + k) * inner + i); };
      double m = -std::numeric_limits<double>::infinity();
      bool nan = false;
      for (long k = 0; k < n; ++k) {
        const double v = f(x[at(k)]);
        nan = nan || std::isnan(v);
        m = std::max(m, v);
      }
      double s = 0;
      for (long k = 0; k < n; ++k) s += std::exp(f(x[at(k)]) - m);
      for (long k = 0; k < n; ++k) {
        const double d = f(x[at(k)]) - m;
        out[at(k)] = nan ? std::numeric_limits<double>::quiet_NaN() : log ? d - std::log(s) : std::exp(d) / s;
      }
    }
  }
  return out;
}

// layer_norm of x + shift along `axis`, times w plus b when given, in double,
// with the rounding slack of each element: float arithmetic errs by about
// eps * (|x| + |mean|) * rstd * |w|, which is large where a line's variance is
// small (two close values along an axis of size 2).
struct ln_expected {
  std::vector<double> value;
  std::vector<double> slack;
};

ln_expected layer_norm_reference(const std::vector<double>& x, const std::vector<long>& sizes, int axis, double shift,
                                 const std::vector<double>* w, const std::vector<double>* b, double eps = 1e-5) {
  long inner = 1, outer = 1;
  for (int d = 0; d < static_cast<int>(sizes.size()); ++d) {
    if (d < axis) outer *= sizes[static_cast<std::size_t>(d)];
    if (d > axis) inner *= sizes[static_cast<std::size_t>(d)];
  }
  const long n = sizes[static_cast<std::size_t>(axis)];
  ln_expected out{std::vector<double>(x.size()), std::vector<double>(x.size())};
  for (long o = 0; o < outer; ++o) {
    for (long i = 0; i < inner; ++i) {
      auto at = [&](long k) { return static_cast<std::size_t>((o * n + k) * inner + i); };
      double mean = 0;
      for (long k = 0; k < n; ++k) mean += x[at(k)] + shift;
      mean /= static_cast<double>(n);
      double var = 0;
      for (long k = 0; k < n; ++k) var += (x[at(k)] + shift - mean) * (x[at(k)] + shift - mean);
      var /= static_cast<double>(n);
      const double rstd = 1 / std::sqrt(var + eps);
      for (long k = 0; k < n; ++k) {
        double y = (x[at(k)] + shift - mean) * rstd;
        double slack = 1e-6 * (std::fabs(x[at(k)] + shift) + std::fabs(mean)) * rstd;
        if (w) {
          y = y * (*w)[static_cast<std::size_t>(k)] + (*b)[static_cast<std::size_t>(k)];
          slack *= std::fabs((*w)[static_cast<std::size_t>(k)]);
        }
        out.value[at(k)] = y;
        out.slack[at(k)] = slack;
      }
    }
  }
  return out;
}

// got within tol * (1 + |expected|) plus the element's slack.
void check_ln(const std::vector<double>& got, const std::vector<double>& value, const std::vector<double>& slack,
              double tol = 2e-5) {
  REQUIRE(got.size() == value.size());
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool ok = std::fabs(got[i] - value[i]) <= tol * (1 + std::fabs(value[i])) + slack[i];
    if (!ok && bad++ < 3) {
      INFO("element " << i << ": got " << got[i] << ", expected " << value[i] << " (slack " << slack[i] << ")");
      CHECK(ok);
    }
  }
  INFO(bad << " of " << got.size() << " elements differ");
  CHECK(bad == 0);
}
template <class T, class S>
void check_ln(const tensor<T, S, cuda>& got, const ln_expected& e, double tol = 2e-5) {
  check_ln(to_vector(got), e.value, e.slack, tol);
}

std::vector<double> as_doubles(const std::vector<float>& v) { return {v.begin(), v.end()}; }
template <class T, class S>
std::vector<float> floats(const tensor<T, S, cpu>& t) {
  const auto d = to_vector(t);  // no CPU backend in .cu sources: read through the strides
  return {d.begin(), d.end()};
}

double twice(double v) { return static_cast<double>(static_cast<float>(v) * 2.0f); }

const std::vector<long> row_lengths = {1, 2, 3, 7, 31, 32, 33, 100, 127, 128, 129, 1000, 1023, 4096, 8192, 8193, 32768, 32769, 40000, 100003};

}  // namespace

TEST_CASE("softmax and log_softmax over rows of every length, of x * 2, read by + 1") {
  for (long cols : row_lengths) {
    for (long rows : {1L, 3L, 37L}) {
      if (rows * cols > 2'000'000) continue;
      INFO("rows " << rows << ", cols " << cols);
      const hmatrix h = random_host<float, matrix_shape>({rows, cols}, -4.0, 4.0);
      const dmatrix x = to_device(h);
      const auto hx = to_vector(h);
      const std::size_t n = hx.size();
      const auto sm = softmax_reference(hx, {rows, cols}, 1, false, twice);
      const auto lsm = softmax_reference(hx, {rows, cols}, 1, true, twice);
      check_close(dmatrix(softmax(x * 2)), sm, 2e-6);
      check_close(dmatrix(log_softmax(x * 2)), lsm, 2e-6);
      check_close(dmatrix(softmax(x * 2) + 1), expected_from(n, [&](std::size_t k) { return sm[k] + 1; }), 2e-6);
      check_close(dmatrix(softmax<0>(x * 2)), softmax_reference(hx, {rows, cols}, 0, false, twice), 2e-6);
    }
  }
}

TEST_CASE("layer_norm over rows of every length, with and without weight and bias") {
  for (long cols : row_lengths) {
    for (long rows : {1L, 5L, 37L}) {
      if (rows * cols > 2'000'000) continue;
      INFO("rows " << rows << ", cols " << cols);
      const hmatrix h = random_host<float, matrix_shape>({rows, cols}, -3.0, 5.0);
      const hline hw = random_host<float, shape_of<dyn>>({cols}), hb = random_host<float, shape_of<dyn>>({cols});
      const dmatrix x = to_device(h);
      const dline w = to_device(hw), b = to_device(hb);
      const auto hx = to_vector(h);
      auto wv = to_vector(hw), bv = to_vector(hb);
      check_ln(dmatrix(layer_norm(x + 1)), layer_norm_reference(hx, {rows, cols}, 1, 1.0, nullptr, nullptr));
      check_ln(dmatrix(layer_norm(x + 1, w, b)), layer_norm_reference(hx, {rows, cols}, 1, 1.0, &wv, &bv));
      // Weight and bias as expressions, and a consumer.
      std::vector<double> w2(wv.size());
      for (std::size_t i = 0; i < wv.size(); ++i) w2[i] = 2 * wv[i];
      auto ref = layer_norm_reference(hx, {rows, cols}, 1, 0.0, &w2, &bv);
      for (std::size_t k = 0; k < ref.value.size(); ++k) {
        ref.value[k] *= 3;
        ref.slack[k] *= 3;
      }
      check_ln(dmatrix(layer_norm(x, w * 2, b) * 3), ref, 6e-5);
    }
  }
}

TEST_CASE("softmax and layer_norm along every axis agree with the CPU backend") {
  for (const auto& s : std::vector<cpu_reference::dims3>{{4, 33, 65}, {3, 1, 129}, {2, 300, 5}, {1, 2, 3000}}) {
    const hcube h = random_host<float, cube_shape>({s[0], s[1], s[2]});
    const dcube x = to_device(h);
    const std::vector<float> hx = floats(h);
    const std::vector<long> sizes = {s[0], s[1], s[2]};
    INFO("sizes " << s[0] << " " << s[1] << " " << s[2]);
    auto compare = [&](const dcube& got, int axis, bool log) {
      INFO("softmax axis " << axis << ", log " << log);
      check_close(got, as_doubles(cpu_reference::softmax_of_twice(hx, s, axis, log)), 2e-6);
      check_close(got, softmax_reference(as_doubles(hx), sizes, axis, log, twice), 2e-6);
    };
    compare(dcube(softmax<0>(x * 2)), 0, false);
    compare(dcube(softmax<1>(x * 2)), 1, false);
    compare(dcube(softmax<2>(x * 2)), 2, false);
    compare(dcube(log_softmax<0>(x * 2)), 0, true);
    compare(dcube(log_softmax<1>(x * 2)), 1, true);
    compare(dcube(log_softmax<-1>(x * 2)), 2, true);
    auto compare_ln = [&](const dcube& got, int axis, bool affine, const std::vector<float>& w,
                          const std::vector<float>& b) {
      INFO("layer_norm axis " << axis << ", affine " << affine);
      const auto wd = as_doubles(w), bd = as_doubles(b);
      const auto ref = layer_norm_reference(as_doubles(hx), sizes, axis, 1.0, affine ? &wd : nullptr, &bd);
      check_ln(got, ref);
      // The CPU backend rounds too: the same slack, twice.
      auto slack2 = ref.slack;
      for (double& v : slack2) v *= 2;
      check_ln(to_vector(got), as_doubles(cpu_reference::layer_norm_of_shifted(hx, w, b, s, axis, affine)), slack2);
    };
    for (int axis = 0; axis < 3; ++axis) {
      const hline hw = random_host<float, shape_of<dyn>>({s[static_cast<std::size_t>(axis)]});
      const hline hb = random_host<float, shape_of<dyn>>({s[static_cast<std::size_t>(axis)]});
      const dline w = to_device(hw), b = to_device(hb);
      const std::vector<float> wv = floats(hw), bv = floats(hb);
      if (axis == 0) {
        compare_ln(dcube(layer_norm<0>(x + 1)), 0, false, wv, bv);
        compare_ln(dcube(layer_norm<0>(x + 1, w, b)), 0, true, wv, bv);
      } else if (axis == 1) {
        compare_ln(dcube(layer_norm<1>(x + 1)), 1, false, wv, bv);
        compare_ln(dcube(layer_norm<1>(x + 1, w, b)), 1, true, wv, bv);
      } else {
        compare_ln(dcube(layer_norm<2>(x + 1)), 2, false, wv, bv);
        compare_ln(dcube(layer_norm<2>(x + 1, w, b)), 2, true, wv, bv);
      }
    }
  }
}

TEST_CASE("NaN and infinities in softmax rows give what the CPU backend gives") {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (long cols : {5L, 40L, 1000L, 50000L}) {
    INFO("cols " << cols);
    hmatrix h = random_host<float, matrix_shape>({5, cols});
    float* p = h.data();
    p[0 * cols + cols / 2] = nan;                          // row 0: a NaN
    p[1 * cols + cols - 1] = inf;                          // row 1: +inf
    for (long j = 0; j < cols; ++j) p[2 * cols + j] = -inf;  // row 2: all -inf
    p[3 * cols + 0] = -inf;                                // row 3: some -inf
    p[3 * cols + cols - 1] = -inf;
    const dmatrix x = to_device(h);
    const std::vector<float> hx = floats(h);
    const cpu_reference::dims3 s{1, 5, cols};
    check_close(dmatrix(softmax(x * 2)), as_doubles(cpu_reference::softmax_of_twice(hx, s, 2, false)), 2e-6);
    check_close(dmatrix(log_softmax(x * 2)), as_doubles(cpu_reference::softmax_of_twice(hx, s, 2, true)), 2e-6);
    check_close(dmatrix(softmax<0>(x * 2)), as_doubles(cpu_reference::softmax_of_twice(hx, s, 1, false)), 2e-6);
    // What the CPU gives, spelled out: rows 0 to 2 all NaN, row 3 zero at -inf.
    const auto got = to_vector(dmatrix(softmax(x)));
    for (long j = 0; j < cols; ++j) {
      CHECK(std::isnan(got[static_cast<std::size_t>(j)]));
      CHECK(std::isnan(got[static_cast<std::size_t>(cols + j)]));
      CHECK(std::isnan(got[static_cast<std::size_t>(2 * cols + j)]));
    }
    CHECK(got[static_cast<std::size_t>(3 * cols)] == 0.0);
  }
}

TEST_CASE("broadcast producers, strided views and destinations") {
  const hcube h = random_host<float, cube_shape>({3, 17, 260});
  const hline hy = random_host<float, shape_of<dyn>>({260});
  const dcube x = to_device(h);
  const dline y = to_device(hy);
  const auto hx = to_vector(h);
  std::vector<double> sum_xy(hx.size());
  for (std::size_t i = 0; i < hx.size(); ++i) sum_xy[i] = static_cast<float>(static_cast<float>(hx[i]) + static_cast<float>(at_index(hy, i % 260)));
  auto same = [](double v) { return v; };
  check_close(dcube(softmax(x + y)), softmax_reference(sum_xy, {3, 17, 260}, 2, false, same), 2e-6);
  check_close(dcube(softmax<1>(x + y)), softmax_reference(sum_xy, {3, 17, 260}, 1, false, same), 2e-6);
  // A reduction inside the producer: softmax(x - mean over the row).
  std::vector<double> centered(hx.size());
  for (std::size_t r = 0; r < hx.size() / 260; ++r) {
    double m = 0;
    for (std::size_t j = 0; j < 260; ++j) m += hx[r * 260 + j];
    for (std::size_t j = 0; j < 260; ++j) centered[r * 260 + j] = hx[r * 260 + j] - m / 260;
  }
  check_close(dcube(softmax(x - mean<-1>(x, keepdim))), softmax_reference(centered, {3, 17, 260}, 2, false, same), 2e-6);
  // A permuted operand (rows along the original first dim: strided, no vectors).
  const auto p = x.permute<1, 2, 0>();  // [17, 260, 3]
  const hcube hp = h.permute<1, 2, 0>();
  check_close(dcube(softmax(p)), softmax_reference(to_vector(hp), {17, 260, 3}, 2, false, same), 2e-6);
  check_ln(dcube(layer_norm(p)), layer_norm_reference(to_vector(hp), {17, 260, 3}, 2, 0.0, nullptr, nullptr));
  // Rows starting one element in (misaligned): the scalar row kernel.
  const auto s = x.slice<2>(1, 260);
  const hcube hs = h.slice<2>(1, 260);
  check_close(dcube(softmax(s)), softmax_reference(to_vector(hs), {3, 17, 259}, 2, false, same), 2e-6);
  check_ln(dcube(layer_norm(s)), layer_norm_reference(to_vector(hs), {3, 17, 259}, 2, 0.0, nullptr, nullptr));
  // Into a transposed destination, and broadcast into a larger one.
  auto t = tensor<float, shape_of<dyn, dyn>, cuda>::uninitialized({260, 17});
  const auto x0 = x.select<0>(1);  // [17, 260]
  t.transpose().assign(softmax(x0));
  const auto ref0 = softmax_reference(to_vector(h.select<0>(1)), {17, 260}, 1, false, same);
  check_close(t, expected_from(ref0.size(), [&](std::size_t k) { return ref0[(k % 17) * 260 + k / 17]; }), 2e-6);
  auto wide = dcube::uninitialized({4, 17, 260});
  wide.assign(layer_norm(x0));
  const auto ln0 = layer_norm_reference(to_vector(h.select<0>(1)), {17, 260}, 1, 0.0, nullptr, nullptr);
  ln_expected ln4;
  for (int copy = 0; copy < 4; ++copy) {
    ln4.value.insert(ln4.value.end(), ln0.value.begin(), ln0.value.end());
    ln4.slack.insert(ln4.slack.end(), ln0.slack.begin(), ln0.slack.end());
  }
  check_ln(wide, ln4);
}

TEST_CASE("half-precision rows compute in float") {
  for (long cols : {33L, 1024L, 5000L}) {
    const auto h = random_host<f16, matrix_shape>({7, cols}, -3.0, 3.0);
    const auto x = to_device(h);
    const auto hx = to_vector(h);
    auto same = [](double v) { return v; };
    const tensor<f16, matrix_shape, cuda> s = softmax(x);
    check_close(s, softmax_reference(hx, {7, cols}, 1, false, same), 2e-3);
    const tensor<f16, matrix_shape, cuda> l = layer_norm(x);
    check_close(l, layer_norm_reference(hx, {7, cols}, 1, 0.0, nullptr, nullptr).value, 1e-2);
    // f16 storage, float result through a cast: vectors of 8 halves read, 2 x 4 floats written.
    const dmatrix f = softmax(x.to<float>());
    check_close(f, softmax_reference(hx, {7, cols}, 1, false, same), 2e-6);
  }
}

TEST_CASE("empty and size-1 rows") {
  const dmatrix empty_rows = to_device(random_host<float, matrix_shape>({0, 5}));
  CHECK(dmatrix(softmax(empty_rows)).numel() == 0);
  const dmatrix empty_cols = to_device(random_host<float, matrix_shape>({4, 0}));
  CHECK(dmatrix(layer_norm(empty_cols)).numel() == 0);
  const dmatrix one = to_device(random_host<float, matrix_shape>({6, 1}));
  check_close(dmatrix(softmax(one)), std::vector<double>(6, 1.0), 0.0);
  check_close(dmatrix(log_softmax(one)), std::vector<double>(6, 0.0), 0.0);
  check_close(dmatrix(layer_norm(one)), std::vector<double>(6, 0.0), 0.0);
}
