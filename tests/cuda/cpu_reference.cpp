// The CPU backend's side of the CPU/CUDA agreement test (see cpu_reference.hpp).
#include "cpu_reference.hpp"

#include <ctrace/autodiff.hpp>
#include <ctrace/ctrace.hpp>

namespace ctrace::testing::cpu_reference {

namespace {
constexpr auto N = sym<"N">;
using vector_f = tensor<float, shape_of<N>, cpu>;

vector_f view(const std::vector<float>& v) {
  return vector_f(nullptr, const_cast<float*>(v.data()), {static_cast<index_t>(v.size())}, {1});
}
template <class T, class S>
std::vector<T> values(const tensor<T, S, cpu>& t) {
  const tensor<T, S, cpu> c = t.contiguous();
  return std::vector<T>(c.data(), c.data() + c.numel());
}
}  // namespace

std::vector<float> simple(const std::vector<float>& x, const std::vector<float>& y) {
  const auto tx = view(x), ty = view(y);
  const vector_f z = sigmoid(tanh(tx * (tx + ty)));
  return values(z);
}

std::vector<float> ge(const std::vector<float>& a, const std::vector<float>& b) {
  const auto ta = view(a), tb = view(b);
  const vector_f z = ta * tb / (ta - 2 * tb) + tb;
  return values(z);
}

std::vector<float> where_transposed(const std::vector<float>& x, const std::vector<float>& b, long rows, long cols) {
  constexpr auto R = sym<"R">, C = sym<"C">;
  const tensor<float, shape_of<R, C>, cpu> tx(nullptr, const_cast<float*>(x.data()), {rows, cols}, {cols, 1});
  const tensor<float, shape_of<R>, cpu> tb(nullptr, const_cast<float*>(b.data()), {rows}, {1});
  const auto xt = tx.transpose();
  const tensor<float, shape_of<C, R>, cpu> z = where(xt > 0, xt * tb, -tb);
  return values(z);
}

std::vector<std::int32_t> cast_to_int(const std::vector<float>& x) {
  const tensor<std::int32_t, shape_of<N>, cpu> z = (view(x) * 100).to<std::int32_t>();
  return values(z);
}

mlp_gradients mlp_step(const std::vector<float>& x, const std::vector<float>& t, const std::vector<float>& w1,
                       const std::vector<float>& w2, long batch) {
  constexpr auto B = sym<"B">;
  auto step = value_and_grad<2, 3>(trace(mlp_loss, spec<float, B, mlp_in>{}, spec<float, B, mlp_out>{},
                                         spec<float, mlp_in, mlp_hidden>{}, spec<float, mlp_hidden, mlp_out>{}));
  const auto matrix = []<class S>(S, const std::vector<float>& v, long rows, long cols) {
    return tensor<float, S, cpu>(nullptr, const_cast<float*>(v.data()), {rows, cols}, {cols, 1});
  };
  auto [loss, grads] = step(matrix(shape_of<B, mlp_in>{}, x, batch, mlp_in), matrix(shape_of<B, mlp_out>{}, t, batch, mlp_out),
                            matrix(shape_of<mlp_in, mlp_hidden>{}, w1, mlp_in, mlp_hidden),
                            matrix(shape_of<mlp_hidden, mlp_out>{}, w2, mlp_hidden, mlp_out));
  return {loss.data()[0], values(std::get<0>(grads)), values(std::get<1>(grads))};
}

std::vector<float> indexing_grad(const std::vector<float>& x, const std::vector<std::int64_t>& i,
                                 const std::vector<std::int64_t>& j, long n, long m, long k) {
  constexpr auto R = sym<"R">, C = sym<"C">, K = sym<"K">, L = sym<"L">;
  auto g = grad(trace(indexing_loss, spec<float, R, C>{}, spec<std::int64_t, R, K>{}, spec<std::int64_t, L>{}));
  const tensor<float, shape_of<R, C>, cpu> tx(nullptr, const_cast<float*>(x.data()), {n, m}, {m, 1});
  const tensor<std::int64_t, shape_of<R, K>, cpu> ti(nullptr, const_cast<std::int64_t*>(i.data()), {n, k}, {k, 1});
  const tensor<std::int64_t, shape_of<L>, cpu> tj(nullptr, const_cast<std::int64_t*>(j.data()),
                                                   {static_cast<index_t>(j.size())}, {1});
  return values(g(tx, ti, tj));
}

generator_values generators(const std::vector<float>& x, long n, std::uint64_t seed) {
  constexpr auto R = sym<"R">;
  auto g = trace(generators_graph, spec<float, R, 3>{}, rng_spec{});
  const tensor<float, shape_of<R, 3>, cpu> tx(nullptr, const_cast<float*>(x.data()), {n, 3}, {3, 1});
  generator rng(seed);
  auto [noisy, dropped, coin, ramp, grid] = g(tx, rng);
  return {values(noisy), values(dropped), values(coin), values(ramp), values(grid), rng.offset()};
}

update_values updates(const std::vector<float>& x, const std::vector<float>& v, const std::vector<std::int64_t>& idx,
                      const std::vector<float>& rows, long n) {
  constexpr auto R = sym<"R">;
  auto g = trace(update_loss, spec<float, R, 4>{}, spec<float, R>{}, spec<std::int64_t, 2>{}, spec<float, 2, 4>{});
  std::vector<float> xw = x;  // the call writes into it
  const tensor<float, shape_of<R, 4>, cpu> tx(nullptr, xw.data(), {n, 4}, {4, 1});
  const tensor<float, shape_of<R>, cpu> tv(nullptr, const_cast<float*>(v.data()), {n}, {1});
  const tensor<std::int64_t, shape_of<2>, cpu> ti(nullptr, const_cast<std::int64_t*>(idx.data()), {2}, {1});
  const tensor<float, shape_of<2, 4>, cpu> tr(nullptr, const_cast<float*>(rows.data()), {2, 4}, {4, 1});
  const tensor<float, shape_of<R, 4>, cpu> x0(nullptr, const_cast<float*>(x.data()), {n, 4}, {4, 1});
  auto [dx, dv, drows] = grad(g)(x0, tv, ti, tr);
  update_values out{0, {}, values(dx), values(dv), values(drows)};
  out.loss = g(tx, tv, ti, tr).data()[0];
  out.x_after = xw;
  return out;
}

}  // namespace ctrace::testing::cpu_reference
