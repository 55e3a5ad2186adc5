// matmul: every rank combination, broadcast batches, strided operands, dtypes,
// empty dims, the parallel path, expression operands and fused consumers.
// Expected values are hand-written or come from plain loops below.
#include "test_util.hpp"

#include <ctrace/api/linalg.hpp>
#include <ctrace/api/movement.hpp>

#include <cstdint>
#include <type_traits>
#include <vector>

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;

namespace {

// [n, k] · [k, m], row-major, in double.
std::vector<double> naive_matmul(const std::vector<double>& a, const std::vector<double>& b, std::size_t n,
                                 std::size_t k, std::size_t m) {
  std::vector<double> c(n * m, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      double s = 0;
      for (std::size_t p = 0; p < k; ++p) s += a[i * k + p] * b[p * m + j];
      c[i * m + j] = s;
    }
  }
  return c;
}

// A tensor whose element i (row-major) is a small value that depends on i and
// `seed`: products stay exact in float for the small cases.
template <class T, auto... Dims>
auto pattern(int seed, const sizes_t<sizeof...(Dims)>& sizes) {
  auto t = tensor<T, shape_of<Dims...>>(sizes);
  auto* p = t.data();
  for (index_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(((i * 7 + seed * 3) % 11) - 5);
  return t;
}
template <class T, auto... Dims>
auto pattern(int seed) {
  return pattern<T, Dims...>(seed, shape_of<Dims...>::static_sizes());
}

}  // namespace

TEST_CASE("matmul of two matrices") {
  auto a = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto b = make_tensor<float, 3, 2>({7, 8, 9, 10, 11, 12});
  auto product = matmul(a, b);
  static_assert(std::is_same_v<decltype(product)::shape_type, shape_of<2, 2>>);
  static_assert(std::is_same_v<decltype(product)::value_type, float>);
  Tensor<float, 2, 2> c = product;
  check_close(c, {58, 64, 139, 154});
}

TEST_CASE("1-D · 1-D is a dot product of rank 0") {
  auto x = make_tensor<double, 3>({1, 2, 3});
  auto y = make_tensor<double, 3>({4, 5, -6});
  auto d = matmul(x, y).eval();
  static_assert(decltype(d)::rank == 0);
  CHECK(d.item() == doctest::Approx(4 + 10 - 18));
}

TEST_CASE("vector · matrix and matrix · vector drop the added dim") {
  auto v = make_tensor<float, 2>({1, 2});
  auto m = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto vm = matmul(v, m).eval();
  static_assert(std::is_same_v<decltype(vm)::shape_type, shape_of<3>>);
  check_close(vm, {9, 12, 15});
  auto w = make_tensor<float, 3>({1, 0, -1});
  auto mv = matmul(m, w).eval();
  static_assert(std::is_same_v<decltype(mv)::shape_type, shape_of<2>>);
  check_close(mv, {-2, -2});
}

