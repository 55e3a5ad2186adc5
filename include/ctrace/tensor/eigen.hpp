// Interop with Eigen, both ways. Dense matrices and arrays map onto tensors
// without a copy whatever their strides (Eigen's Map takes outer and inner
// strides); Eigen::Tensor views need contiguous row-major memory, so a strided
// tensor is copied first. A tensor made from an Eigen object that owns its
// memory and is a temporary (or const) is a copy; from an lvalue or a Map it
// is a view, valid while the Eigen object is.
#pragma once

#include <Eigen/Core>
#include <unsupported/Eigen/CXX11/Tensor>

#include <type_traits>

#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

namespace detail {
template <class Dim>
constexpr int eigen_size_of() {
  constexpr extent e = extent_of<Dim>;
  return e.is_static() ? static_cast<int>(e.value()) : Eigen::Dynamic;
}
constexpr extent ctrace_extent_of(int eigen_size) { return eigen_size == Eigen::Dynamic ? dyn : make_extent(eigen_size); }

template <class S>
struct matrix_dims;
template <class D0, class D1>
struct matrix_dims<shape<D0, D1>> {
  static constexpr int rows = eigen_size_of<D0>();
  static constexpr int cols = eigen_size_of<D1>();
};
template <class D0>
struct matrix_dims<shape<D0>> {
  static constexpr int rows = eigen_size_of<D0>();
  static constexpr int cols = 1;
};
}  // namespace detail

// ---- tensor → Eigen ----------------------------------------------------------

// A rank-2 tensor as an Eigen matrix (a rank-1 tensor as a column vector), no
// copy: any strides, static sizes kept static.
template <class T, class S>
  requires(S::rank == 1 || S::rank == 2)
auto as_eigen_matrix(const tensor<T, S, cpu>& t) {
  using dims = detail::matrix_dims<S>;
  using matrix = Eigen::Matrix<T, dims::rows, dims::cols, (dims::cols == 1 ? Eigen::ColMajor : Eigen::RowMajor)>;
  using map = Eigen::Map<matrix, Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
  if constexpr (S::rank == 2) {
    return map(t.data(), t.size(0), t.size(1), Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(t.stride(0), t.stride(1)));
  } else {
    return map(t.data(), t.size(0), 1, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(t.size(0) * t.stride(0), t.stride(0)));
  }
}

// The same as an Eigen array (coefficient-wise arithmetic).
template <class T, class S>
  requires(S::rank == 1 || S::rank == 2)
auto as_eigen_array(const tensor<T, S, cpu>& t) {
  using dims = detail::matrix_dims<S>;
  using array = Eigen::Array<T, dims::rows, dims::cols, (dims::cols == 1 ? Eigen::ColMajor : Eigen::RowMajor)>;
  using map = Eigen::Map<array, Eigen::Unaligned, Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>>;
  auto m = as_eigen_matrix(t);
  return map(m.data(), m.rows(), m.cols(), Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>(m.outerStride(), m.innerStride()));
}

// An Eigen::TensorMap (row-major) over the tensor's memory, with the memory it
// views kept alive: the tensor's own when contiguous, else a contiguous copy.
// Use it as `auto v = as_eigen_tensor(t); v.tensor.sum();`.
template <class T, class S>
auto as_eigen_tensor(const tensor<T, S, cpu>& t) {
  constexpr int R = S::rank;
  auto c = t.contiguous();  // no copy when already contiguous
  Eigen::array<Eigen::DenseIndex, R> dims{};
  for (int i = 0; i < R; ++i) dims[static_cast<std::size_t>(i)] = c.size(i);
  using map = Eigen::TensorMap<Eigen::Tensor<T, R, Eigen::RowMajor, Eigen::DenseIndex>>;
  struct view {
    std::shared_ptr<void> memory;  // keeps a copy (or the tensor's memory) alive
    map tensor;
  };
  return view{c.owner(), map(c.data(), dims)};
}

// ---- Eigen → tensor ----------------------------------------------------------

