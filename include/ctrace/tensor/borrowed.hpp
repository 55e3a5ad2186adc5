// borrowed_tensor<T, Shape, Device>: a tensor's memory, sizes and strides,
// without a share in its ownership. What a captured graph's input node holds:
// the caller's tensor outlives the call, so the node need not count a
// reference, and a node that holds only trivially copyable members keeps every
// expression built on it trivially copyable too (long graphs then compile
// with no copy, move or destructor per subtree type: bench/RESULTS.md,
// "Compile time"). It reads like a tensor (data, sizes, strides, strided) and
// converts to a tensor handle that does not own the memory either.
#pragma once

#include <memory>

#include "ctrace/tensor/tensor_fwd.hpp"
#include "ctrace/tensor/view.hpp"

namespace ctrace {

template <class T, class Shape, class Device>
struct borrowed_tensor {
  static constexpr int rank = Shape::rank;
  using sizes_type = sizes_t<rank>;

  strided_view<T, rank> view;

  T* data() const { return view.data; }
  const sizes_type& sizes() const { return view.sizes; }
  const sizes_type& strides() const { return view.strides; }
  index_t numel() const { return view.numel(); }
  bool is_contiguous() const { return view.is_contiguous(); }
  const strided_view<T, rank>& strided() const { return view; }
  // No owner: marks a leaf that reads memory (see expr/visit.hpp), like a tensor's.
  std::shared_ptr<void> owner() const { return nullptr; }

  // A tensor handle on the same memory, not owning it (valid while the
  // borrowed memory is).
  tensor<T, Shape, Device> to_tensor() const;
  operator tensor<T, Shape, Device>() const { return to_tensor(); }  // NOLINT(google-explicit-constructor)
};

}  // namespace ctrace