TEST_CASE("batched products broadcast their batch dims") {
  SUBCASE("[B, n, k] · [k, m]") {
    auto a = pattern<float, 2, 2, 3>(1);
    auto b = pattern<float, 3, 4>(2);
    auto c = matmul(a, b).eval();
    static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<2, 2, 4>>);
    const auto av = to_vector(a), bv = to_vector(b);
    std::vector<double> expected;
    for (std::size_t batch = 0; batch < 2; ++batch) {
      std::vector<double> ab(av.begin() + static_cast<long>(batch * 6), av.begin() + static_cast<long>(batch * 6 + 6));
      auto r = naive_matmul(ab, bv, 2, 3, 4);
      expected.insert(expected.end(), r.begin(), r.end());
    }
    check_close(c, expected);
  }
  SUBCASE("[B, 1, n, k] · [C, k, m] gives [B, C, n, m]") {
    auto a = pattern<float, 2, 1, 2, 3>(3);
    auto b = pattern<float, 3, 3, 4>(4);
    auto c = matmul(a, b).eval();
    static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<2, 3, 2, 4>>);
    std::vector<double> expected;
    for (index_t i = 0; i < 2; ++i) {
      for (index_t j = 0; j < 3; ++j) {
        for (index_t r = 0; r < 2; ++r) {
          for (index_t col = 0; col < 4; ++col) {
            double s = 0;
            for (index_t p = 0; p < 3; ++p) s += double(a(i, 0, r, p)) * double(b(j, p, col));
            expected.push_back(s);
          }
        }
      }
    }
    check_close(c, expected);
  }
  SUBCASE("batch dims of size 1 on either side, and 1-D operands with batches") {
    auto a = pattern<float, 1, 2, 3>(5);
    auto b = pattern<float, 4, 3, 2>(6);
    auto c = matmul(a, b).eval();
    static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<4, 2, 2>>);
    std::vector<double> expected;
    for (index_t j = 0; j < 4; ++j) {
      for (index_t r = 0; r < 2; ++r) {
        for (index_t col = 0; col < 2; ++col) {
          double s = 0;
          for (index_t p = 0; p < 3; ++p) s += double(a(0, r, p)) * double(b(j, p, col));
          expected.push_back(s);
        }
      }
    }
    check_close(c, expected);

    auto v = make_tensor<float, 3>({1, -1, 2});
    auto vb = matmul(v, b).eval();  // [k] · [B, k, m] -> [B, m]
    static_assert(std::is_same_v<decltype(vb)::shape_type, shape_of<4, 2>>);
    std::vector<double> e2;
    for (index_t j = 0; j < 4; ++j) {
      for (index_t col = 0; col < 2; ++col) e2.push_back(b(j, 0, col) - b(j, 1, col) + 2.0 * b(j, 2, col));
    }
    check_close(vb, e2);

    auto bt = b.transpose();  // [4, 2, 3]
    auto bv = matmul(bt, v).eval();  // [B, n, k] · [k] -> [B, n]
    static_assert(std::is_same_v<decltype(bv)::shape_type, shape_of<4, 2>>);
    check_close(bv, e2);
  }
}

TEST_CASE("strided operands: transposed, sliced, expanded, selected") {
  auto base = pattern<float, 6, 8>(7);
  const auto naive_of = [](const auto& x, const auto& y) {
    return naive_matmul(to_vector(x), to_vector(y), static_cast<std::size_t>(x.size(0)),
                        static_cast<std::size_t>(x.size(1)), static_cast<std::size_t>(y.size(1)));
  };
  SUBCASE("a transposed lhs (column-major) and rhs") {
    auto at = base.transpose();  // [8, 6], unit stride along rows
    auto b = pattern<float, 6, 5>(8);
    check_close(matmul(at, b).eval(), naive_of(at, b));
    auto bt = pattern<float, 5, 6>(9).transpose();  // [6, 5] column-major
    check_close(matmul(at, bt).eval(), naive_of(at, bt));
    check_close(matmul(base, base.transpose()).eval(), naive_of(base, base.transpose()));
  }
  SUBCASE("a slice with a step has no unit stride: copied, same values") {
    auto s = base.slice<1, 0, 8, 2>();  // [6, 4], strides (8, 2)
    auto s2 = base.slice<0, 1, 6, 2>().slice<1, 1, 8, 2>();  // [3, 4], strides (16, 2)
    auto b = pattern<float, 4, 3>(10);
    check_close(matmul(s, b).eval(), naive_of(s, b));
    check_close(matmul(s2, b).eval(), naive_of(s2, b));
    auto bs = pattern<float, 8, 6>(11).slice<0, 0, 8, 2>();  // [4, 6], strides (12, 1)
    check_close(matmul(s, bs).eval(), naive_of(s, bs));
    // The same view of an expression: evaluated once, then copied for Eigen.
    check_close(matmul(slice<1, 0, 8, 2>(base + 0.0f), b).eval(), naive_of(s, b));
  }
  SUBCASE("a row-major slice keeps its outer stride") {
    auto rows = base.slice<0, 1, 5>();  // [4, 8]
    auto cols = base.slice<1, 2, 7>();  // [6, 5], row stride 8
    auto b = pattern<float, 5, 3>(12);
    check_close(matmul(cols, b).eval(), naive_of(cols, b));
    auto c = pattern<float, 8, 2>(13);
    check_close(matmul(rows, c).eval(), naive_of(rows, c));
  }
  SUBCASE("expanded operands (stride 0)") {
    auto row = make_tensor<float, 1, 3>({1, 2, 3});
    auto e = row.expand<4, 3>();  // four equal rows, row stride 0
    auto b = make_tensor<float, 3, 2>({1, 0, 0, 1, 1, 1});
    check_close(matmul(e, b).eval(), {4, 5, 4, 5, 4, 5, 4, 5});
    auto m = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
    auto batched = m.unsqueeze<0>().expand<3, 2, 3>();  // batch stride 0
    auto r = matmul(batched, b).eval();
    check_close(r, {4, 5, 10, 11, 4, 5, 10, 11, 4, 5, 10, 11});
  }
  SUBCASE("a selected row is a strided vector") {
    auto col = base.select<1>(2);  // [6], stride 8
    auto m = pattern<float, 6, 3>(14);
    std::vector<double> expected(3, 0.0);
    for (index_t j = 0; j < 3; ++j) {
      for (index_t p = 0; p < 6; ++p) expected[j] += double(col(p)) * double(m(p, j));
    }
    check_close(matmul(col, m).eval(), expected);
    auto d = matmul(col, base.select<1>(5)).eval();
    double dot = 0;
    for (index_t p = 0; p < 6; ++p) dot += double(base(p, 2)) * double(base(p, 5));
    CHECK(d.item() == doctest::Approx(dot));
  }
}

