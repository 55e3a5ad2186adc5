// Tensor views share memory: permute, transpose, select, slice, squeeze,
// unsqueeze, expand, reshape; and their errors.
#include "test_util.hpp"

using namespace ctrace;
using ctrace::testing::check_close;
using ctrace::testing::expected_from;

namespace {
constexpr auto N = sym<"N">;
Tensor<float, 2, 3, 4> cube() {
  Tensor<float, 2, 3, 4> t;
  for (int i = 0; i < 24; ++i) t.data()[i] = static_cast<float>(i);
  return t;
}
}  // namespace

TEST_CASE("copies of a tensor share memory; clone does not") {
  auto a = cube();
  auto b = a;
  b(0, 0, 0) = 100;
  CHECK(a(0, 0, 0) == 100);
  auto c = a.clone();
  c(0, 0, 0) = -1;
  CHECK(a(0, 0, 0) == 100);
  CHECK(c.is_contiguous());
}

TEST_CASE("permute and transpose reorder dims without copying") {
  auto a = cube();
  auto p = a.permute<2, 0, 1>();
  static_assert(std::is_same_v<decltype(p), Tensor<float, 4, 2, 3>>);
  CHECK(p.data() == a.data());
  CHECK(p(3, 1, 2) == a(1, 2, 3));
  CHECK(!p.is_contiguous());
  auto t = a.transpose<0, 2>();
  static_assert(std::is_same_v<decltype(t), Tensor<float, 4, 3, 2>>);
  CHECK(t(1, 2, 1) == a(1, 2, 1));
  auto last = a.transpose();  // the last two dims by default
  CHECK(last(0, 3, 2) == a(0, 2, 3));
  auto neg = a.permute<-1, -3, -2>();
  CHECK(neg(3, 1, 2) == a(1, 2, 3));
}

TEST_CASE("select and slice") {
  auto a = cube();
  auto s = a.select<1>(2);
  static_assert(std::is_same_v<decltype(s), Tensor<float, 2, 4>>);
  CHECK(s(1, 3) == a(1, 2, 3));
  CHECK(a.select<1>(-1)(0, 0) == a(0, 2, 0));
  CHECK_THROWS_WITH_AS((a.select<1>(3)), "ctrace: select: index 3 is out of range for dim 1 of size 3", ctrace::error);
  CHECK_THROWS_AS((a.select<1>(-4)), ctrace::error);
  auto sl = a.slice<2>(1, 4, 2);  // columns 1, 3
  static_assert(std::is_same_v<decltype(sl), Tensor<float, 2, 3, dyn>>);
  CHECK(sl.size(2) == 2);
  CHECK(sl(1, 1, 1) == a(1, 1, 3));
  auto st = a.slice<2, 0, 4, 3>();  // columns 0, 3: static length 2
  static_assert(std::is_same_v<decltype(st), Tensor<float, 2, 3, 2>>);
  CHECK(st(0, 2, 1) == a(0, 2, 3));
  // PyTorch's clamping: bounds beyond the dim are cut, negative ones count from the end.
  CHECK(a.slice<2>(-2, 100).size(2) == 2);
  CHECK(a.slice<2>(3, 1).size(2) == 0);
  CHECK_THROWS_WITH_AS(a.slice<2>(0, 4, 0), doctest::Contains("step must be positive"), ctrace::error);
  Tensor<float, 2, 3, dyn> copy = sl * 1;
  CHECK(copy(1, 2, 0) == a(1, 2, 1));
}

TEST_CASE("unsqueeze, squeeze and expand") {
  auto a = cube();
  auto u = a.unsqueeze<1>();
  static_assert(std::is_same_v<decltype(u), Tensor<float, 2, 1, 3, 4>>);
  CHECK(u(1, 0, 2, 3) == a(1, 2, 3));
  auto u_end = a.unsqueeze<-1>();
  static_assert(std::is_same_v<decltype(u_end), Tensor<float, 2, 3, 4, 1>>);
  auto back = u.squeeze<1>();
  static_assert(std::is_same_v<decltype(back), Tensor<float, 2, 3, 4>>);
  Tensor<float, N, 4> d(1, 4);
  CHECK_NOTHROW(d.squeeze<0>());
  Tensor<float, N, 4> d2(2, 4);
  CHECK_THROWS_WITH_AS(d2.squeeze<0>(), doctest::Contains("squeeze: dim 0 has size 2, not 1"), ctrace::error);
  auto row = make_tensor<float, 1, 3>({1, 2, 3});
  auto e = row.expand<4, 3>();
  CHECK(e.stride(0) == 0);
  CHECK(e.data() == row.data());
  auto e3 = row.expand<2, -1, 3>();  // new leading dim; -1 keeps a dim
  static_assert(std::is_same_v<decltype(e3), Tensor<float, 2, 1, 3>>);
  Tensor<float, N, 3> big = row.expand<N, 3>({5, 3});
  CHECK(big.size(0) == 5);
  Tensor<float, 3, 1> col = make_tensor<float, 3, 1>({1, 2, 3});
  Tensor<float, dyn, 1> dcol = col;
  CHECK_THROWS_WITH_AS((dcol.expand<dyn, 1>({5, 1})), doctest::Contains("dim 0 of size 3 cannot expand to 5"),
                       ctrace::error);
}

