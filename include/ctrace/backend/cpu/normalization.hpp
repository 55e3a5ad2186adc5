// CPU kernels of softmax_node (softmax, log_softmax) and layer_norm_node. The
// operand is read through its evaluator, so an elementwise producer is
// computed inside these passes (softmax(x * 2) makes no x * 2): the producer is
// read once for the max (or mean) and once for the main pass, and the last pass
// works on the result. Along the last dim the work runs row by row, packets
// along each row; along an outer dim it runs on blocks of columns, packets
// across the block (axis_walk.hpp). Rows and blocks run in parallel.
#pragma once

#include <cmath>
#include <type_traits>
#include <vector>

#include "ctrace/backend/cpu/axis_walk.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/expr/layer_norm.hpp"
#include "ctrace/expr/softmax.hpp"

namespace ctrace::cpu_backend {

// softmax: exp(x - max), then times 1 / sum. log_softmax: x - max, then minus
// log(sum(exp(x - max))). A result of another type than the compute type (f16,
// bf16) is computed from the producer in its last pass, rounded once.
template <class Op, class A, int Axis>
struct root_kernel<softmax_node<Op, A, Axis>> {
  static constexpr bool exists = true;
  static constexpr bool is_log = softmax_node<Op, A, Axis>::is_log;

  template <class Out, int R>
  static void run(const strided_view<Out, R>& dest, const softmax_node<Op, A, Axis>& node) {
    using namespace axis_walk;
    using T = compute_type_t<Out>;
    constexpr bool vec = vectorizes<A, T>;
    if constexpr (Axis == R - 1) {
      run_rows<Out, T>(dest, node.arg(), Axis, [](const auto& row, index_t n, T* buf) {
        const T m = row_max<T, vec>(row, n);
        auto shifted = [m](const auto& x) { return v_sub<T>(x, v_splat<T, std::decay_t<decltype(x)>>(m)); };
        auto exp_of = [](const auto& v) { return v_exp<T>(v); };
        if constexpr (is_log) {
          const T ls = static_cast<T>(std::log(map_row_and_sum<T, vec>(row, n, buf, shifted, exp_of)));
          map_in_place<T, vec>(buf, n, [ls](const auto& v, index_t) {
            return v_sub<T>(v, v_splat<T, std::decay_t<decltype(v)>>(ls));
          });
        } else {
          auto exp_shifted = [&](const auto& x) { return v_exp<T>(shifted(x)); };
          auto same = [](const auto& v) { return v; };
          const T inv = static_cast<T>(1.0 / map_row_and_sum<T, vec>(row, n, buf, exp_shifted, same));
          map_in_place<T, vec>(buf, n, [inv](const auto& v, index_t) {
            return v_mul<T>(v, v_splat<T, std::decay_t<decltype(v)>>(inv));
          });
        }
      });
    } else {
      run_columns<Out, T, vec>(dest, node.arg(), Axis, [](const auto& block, index_t n) {
        constexpr index_t cw = column_width<T, vec>;
        constexpr bool direct = std::is_same_v<Out, T>;
        T m[cw], s[cw], partial[cw];
        for (index_t j = 0; j < block.width; ++j) m[j] = op::reduction<op::reduce_kind::max, T>::init();
        block.read(0, n, [&](const auto& x, index_t j, index_t) {
          using V = std::decay_t<decltype(x)>;
          v_store<T>(m + j, v_max<T>(v_load<T, V>(m + j), x));
        });
        block.sum_along_axis(n, s, partial, [&](const auto& x, index_t j, [[maybe_unused]] index_t k) {
          using V = std::decay_t<decltype(x)>;
          const V d = v_sub<T>(x, v_load<T, V>(m + j));
          const V e = v_exp<T>(d);
          if constexpr (direct) v_store<T>(block.out + k * block.ld + j, is_log ? d : e);
          return e;
        });
        for (index_t j = 0; j < block.width; ++j) s[j] = is_log ? std::log(s[j]) : T(1) / s[j];
        if constexpr (direct) {
          block.map_output(n, [&](const auto& v, index_t j, index_t) {
            using V = std::decay_t<decltype(v)>;
            return is_log ? v_sub<T>(v, v_load<T, V>(s + j)) : v_mul<T>(v, v_load<T, V>(s + j));
          });
        } else {
          // Only scalars here: a result type other than T means no packets.
          block.read(0, n, [&](const T& x, index_t j, index_t k) {
            const T d = x - m[j];
            block.out[k * block.ld + j] = convert<Out>(is_log ? d - s[j] : std::exp(d) * s[j]);
          });
        }
      });
    }
  }
};

// layer_norm: the mean, then x - mean with the sum of its squares (biased
// variance), then (x - mean) * rstd, times weight plus bias.
template <int Axis, class A, class... Affine>
struct root_kernel<layer_norm_node<Axis, A, Affine...>> {
  static constexpr bool exists = true;
  using Node = layer_norm_node<Axis, A, Affine...>;

