// Random ops inside a captured graph draw from a generator the graph takes as
// an input: the same seed gives the same values eagerly and captured.
#include <doctest/doctest.h>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::to_vector;

namespace {
constexpr auto N = sym<"N">;

auto noisy = [](auto x, auto& g) {
  auto noise = randn<float>(x.shape(), g) * 0.1;
  auto kept = dropout(x, 0.5, g);
  return std::make_tuple(x + noise, kept, bernoulli(0.25, x.shape(), g), normal<float>(3.0, 2.0, x.shape(), g));
};
}  // namespace

TEST_CASE("same seed, same values: eager and captured, call after call") {
  auto g = trace([](auto x, auto rng) { return noisy(x, rng); }, spec<float, N>{}, rng_spec{});
  Tensor<float, N> x = arange<float>(0.0, 64.0);
  generator eager_rng(42), graph_rng(42);
  for (int call = 0; call < 2; ++call) {
    auto [a, b, c, d] = noisy(x, eager_rng);
    auto [p, q, r, s] = g(x, graph_rng);
    CHECK(to_vector(Tensor<float, N>(a)) == to_vector(p));
    CHECK(to_vector(Tensor<float, N>(b)) == to_vector(q));
    CHECK(to_vector(Tensor<float, N>(c)) == to_vector(r));
    CHECK(to_vector(Tensor<float, N>(d)) == to_vector(s));
    CHECK(eager_rng.offset() == graph_rng.offset());
  }
  generator other(7);
  auto [p, q, r, s] = g(x, other);
  CHECK(to_vector(p) != to_vector(Tensor<float, N>(std::get<0>(noisy(x, eager_rng)))));
}

TEST_CASE("dropout keeps about 1-p of the elements, scaled; bernoulli has mean p") {
  auto g = trace([](auto x, auto rng) { return std::make_pair(dropout(x, 0.25, rng), bernoulli(0.25, x.shape(), rng)); },
                 spec<float, N>{}, rng_spec{});
  generator rng(1);
  Tensor<float, N> x = ones<float, N>({20000});
  auto [kept, coin] = g(x, rng);
  const auto k = to_vector(kept), c = to_vector(coin);
  double nonzero = 0, ones_seen = 0;
  for (double v : k) {
    if (v != 0) {
      CHECK(v == doctest::Approx(1.0 / 0.75));
      ++nonzero;
    }
  }
  for (double v : c) ones_seen += v;
  CHECK(nonzero / 20000 == doctest::Approx(0.75).epsilon(0.03));
  CHECK(ones_seen / 20000 == doctest::Approx(0.25).epsilon(0.05));
}

TEST_CASE("the generator is an input in the IR, and random nodes name it") {
  auto g = trace([](auto x, auto rng) { return x + rand<float>(x.shape(), rng); }, spec<float, 3>{}, rng_spec{});
  CHECK(g.to_text() ==
        "graph(%in0 : f32[3], %in1 : generator):\n"
        "  %0 : f32[3] = rand(generator=%in1, offset=+0)\n"
        "  %1 : f32[3] = add(%in0, %0)\n"
        "  return (%1)\n");
}