TEST_CASE("matmul promotes as PyTorch; bool is refused at compile time") {
  auto ai = make_tensor<std::int32_t, 2, 2>({1, 2, 3, 4});
  auto bi = make_tensor<std::int32_t, 2, 2>({5, 6, 7, 8});
  auto ci = matmul(ai, bi).eval();
  static_assert(std::is_same_v<decltype(ci)::value_type, std::int32_t>);
  check_close(ci, {19, 22, 43, 50}, 0);

  auto bl = make_tensor<std::int64_t, 2, 2>({5, 6, 7, 8});
  auto cl = matmul(ai, bl).eval();
  static_assert(std::is_same_v<decltype(cl)::value_type, std::int64_t>);
  check_close(cl, {19, 22, 43, 50}, 0);

  auto bf = make_tensor<float, 2, 2>({0.5f, 0, 0, 0.25f});
  auto cf = matmul(ai, bf).eval();
  static_assert(std::is_same_v<decltype(cf)::value_type, float>);
  check_close(cf, {0.5, 0.5, 1.5, 1.0});

  auto bd = make_tensor<double, 2, 2>({0.1, 0, 0, 0.1});
  auto cd = matmul(bf, bd).eval();
  static_assert(std::is_same_v<decltype(cd)::value_type, double>);
  check_close(cd, {0.05, 0, 0, 0.025}, 1e-7);

  // Half operands multiply in f32 and round back.
  Tensor<f16, 2, 2> h = cast<f16>(bf);
  auto ch = matmul(h, cast<f16>(bi)).eval();
  static_assert(std::is_same_v<decltype(ch)::value_type, f16>);
  check_close(ch, {2.5, 3, 1.75, 2}, 1e-3);

  // Large integer products stay exact (no float detour).
  auto big = make_tensor<std::int64_t, 1, 2>({3000000000LL, 1});
  auto col = make_tensor<std::int64_t, 2, 1>({3, 5});
  CHECK(matmul(big, col).eval()(0, 0) == 9000000005LL);

  // Numbers are not matmul operands.
  const auto takes = [](auto&& a, auto&& b) { return requires { matmul(a, b); }; };
  CHECK_FALSE(takes(1.0, bf));
  CHECK(takes(bf, bf));
}