  template <class Out, int R>
  static void run(const strided_view<Out, R>& dest, const Node& node) {
    using namespace axis_walk;
    using T = compute_type_t<Out>;
    constexpr bool vec = vectorizes<A, T>;
    constexpr bool affine = Node::affine;
    // Weight and bias in the compute type, contiguous (they are small).
    std::vector<T> weight, bias;
    if constexpr (affine) {
      weight = values_of<T>(node.weight());
      bias = values_of<T>(node.bias());
    }
    const T* w = weight.data();
    const T* b = bias.data();
    const double eps = node.eps;
    if constexpr (Axis == R - 1) {
      run_rows<Out, T>(dest, node.arg(), Axis, [=](const auto& row, index_t n, T* buf) {
        auto same = [](const auto& v) { return v; };
        const T mean = static_cast<T>(map_row_and_sum<T, vec>(row, n, nullptr, same, same) / static_cast<double>(n));
        auto centered = [mean](const auto& x) { return v_sub<T>(x, v_splat<T, std::decay_t<decltype(x)>>(mean)); };
        auto square = [](const auto& v) { return v_mul<T>(v, v); };
        const double var = map_row_and_sum<T, vec>(row, n, buf, centered, square) / static_cast<double>(n);
        const T rstd = static_cast<T>(1.0 / std::sqrt(var + eps));
        map_in_place<T, vec>(buf, n, [=](const auto& v, [[maybe_unused]] index_t j) {
          using V = std::decay_t<decltype(v)>;
          const V y = v_mul<T>(v, v_splat<T, V>(rstd));
          if constexpr (affine) return v_madd<T>(y, v_load<T, V>(w + j), v_load<T, V>(b + j));
          else return y;
        });
      });
    } else {
      run_columns<Out, T, vec>(dest, node.arg(), Axis, [=](const auto& block, index_t n) {
        constexpr index_t cw = column_width<T, vec>;
        constexpr bool direct = std::is_same_v<Out, T>;
        T mean[cw], rstd[cw], partial[cw];
        block.sum_along_axis(n, mean, partial, [](const auto& x, index_t, index_t) { return x; });
        for (index_t j = 0; j < block.width; ++j) mean[j] /= static_cast<T>(n);
        block.sum_along_axis(n, rstd, partial, [&](const auto& x, index_t j, [[maybe_unused]] index_t k) {
          using V = std::decay_t<decltype(x)>;
          const V d = v_sub<T>(x, v_load<T, V>(mean + j));
          if constexpr (direct) v_store<T>(block.out + k * block.ld + j, d);
          return v_mul<T>(d, d);
        });
        for (index_t j = 0; j < block.width; ++j) {
          rstd[j] = static_cast<T>(1.0 / std::sqrt(static_cast<double>(rstd[j]) / static_cast<double>(n) + eps));
        }
        if constexpr (direct) {
          block.map_output(n, [&](const auto& v, index_t j, [[maybe_unused]] index_t k) {
            using V = std::decay_t<decltype(v)>;
            const V y = v_mul<T>(v, v_load<T, V>(rstd + j));
            if constexpr (affine) return v_madd<T>(y, v_splat<T, V>(w[k]), v_splat<T, V>(b[k]));
            else return y;
          });
        } else {
          // Only scalars here: a result type other than T means no packets.
          block.read(0, n, [&](const T& x, index_t j, index_t k) {
            T y = (x - mean[j]) * rstd[j];
            if constexpr (affine) y = y * w[k] + b[k];
            block.out[k * block.ld + j] = convert<Out>(y);
          });
        }
      });
    }
  }

 private:
  template <class T, class N>
  static std::vector<T> values_of(const N& n) {
    const auto t = as_tensor(n);
    std::vector<T> out(static_cast<std::size_t>(t.numel()));
    for (index_t i = 0; i < t.numel(); ++i) out[static_cast<std::size_t>(i)] = convert<T>(t(i));
    return out;
  }
};

}  // namespace ctrace::cpu_backend
