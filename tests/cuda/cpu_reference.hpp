// The CPU backend's results (Eigen's packet math, compiled by the host
// compiler in cpu_reference.cpp) for expressions the CUDA tests also evaluate
// on the device: the two backends must agree. Plain vectors cross the boundary,
// so no ctrace type is compiled by both nvcc and the host compiler.
#pragma once

#include <cstdint>
#include <tuple>
#include <vector>

#include <ctrace/api/random.hpp>  // the generators named in generators_graph
#include <ctrace/api/inplace.hpp>  // assign_ and index_put_ in update_loss
#include <ctrace/api/sizes.hpp>

namespace ctrace::testing::cpu_reference {

// sigmoid(tanh(x * (x + y))), elementwise.
std::vector<float> simple(const std::vector<float>& x, const std::vector<float>& y);
// a * b / (a - 2 * b) + b, elementwise.
std::vector<float> ge(const std::vector<float>& a, const std::vector<float>& b);
// x: [rows, cols] row-major, b: [rows]. where(x^T > 0, x^T * b, -b): [cols, rows].
std::vector<float> where_transposed(const std::vector<float>& x, const std::vector<float>& b, long rows, long cols);
// (x * 100).to<i32>() (saturating, NaN to 0).
std::vector<std::int32_t> cast_to_int(const std::vector<float>& x);

// The two-layer MLP of training_test.cu: mean((relu(x w1) w2 - t)^2) with
// x [batch, 64], t [batch, 40], w1 [64, 96], w2 [96, 40] (row-major), and
// the loss's gradients for w1 and w2, from value_and_grad on the CPU.
inline constexpr long mlp_in = 64, mlp_hidden = 96, mlp_out = 40;
inline const auto mlp_loss = [](auto x, auto t, auto w1, auto w2) {
  auto d = matmul(relu(matmul(x, w1)), w2) - t;
  return mean(d * d);
};
struct mlp_gradients {
  float loss;
  std::vector<float> w1, w2;
};
mlp_gradients mlp_step(const std::vector<float>& x, const std::vector<float>& t, const std::vector<float>& w1,
                       const std::vector<float>& w2, long batch);

// The indexing graph of indexing_test.cu: x [n, m] f32, i [n, k] int64 (values
// in [0, m)), j [l] int64 (values in [0, n)); the gradient of the loss for x
// (row-major), from grad on the CPU. Its backward graph holds scatter_add,
// index_add and a reversed cumsum.
inline const auto indexing_loss = [](auto x, auto i, auto j) {
  auto g = gather<1>(x, i);
  return sum(g * g) + sum(tanh(cumsum<1>(index_select<0>(x, j))));
};
std::vector<float> indexing_grad(const std::vector<float>& x, const std::vector<std::int64_t>& i,
                                 const std::vector<std::int64_t>& j, long n, long m, long k);

// Generators in a graph: x [n, 3] (row-major) and a generator input seeded
// with `seed`; the values of generators_graph, each row-major: randn noise
// added to x, dropout of x, bernoulli(0.25), x^T * arange(n) (a generator
// broadcast into a transposed layout), eye(3, 3) * 2 + linspace(0, 1, 3), and
// the generator's offset after the call. The device computes the same graph.
inline const auto generators_graph = [](auto x, auto rng) {
  return std::make_tuple(x + ctrace::randn<float>(x.shape(), rng) * 0.1f, ctrace::dropout(x, 0.5, rng),
                         ctrace::bernoulli(0.25, x.shape(), rng), transpose(x) * ctrace::arange<float>(ctrace::size<0>(x)),
                         ctrace::eye<float, 3, 3>() * 2.0f + ctrace::linspace<float, 3>(0.0, 1.0));
};
struct generator_values {
  std::vector<float> noisy, dropped, coin, ramp, grid;
  std::uint64_t offset;
};
generator_values generators(const std::vector<float>& x, long n, std::uint64_t seed);

// In-place ops inside a graph and views whose gradients scatter: x [n, 4] f32,
// v [n] f32, idx [2] int64 (values in [0, n)), rows [2, 4] f32. The call
// writes x[:, 2] = 2 v and then x[idx] = rows back into x; the gradient graph
// holds scatter (select, slice, the slice assignment) and index_put.
inline const auto update_loss = [](auto x, auto v, auto idx, auto rows) {
  auto x1 = ctrace::assign_(ctrace::select<1>(x, 2), v * 2.0f);
  auto x2 = ctrace::index_put_(x1, idx, rows);
  return sum(x2 * x2) + sum(ctrace::slice<1>(x, 0, 2) * 3.0f) + sum(exp(ctrace::select<0>(x, 0)));
};
struct update_values {
  float loss;
  std::vector<float> x_after, dx, dv, drows;
};
update_values updates(const std::vector<float>& x, const std::vector<float>& v, const std::vector<std::int64_t>& idx,
                      const std::vector<float>& rows, long n);

}  // namespace ctrace::testing::cpu_reference