TEST_CASE("empty and size-1 dims") {
  SUBCASE("k = 0 gives zeros") {
    Tensor<float, 2, 0> a;
    Tensor<float, 0, 3> b;
    auto c = matmul(a, b).eval();
    static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<2, 3>>);
    check_close(c, {0, 0, 0, 0, 0, 0});
    Tensor<std::int32_t, 0> v;
    CHECK(matmul(v, v).eval().item() == 0);
    auto batched = matmul(Tensor<double, 3, 2, 0>(), Tensor<double, 0, 2>()).eval();
    check_close(batched, std::vector<double>(12, 0.0));
  }
  SUBCASE("n, m or a batch of 0 gives an empty result") {
    auto c = matmul(Tensor<float, 0, 4>(), pattern<float, 4, 3>(1)).eval();
    CHECK(c.size(0) == 0);
    CHECK(c.size(1) == 3);
    auto d = matmul(pattern<float, 2, 4>(1), Tensor<float, 4, 0>()).eval();
    CHECK(d.numel() == 0);
    auto e = matmul(Tensor<float, 0, 2, 4>(), pattern<float, 4, 3>(2)).eval();
    CHECK(e.sizes() == sizes_t<3>{0, 2, 3});
  }
  SUBCASE("all dims 1") {
    auto a = make_tensor<float, 1, 1>({3});
    auto b = make_tensor<float, 1, 1>({-2});
    check_close(matmul(a, b).eval(), {-6});
    auto ab = make_tensor<float, 1, 1, 1>({4});
    check_close(matmul(ab, b).eval(), {-8});
    auto v = make_tensor<float, 1>({5});
    CHECK(matmul(v, v).eval().item() == 25);
  }
}

TEST_CASE("large products run on both cores and match a naive loop") {
  const auto check_against_naive = [](const auto& a, const auto& b) {
    const auto c = matmul(a, b).eval();
    const auto expected = naive_matmul(to_vector(a), to_vector(b), static_cast<std::size_t>(a.size(0)),
                                       static_cast<std::size_t>(a.size(1)), static_cast<std::size_t>(b.size(1)));
    check_close(c, expected, 1e-4);
  };
  generator g(7);
  SUBCASE("matrix · matrix, odd sizes, split by rows") {
    Tensor<float, 300, 517> a = rand<float, 300, 517>(g);
    Tensor<float, 517, 259> b = rand<float, 517, 259>(g);
    check_against_naive(a, b);
    check_against_naive(a, b.slice<1, 0, 259, 2>());  // strided rhs: copied first
  }
  SUBCASE("few rows and many columns: split by columns") {
    Tensor<double, 3, 700> a = randn<double, 3, 700>(g);
    Tensor<double, 700, 2000> b = randn<double, 700, 2000>(g);
    check_against_naive(a, b);
    check_against_naive(a, b.transpose().contiguous().transpose());  // column-major rhs
  }
  SUBCASE("matrix · vector and vector · matrix") {
    Tensor<float, 1500, 700> m = rand<float, 1500, 700>(g);
    Tensor<float, 700> v = rand<float, 700>(g);
    Tensor<float, 1500> w = rand<float, 1500>(g);
    const auto mv = matmul(m, v).eval();
    const auto vm = matmul(w, m).eval();
    const auto mvals = to_vector(m), vvals = to_vector(v), wvals = to_vector(w);
    std::vector<double> e1(1500, 0.0), e2(700, 0.0);
    for (std::size_t i = 0; i < 1500; ++i) {
      for (std::size_t p = 0; p < 700; ++p) {
        e1[i] += mvals[i * 700 + p] * vvals[p];
        e2[p] += wvals[i] * mvals[i * 700 + p];
      }
    }
    check_close(mv, e1, 1e-4);
    check_close(vm, e2, 1e-4);
  }
  SUBCASE("batches split across threads mid-batch, one thread gives the same values") {
    Tensor<float, 3, 70, 130> a = rand<float, 3, 70, 130>(g);
    Tensor<float, 130, 90> b = rand<float, 130, 90>(g);
    const auto c = matmul(a, b).eval();
    std::vector<double> expected;
    const auto av = to_vector(a), bv = to_vector(b);
    for (std::size_t batch = 0; batch < 3; ++batch) {
      std::vector<double> ab(av.begin() + static_cast<long>(batch * 70 * 130),
                             av.begin() + static_cast<long>((batch + 1) * 70 * 130));
      const auto r = naive_matmul(ab, bv, 70, 130, 90);
      expected.insert(expected.end(), r.begin(), r.end());
    }
    check_close(c, expected, 1e-4);
    cpu_backend::set_num_threads(1);
    const auto serial = matmul(a, b).eval();
    cpu_backend::set_num_threads(2);
    check_close(serial, expected, 1e-4);
  }
}

