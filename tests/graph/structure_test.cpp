// Structured inputs and outputs: tuples, pairs, arrays, nesting, keyed
// inputs (kwargs with compile-time keys); outputs keep their nesting.
#include <doctest/doctest.h>

#include <array>
#include <tuple>

#include <ctrace/ctrace.hpp>

#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::vector_n;

namespace {
constexpr auto N = sym<"N">;
}  // namespace

TEST_CASE("tuple and array inputs, nested, are numbered depth first") {
  auto g = trace(
      [](auto xy, auto ws) {
        auto [x, y] = xy;
        return x * std::get<0>(ws) + y * std::get<1>(ws);
      },
      std::make_tuple(spec<float, N>{}, spec<float, N>{}), std::array<spec<float, N>, 2>{});
  static_assert(decltype(g)::input_count == 4);
  CHECK(g.to_text() ==
        "graph(%in0 : f32[N], %in1 : f32[N], %in2 : f32[N], %in3 : f32[N]):\n"
        "  %0 : f32[N] = mul(%in0, %in2)\n"
        "  %1 : f32[N] = mul(%in1, %in3)\n"
        "  %2 : f32[N] = add(%0, %1)\n"
        "  return (%2)\n"
        "guards:\n"
        "  N = %in0.size(0)\n"
        "  %in1.size(0) == N\n"
        "  %in2.size(0) == N\n"
        "  %in3.size(0) == N\n");
  Tensor<float, N> r = g(std::make_tuple(vector_n({1, 2}), vector_n({3, 4})), std::array{vector_n({10, 10}), vector_n({100, 1000})});
  check_close(r, {310, 4020});
}

TEST_CASE("outputs keep their nesting exactly") {
  auto g = trace(
      [](auto x) {
        return std::make_tuple(std::make_pair(x + 1.0, std::make_tuple(x * 2.0)), std::array{x * 3.0, x * 4.0});
      },
      spec<float, N>{});
  CHECK(g.to_text() ==
        "graph(%in0 : f32[N]):\n"
        "  %0 : f32[N] = add(%in0, 1.0)\n"
        "  %1 : f32[N] = mul(%in0, 2.0)\n"
        "  %2 : f32[N] = mul(%in0, 3.0)\n"
        "  %3 : f32[N] = mul(%in0, 4.0)\n"
        "  return ((%0, (%1)), (%2, %3))\n"
        "guards:\n"
        "  N = %in0.size(0)\n");
  auto out = g(vector_n({0, 1}));
  auto& [pair, arr] = out;
  check_close(pair.first, {1, 2});
  check_close(std::get<0>(pair.second), {0, 2});
  check_close(arr[0], {0, 3});
  check_close(arr[1], {0, 4});
  static_assert(std::is_same_v<decltype(std::get<0>(pair.second)), Tensor<float, N>&>);
}

TEST_CASE("keyed inputs: any order, extra keys ignored, printed by name") {
  auto g = trace([](auto in) { return in[key<"x">] * in[key<"scale">]; },
                 kwargs(arg<"x">(spec<float, N>{}), arg<"scale">(spec<float, 1>{})));
  CHECK(g.to_text() ==
        "graph(%x : f32[N], %scale : f32[1]):\n"
        "  %0 : f32[N] = mul(%x, %scale)\n"
        "  return (%0)\n"
        "guards:\n"
        "  N = %x.size(0)\n");
  auto scale = make_tensor<float, 1>({3});
  Tensor<float, N> r = g(kwargs(arg<"unused">(vector_n({7})), arg<"scale">(scale), arg<"x">(vector_n({1, 2}))));
  check_close(r, {3, 6});
}

TEST_CASE("returning an input gives the caller's tensor back") {
  auto g = trace([](auto x, auto y) { return std::make_tuple(x, x + y); }, spec<float, N>{}, spec<float, N>{});
  auto a = vector_n({1, 2});
  auto [same, sum] = g(a, vector_n({3, 4}));
  CHECK(same.data() == a.data());
  check_close(sum, {4, 6});
}

TEST_CASE("Graphviz and JSON forms list the same nodes") {
  auto g = trace([](auto x, auto y) { return relu(x - y); }, spec<float, 3>{}, spec<float, 3>{});
  CHECK(g.to_dot() ==
        "digraph ctrace_graph {\n"
        "  rankdir=TB;\n"
        "  node [fontname=\"monospace\"];\n"
        "  in_in0 [shape=box, label=\"%in0 : f32[3]\"];\n"
        "  in_in1 [shape=box, label=\"%in1 : f32[3]\"];\n"
        "  n2 [label=\"%0 = sub\\nf32[3]\"];\n"
        "  in_in0 -> n2;\n"
        "  in_in1 -> n2;\n"
        "  n3 [label=\"%1 = relu\\nf32[3]\"];\n"
        "  n2 -> n3;\n"
        "  out0 [shape=oval, label=\"output 0\"];\n"
        "  n3 -> out0;\n"
        "}\n");
  CHECK(g.to_json() ==
        "{\"inputs\": [{\"name\": \"%in0\", \"type\": \"f32[3]\"}, {\"name\": \"%in1\", \"type\": \"f32[3]\"}], "
        "\"nodes\": [{\"name\": \"%0\", \"op\": \"sub\", \"dtype\": \"f32\", \"shape\": \"[3]\", \"args\": [\"%in0\", "
        "\"%in1\"], \"attributes\": \"\"}, {\"name\": \"%1\", \"op\": \"relu\", \"dtype\": \"f32\", \"shape\": \"[3]\", "
        "\"args\": [\"%0\"], \"attributes\": \"\"}], \"outputs\": [\"%1\"], \"returns\": \"(%1)\", \"guards\": []}\n");
}

namespace {
struct batch {
  BOOST_HANA_DEFINE_STRUCT(batch, (Tensor<float, N>, features), (Tensor<float, N>, weights), (int, id));
};
}  // namespace

TEST_CASE("a user struct reflected with Boost.Hana is a keyed input") {
  using hana_spec = decltype(spec_of_struct<batch>());
  static_assert(spec_tree::leaf_count<hana_spec>() == 2);  // the int member is not a tensor
  auto g = trace([](auto in) { return sum(in[key<"features">] * in[key<"weights">]); }, spec_of_struct<batch>());
  CHECK(g.to_text().find("graph(%features : f32[N], %weights : f32[N]):") == 0);
  batch b{vector_n({1, 2, 3}), vector_n({2, 2, 2}), 7};
  Tensor<float> total = g(b);
  CHECK(total.item() == doctest::Approx(12));
}