namespace detail {
template <class E>
inline constexpr bool eigen_dense_v = std::is_base_of_v<Eigen::DenseBase<std::remove_cvref_t<E>>, std::remove_cvref_t<E>>;

template <class E>
inline constexpr bool owns_memory_v =
    std::is_base_of_v<Eigen::PlainObjectBase<std::remove_cvref_t<E>>, std::remove_cvref_t<E>>;

// A view is safe for lvalues with direct access, and for non-owning objects
// (Map, Ref, blocks) even as temporaries; never through a const pointer.
template <class E>
inline constexpr bool viewable_v = [] {
  using D = std::remove_cvref_t<E>;
  if constexpr (!eigen_dense_v<E>) {
    return false;
  } else {
    constexpr bool direct = (D::Flags & Eigen::DirectAccessBit) != 0;
    constexpr bool writable = (D::Flags & Eigen::LvalueBit) != 0 && !std::is_const_v<std::remove_reference_t<E>>;
    constexpr bool lifetime_ok = std::is_lvalue_reference_v<E> || !owns_memory_v<E>;
    return direct && writable && lifetime_ok;
  }
}();
}  // namespace detail

// An Eigen matrix or array as a tensor: rank 1 for vectors (a dimension that
// is 1 at compile time), rank 2 otherwise. A view where allowed (see above),
// else an evaluated copy.
template <class E>
  requires detail::eigen_dense_v<E>
auto from_eigen(E&& m) {
  using D = std::remove_cvref_t<E>;
  using T = typename D::Scalar;
  constexpr bool is_vector = D::IsVectorAtCompileTime;
  using S = std::conditional_t<is_vector, shape_of<detail::ctrace_extent_of(D::SizeAtCompileTime)>,
                               shape_of<detail::ctrace_extent_of(D::RowsAtCompileTime),
                                        detail::ctrace_extent_of(D::ColsAtCompileTime)>>;
  using result = tensor<T, S, cpu>;
  if constexpr (detail::viewable_v<E&&>) {
    const index_t inner = m.innerStride(), outer = m.outerStride();
    if constexpr (is_vector) {
      return result(nullptr, const_cast<T*>(m.data()), {static_cast<index_t>(m.size())}, {inner});
    } else {
      const bool row_major = D::IsRowMajor;
      return result(nullptr, const_cast<T*>(m.data()), {static_cast<index_t>(m.rows()), static_cast<index_t>(m.cols())},
                    row_major ? sizes_t<2>{outer, inner} : sizes_t<2>{inner, outer});
    }
  } else {
    // Copy: evaluate into a row-major Eigen matrix over new tensor memory.
    sizes_t<S::rank> sizes{};
    if constexpr (is_vector) sizes = {static_cast<index_t>(m.size())};
    else sizes = {static_cast<index_t>(m.rows()), static_cast<index_t>(m.cols())};
    auto t = result::uninitialized(sizes);
    auto dst = as_eigen_matrix(t);
    if constexpr (is_vector) dst = m.matrix().reshaped(m.size(), 1);
    else dst = m.matrix();
    return t;
  }
}

// An Eigen::Tensor (either layout) or TensorMap as a ctrace tensor: a view of
// lvalues and maps (column-major ones get reversed strides), a copy of const
// or temporary owning tensors.
template <class E>
  requires(!detail::eigen_dense_v<E> && requires { std::remove_cvref_t<E>::NumIndices; })
auto from_eigen(E&& et) {
  using D = std::remove_cvref_t<E>;
  using T = std::remove_const_t<typename D::Scalar>;
  constexpr int R = D::NumIndices;
  constexpr bool row_major = (static_cast<int>(D::Layout) == static_cast<int>(Eigen::RowMajor));
  using S = decltype([]<std::size_t... I>(std::index_sequence<I...>) { return shape_of<((void)I, dyn)...>{}; }(
      std::make_index_sequence<R>{}));
  using result = tensor<T, S, cpu>;
  sizes_t<R> sizes{}, strides{};
  for (int i = 0; i < R; ++i) sizes[i] = static_cast<index_t>(et.dimension(i));
  index_t s = 1;
  if constexpr (row_major) {
    for (int i = R - 1; i >= 0; --i) {
      strides[i] = s;
      s *= sizes[i];
    }
  } else {
    for (int i = 0; i < R; ++i) {
      strides[i] = s;
      s *= sizes[i];
    }
  }
  constexpr bool is_map = !std::is_same_v<D, Eigen::Tensor<typename D::Scalar, R, D::Options, typename D::Index>>;
  constexpr bool mutable_data = !std::is_const_v<typename D::Scalar> && !std::is_const_v<std::remove_reference_t<E>>;
  if constexpr (mutable_data && (is_map || std::is_lvalue_reference_v<E>)) {
    return result(nullptr, const_cast<T*>(et.data()), sizes, strides);
  } else {
    auto t = result::uninitialized(sizes);
    const auto view = result(nullptr, const_cast<T*>(et.data()), sizes, strides);
    t.assign(view);
    return t;
  }
}

}  // namespace ctrace
