// Eigen interop: views where the layout allows, copies where it does not.
#include "test_util.hpp"

#include <ctrace/tensor/eigen.hpp>

using namespace ctrace;
using ctrace::testing::check_close;

TEST_CASE("a tensor as an Eigen matrix shares memory, strides included") {
  auto t = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto m = as_eigen_matrix(t);
  static_assert(decltype(m)::RowsAtCompileTime == 2 && decltype(m)::ColsAtCompileTime == 3);
  CHECK(m(1, 2) == 6.0f);
  m(0, 1) = 20.0f;
  CHECK(t(0, 1) == 20.0f);
  // A transposed view maps with swapped strides, still without a copy.
  auto mt = as_eigen_matrix(t.transpose());
  CHECK(mt.rows() == 3);
  CHECK(mt(2, 1) == 6.0f);
  CHECK(mt.data() == t.data());
  // Eigen's GEMM on the views.
  Eigen::MatrixXf p = m * mt;
  CHECK(p(0, 0) == doctest::Approx(1 + 400 + 9));
  // Arrays and vectors.
  auto col = t.select<1>(2);  // [3, 6], stride 3
  auto v = as_eigen_matrix(col);
  CHECK(v.cols() == 1);
  CHECK(v(1) == 6.0f);
  auto a = as_eigen_array(t);
  CHECK((a * 2).sum() == doctest::Approx(2 * (1 + 20 + 3 + 4 + 5 + 6)));
}

TEST_CASE("an Eigen matrix as a tensor: view of lvalues, copy of temporaries") {
  Eigen::MatrixXd cm(2, 3);  // column-major
  cm << 1, 2, 3, 4, 5, 6;
  auto t = from_eigen(cm);
  static_assert(std::is_same_v<decltype(t), Tensor<double, dyn, dyn>>);
  CHECK(t.stride(0) == 1);
  CHECK(t.stride(1) == 2);
  CHECK(t(1, 0) == 4.0);
  t(0, 2) = 30.0;
  CHECK(cm(0, 2) == 30.0);  // shared
  Tensor<double, dyn, dyn> doubled = t * 2;
  check_close(doubled, {2, 4, 60, 8, 10, 12});

  Eigen::Matrix<float, 2, 2, Eigen::RowMajor> fixed;
  fixed << 1, 2, 3, 4;
  auto tf = from_eigen(fixed);
  static_assert(std::is_same_v<decltype(tf), Tensor<float, 2, 2>>);
  CHECK(tf.data() == fixed.data());

  // A temporary or a const matrix is copied (a view would dangle or break const).
  auto tmp = from_eigen(Eigen::MatrixXf::Constant(2, 2, 7.0f));
  CHECK(tmp(1, 1) == 7.0f);
  const Eigen::MatrixXd& ccm = cm;
  auto copy = from_eigen(ccm);
  CHECK(copy.data() != cm.data());
  CHECK(copy(0, 2) == 30.0);
  // An expression is evaluated into a copy.
  auto sum = from_eigen(cm + cm);
  CHECK(sum(1, 2) == 12.0);

  Eigen::VectorXf vec = Eigen::VectorXf::LinSpaced(5, 0, 4);
  auto tv = from_eigen(vec);
  static_assert(decltype(tv)::rank == 1);
  CHECK(tv(4) == 4.0f);
  float raw[6] = {1, 2, 3, 4, 5, 6};
  auto mapped = from_eigen(Eigen::Map<Eigen::Matrix<float, 3, 2, Eigen::RowMajor>>(raw));
  CHECK(mapped.data() == raw);  // a Map is a view even as a temporary
  CHECK(mapped(2, 1) == 6.0f);
}

TEST_CASE("Eigen::Tensor both ways") {
  Eigen::Tensor<float, 3, Eigen::RowMajor> rt(2, 3, 4);
  for (int i = 0; i < 24; ++i) rt.data()[i] = static_cast<float>(i);
  auto t = from_eigen(rt);
  CHECK(t.data() == rt.data());
  CHECK(t(1, 2, 3) == 23.0f);
  Eigen::Tensor<float, 2> ct(2, 3);  // column-major by default
  for (int i = 0; i < 6; ++i) ct.data()[i] = static_cast<float>(i);
  auto tc = from_eigen(ct);
  CHECK(tc(1, 0) == 1.0f);  // element (1, 0) is the second in column-major memory
  CHECK(tc(0, 1) == 2.0f);

  auto mine = make_tensor<float, 2, 3>({1, 2, 3, 4, 5, 6});
  auto view = as_eigen_tensor(mine);
  CHECK(view.tensor.data() == mine.data());  // contiguous: no copy
  Eigen::Tensor<float, 0, Eigen::RowMajor> total = view.tensor.sum();
  CHECK(total() == 21.0f);
  auto strided = as_eigen_tensor(mine.transpose());  // not contiguous: a copy
  CHECK(strided.tensor.data() != mine.data());
  CHECK(strided.tensor(2, 1) == 6.0f);
}

TEST_CASE("assign detects overlap through views of external memory") {
  Eigen::Matrix<float, 3, 3, Eigen::RowMajor> m;
  m << 1, 2, 3, 4, 5, 6, 7, 8, 9;
  auto t = from_eigen(m);
  t.assign(t.transpose());
  check_close(t, {1, 4, 7, 2, 5, 8, 3, 6, 9});
}