TEST_CASE("reshape views when strides allow and copies when they do not") {
  auto a = cube();
  auto r = a.reshape<6, 4>();
  static_assert(std::is_same_v<decltype(r), Tensor<float, 6, 4>>);
  CHECK(r.data() == a.data());
  CHECK(r(5, 3) == 23);
  auto inferred = a.reshape<-1, 12>();
  static_assert(std::is_same_v<decltype(inferred), Tensor<float, 2, 12>>);
  CHECK(inferred(1, 11) == 23);
  // A transposed tensor cannot be flattened in place: copied.
  auto t = a.transpose<1, 2>();  // [2, 4, 3]
  auto flat = t.reshape<24>();
  CHECK(flat.data() != a.data());
  check_close(flat, expected_from(24, [&](std::size_t k) {
                const index_t i = static_cast<index_t>(k / 12), j = static_cast<index_t>((k / 3) % 4),
                              l = static_cast<index_t>(k % 3);
                return static_cast<double>(a(i, l, j));
              }));
  // Splitting a dim of a transposed view is still a view.
  auto split = t.reshape<2, 2, 2, 3>();
  CHECK(split.data() == a.data());
  CHECK(split(1, 1, 0, 2) == a(1, 2, 2));
  // Symbolic dims: the one unknown dim is inferred at run time.
  Tensor<float, N, 6> s(4, 6);
  auto rs = s.reshape<2 * N, 3>();
  CHECK(rs.size(0) == 8);
  auto rs2 = s.reshape<-1, 3>();
  static_assert(std::is_same_v<decltype(rs2), Tensor<float, 2 * N, 3>>);
  Tensor<float, dyn> odd(7);
  CHECK_THROWS_WITH_AS((odd.reshape<-1, 2>()), doctest::Contains("7 elements cannot be arranged"), ctrace::error);
  CHECK_THROWS_WITH_AS(odd.reshape<dyn>({8}), doctest::Contains("cannot view [7] (7 elements) as [8]"), ctrace::error);
}

TEST_CASE("checked element access") {
  auto a = cube();
  CHECK(a.at(1, -1, -1) == 23);
  CHECK_THROWS_WITH_AS(a.at(2, 0, 0), "ctrace: at: index 2 is out of range for dim 0 of size 2", ctrace::error);
  CHECK_THROWS_WITH_AS(a.size(3), doctest::Contains("axis 3 is out of range for rank 3"), ctrace::error);
}

TEST_CASE("converting between shape types checks the symbols") {
  Tensor<float, 2, 3> s;
  Tensor<float, N, 3> n = s;  // binds N = 2, shares memory
  CHECK(n.data() == s.data());
  Tensor<float, dyn, dyn> d = s;
  Tensor<float, 2, 3> back = d;
  CHECK(back.data() == s.data());
  Tensor<float, dyn, 3> wrong(4, 3);
  CHECK_THROWS_WITH_AS((Tensor<float, 2, 3>(wrong)), doctest::Contains("size 4 at dim 0 but the type says 2"),
                       ctrace::error);
}

TEST_CASE("printing") {
  auto t = make_tensor<float, 2, 2>({1, 2.5f, -3, 4});
  std::ostringstream os;
  os << t;
  CHECK(os.str() == "tensor([[1.0000, 2.5000],\n        [-3.0000, 4.0000]], f32[2, 2])");
  std::ostringstream ob;
  ob << make_tensor<bool, 2>({true, false}) << ' ' << make_tensor<std::int64_t, 2>({3, -4});
  CHECK(ob.str() == "tensor([True, False], bool[2]) tensor([3, -4], i64[2])");
}