TEST_CASE("expression operands are evaluated once first; consumers fuse over the product") {
  auto x = make_tensor<float, 2, 2>({1, 2, 3, 4});
  auto w = make_tensor<float, 2, 3>({1, 0, 2, 0, 1, -1});
  // (x + 1) = [[2, 3], [4, 5]]
  Tensor<float, 2, 3> y = matmul(x + 1.0f, w);
  check_close(y, {2, 3, 1, 4, 5, 3});
  // (x + x)^T = [[2, 6], [4, 8]]
  Tensor<float, 2, 3> z = matmul(transpose(x + x), w);
  check_close(z, {2, 6, -2, 4, 8, 0});
  // A bias added over the product, then relu: one pass over the product.
  auto bias = make_tensor<float, 3>({0.5f, -10, 0});
  Tensor<float, 2, 3> h = relu(matmul(x, w) + bias);
  // x·w = [[1, 2, 0], [3, 4, 2]]
  check_close(h, {1.5, 0, 0, 3.5, 0, 2});
  // Products of products, and a product inside a larger expression.
  auto v = make_tensor<float, 3>({1, 1, 1});
  Tensor<float, 2> chain = matmul(matmul(x, w), v) * 2.0f;
  check_close(chain, {6, 18});
  // The product as the second operand of an elementwise op that broadcasts it.
  Tensor<float, 2, 2, 3> b = make_tensor<float, 2, 1, 1>({1, -1}) * matmul(x, w);
  check_close(b, {1, 2, 0, 3, 4, 2, -1, -2, 0, -3, -4, -2});
}

TEST_CASE("symbolic and dynamic dims are checked at run time") {
  constexpr auto N = sym<"N">;
  constexpr auto K = sym<"K">;
  constexpr auto M = sym<"M">;
  Tensor<float, N, K> a = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  Tensor<float, K, M> b = make_tensor<float, 3, 1>({1, 1, 1});
  auto c = matmul(a, b);
  static_assert(std::is_same_v<decltype(c)::shape_type, shape_of<N, M>>);
  check_close(c.eval(), {6, 15});

  SUBCASE("inner dims") {
    Tensor<float, N, 4> p(3, 4);
    Tensor<float, M, 5> q(3, 5);
    CHECK_THROWS_WITH_AS(matmul(p, q), doctest::Contains("matmul: the inner dims differ"), ctrace::error);
    CHECK_THROWS_WITH_AS(matmul(p, q), doctest::Contains("is 4, rhs dim 0 (M) is 3"), ctrace::error);
    // A slice's dynamic length against a static dim.
    auto s = slice<1>(pattern<float, 2, 3>(1), 0, 2);
    CHECK_THROWS_WITH_AS(matmul(s, pattern<float, 3, 2>(2)), doctest::Contains("is 2, rhs dim 0 (3) is 3"),
                         ctrace::error);
    check_close(matmul(s, pattern<float, 2, 2>(2)).eval(),
                naive_matmul(to_vector(s.value), to_vector(pattern<float, 2, 2>(2)), 2, 2, 2));
  }
  SUBCASE("batch dims") {
    constexpr auto B = sym<"B">;
    constexpr auto C = sym<"C">;
    Tensor<float, B, 2, 2> p(3, 2, 2);
    Tensor<float, C, 2, 2> q(4, 2, 2);
    CHECK_THROWS_WITH_AS(matmul(p, q), doctest::Contains("cannot broadcast dim 0: lhs B = 3, rhs C = 4"),
                         ctrace::error);
    Tensor<float, C, 2, 2> one(1, 2, 2);
    auto r = matmul(p, one);  // a symbol may be 1 where the result is not named by it
    CHECK(r.sizes() == sizes_t<3>{3, 2, 2});
  }
}

TEST_CASE("matmul prints as one node") {
  auto x = make_tensor<float, 2, 2>({1, 2, 3, 4});
  const std::string text = to_text(matmul(x + 1.0f, x));
  CHECK(text.find("matmul(") != std::string::npos);
  CHECK(text.find("add(") != std::string::npos);
}
