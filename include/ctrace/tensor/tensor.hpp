// tensor<T, Shape, Device>: a handle on shared storage with sizes and strides.
// Copies share memory (as in PyTorch); view methods (permute, slice, select,
// expand, reshape, ...) return tensors on the same storage. Assigning a node
// evaluates it.
#pragma once

#include <array>
#include <memory>
#include <type_traits>
#include <utility>

#include "ctrace/core/broadcast.hpp"
#include "ctrace/core/shape_ops.hpp"
#include "ctrace/core/symbolic_size.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/node.hpp"
#include "ctrace/tensor/borrowed.hpp"
#include "ctrace/tensor/storage.hpp"
#include "ctrace/tensor/view.hpp"

namespace ctrace {

namespace exec {
// Copies a tensor to another device: a backend specializes transfer<From, To>
// with `run(t)` (the CUDA backend: cpu <-> cuda). On its own device a tensor
// is returned as it is (shared memory, as PyTorch's .to()).
template <class From, class To>
struct transfer;
template <class Device>
struct transfer<Device, Device> {
  template <class Tensor>
  static Tensor run(const Tensor& t) {
    return t;
  }
};
}  // namespace exec

namespace detail {
struct uninitialized_tag {};
// Sizes already checked by the caller (a captured graph's guards).
struct unchecked_tag {};

// Compile-time compatibility of a value of shape From with a tensor of shape To:
// same rank, and no pair of static dims that differ.
template <class Op, class From, class To>
constexpr bool check_shape_fits() {
  if constexpr (From::rank != To::rank) {
    return report<diagnostic::rank_mismatch<Op, From::rank, To::rank>>();
  } else {
    constexpr int bad = [] {
      for (int i = 0; i < To::rank; ++i) {
        if (provably_different(From::extents[i], To::extents[i])) return i;
      }
      return -1;
    }();
    if constexpr (bad >= 0) {
      return report<diagnostic::shape_mismatch<Op, bad, From::extents[bad].value(), To::extents[bad].value()>>();
    } else {
      return true;
    }
  }
}
}  // namespace detail

template <element_type T, class Shape, device_tag Device>
class tensor {
  static_assert(is_shape_v<Shape>, "ctrace: tensor<T, Shape, Device> needs a ctrace::shape<...>");

 public:
  using value_type = T;
  using shape_type = Shape;
  using device_type = Device;
  static constexpr int rank = Shape::rank;
  using sizes_type = sizes_t<rank>;

  // Zero-filled; symbolic and dynamic dims start at size 0.
  tensor() : tensor(default_sizes()) {}

  // Zero-filled tensor of the given sizes, checked against the shape.
  explicit tensor(const sizes_type& sizes) : tensor(detail::uninitialized_tag{}, sizes) {
    allocator<Device>::zero(data_, static_cast<std::size_t>(numel()) * sizeof(T));
  }
  template <std::integral... I>
    requires(sizeof...(I) == rank && rank > 0)
  explicit tensor(I... sizes) : tensor(sizes_type{static_cast<index_t>(sizes)...}) {}

  // Memory left as allocated; for results that are written right after.
  tensor(detail::uninitialized_tag, const sizes_type& sizes) : sizes_(sizes), strides_(contiguous_strides<rank>(sizes)) {
    check_sizes<Shape>(sizes, "tensor");
    owner_ = allocator<Device>::allocate(static_cast<std::size_t>(numel()) * sizeof(T));
    data_ = static_cast<T*>(owner_.get());
  }
  static tensor uninitialized(const sizes_type& sizes) { return tensor(detail::uninitialized_tag{}, sizes); }

  // A tensor over memory someone else owns; `owner` (may be null) keeps it alive.
  tensor(std::shared_ptr<void> owner, T* data, const sizes_type& sizes, const sizes_type& strides)
      : owner_(std::move(owner)), data_(data), sizes_(sizes), strides_(strides) {
    check_sizes<Shape>(sizes, "tensor");
  }

  // The same, without checking the sizes against the shape: for callers that
  // have checked them already (a captured graph binds its inputs this way).
  tensor(detail::unchecked_tag, std::shared_ptr<void> owner, T* data, const sizes_type& sizes, const sizes_type& strides)
      : owner_(std::move(owner)), data_(data), sizes_(sizes), strides_(strides) {}

  // The same memory seen through another shape type of the same rank
  // (Tensor<float, 2, 3> as Tensor<float, N, 3>): static dims checked while
  // compiling, symbolic ones now.
  template <class OtherShape>
    requires(!std::is_same_v<OtherShape, Shape>)
  tensor(const tensor<T, OtherShape, Device>& other)
      : owner_(other.owner()), data_(other.data()), sizes_(resize_rank(other.sizes())), strides_(resize_rank(other.strides())) {
    static_assert(detail::check_shape_fits<op::assign, OtherShape, Shape>() || true);
    check_sizes<Shape>(sizes_, "tensor conversion");
  }

  // Evaluates a node into new memory.
  template <tensor_node Node>
  tensor(const Node& node) {  // NOLINT(google-explicit-constructor): assignment of an expression evaluates it
    if constexpr (check_assignable<Node>()) {
      sizes_ = resize_rank(node.sizes());
      strides_ = contiguous_strides<rank>(sizes_);
      check_sizes<Shape>(sizes_, "tensor from expression");
      owner_ = allocator<Device>::allocate(static_cast<std::size_t>(numel()) * sizeof(T));
      data_ = static_cast<T*>(owner_.get());
      exec::backend<Device>::assign(strided(), node);
    }
  }

  tensor(const tensor&) = default;
  tensor(tensor&&) noexcept = default;
  tensor& operator=(const tensor&) = default;
  tensor& operator=(tensor&&) noexcept = default;

  // Rebinds this handle to the node's value in new memory (like `x = x + 1` in
  // PyTorch); other handles on the old memory keep it. See assign() for in place.
  template <tensor_node Node>
  tensor& operator=(const Node& node) {
    *this = tensor(node);
    return *this;
  }

  // Writes a node's value (broadcast to this tensor's sizes) into this tensor's
  // memory, through views; safe when the node reads the same memory.
  template <class Source>
    requires(tensor_node<Source> || tensor_type<Source> || wrapped_number<Source>)
  tensor& assign(const Source& source);

  // Fills every element with `value`.
  tensor& fill_(T value);

  // ---- facts -------------------------------------------------------------
  const sizes_type& sizes() const { return sizes_; }
  const sizes_type& strides() const { return strides_; }
  shape_value<Shape> shape() const { return {sizes_}; }
  index_t size(int axis) const { return sizes_[static_cast<std::size_t>(normalize_runtime_axis(axis))]; }
  index_t stride(int axis) const { return strides_[static_cast<std::size_t>(normalize_runtime_axis(axis))]; }
  index_t numel() const {
    index_t n = 1;
    for (index_t s : sizes_) n *= s;
    return n;
  }
  T* data() const { return data_; }
  const std::shared_ptr<void>& owner() const { return owner_; }
  bool is_contiguous() const { return ctrace::is_contiguous<rank>(sizes_, strides_); }
  strided_view<T, rank> strided() const { return {data_, sizes_, strides_}; }
  // True when both handles can reach the same memory.
  template <class U, class S2>
  bool shares_memory_with(const tensor<U, S2, Device>& other) const {
    return owner_ && owner_ == other.owner();
  }

  // ---- element access (host memory only) ---------------------------------
  template <std::integral... I>
    requires(sizeof...(I) == rank && std::is_same_v<Device, cpu>)
  T& operator()(I... index) const {
    sizes_type idx{static_cast<index_t>(index)...};
    index_t off = 0;
    for (int i = 0; i < rank; ++i) off += idx[i] * strides_[i];
    return data_[off];
  }
  // Checked access: negative indices count from the end; out of range throws.
  template <std::integral... I>
    requires(sizeof...(I) == rank && std::is_same_v<Device, cpu>)
  T& at(I... index) const {
    sizes_type idx{static_cast<index_t>(index)...};
    index_t off = 0;
    for (int i = 0; i < rank; ++i) {
      index_t j = idx[i] < 0 ? idx[i] + sizes_[i] : idx[i];
      if (j < 0 || j >= sizes_[i]) {
        detail::raise("at: index ", idx[i], " is out of range for dim ", i, " of size ", sizes_[i]);
      }
      off += j * strides_[i];
    }
    return data_[off];
  }
  // A rank-0 tensor's value.
  T item() const
    requires(rank == 0 && std::is_same_v<Device, cpu>)
  {
    return *data_;
  }

  // ---- views sharing this tensor's memory ----------------------------------
  template <int... Perm>
  auto permute() const {
    using P = permute_shape<Shape, Perm...>;
    static_assert(P::checked || true);
    if constexpr (!P::valid) {
      return *this;
    } else {
      using result = tensor<T, typename P::type, Device>;
      typename result::sizes_type s{}, st{};
      for (int i = 0; i < rank; ++i) {
        s[i] = sizes_[P::perm[i]];
        st[i] = strides_[P::perm[i]];
      }
      return result(owner_, data_, s, st);
    }
  }
  template <int A = -2, int B = -1>
  auto transpose() const {
    constexpr int a = normalize_axis<op::transpose, A, rank>(), b = normalize_axis<op::transpose, B, rank>();
    return transpose_impl<a, b>(std::make_integer_sequence<int, rank>{});
  }
  // Index `index` of dim Axis; the dim disappears. Negative indices count from the end.
  template <int Axis>
  auto select(index_t index) const {
    constexpr int a = normalize_axis<op::select, Axis, rank>();
    using result = tensor<T, typename drop_axis_shape<Shape, a>::type, Device>;
    index_t i = index < 0 ? index + sizes_[a] : index;
    if (i < 0 || i >= sizes_[a]) {
      detail::raise("select: index ", index, " is out of range for dim ", a, " of size ", sizes_[a]);
    }
    typename result::sizes_type s{}, st{};
    for (int k = 0, j = 0; k < rank; ++k) {
      if (k == a) continue;
      s[j] = sizes_[k];
      st[j++] = strides_[k];
    }
    return result(owner_, data_ + i * strides_[a], s, st);
  }
  // Elements start, start+step, ... before stop along Axis (PyTorch's clamping);
  // the length is known only at run time.
  template <int Axis>
  auto slice(index_t start, index_t stop, index_t step = 1) const {
    constexpr int a = normalize_axis<op::slice, Axis, rank>();
    using result = tensor<T, typename replace_axis_shape<Shape, a, dyn>::type, Device>;
    return slice_impl<result, a>(start, stop, step);
  }
  // The same with static bounds: the length is static when the dim is.
  template <int Axis, index_t Start, index_t Stop, index_t Step = 1>
  auto slice() const {
    static_assert(Step > 0, "ctrace: slice: step must be positive");
    constexpr int a = normalize_axis<op::slice, Axis, rank>();
    constexpr extent d = Shape::extents[a];
    constexpr extent len = d.is_static() ? make_extent(slice_length(d.value(), Start, Stop, Step)) : dyn;
    using result = tensor<T, typename replace_axis_shape<Shape, a, len>::type, Device>;
    return slice_impl<result, a>(Start, Stop, Step);
  }
  template <int Axis>
  auto unsqueeze() const {
    constexpr int a = normalize_axis<op::unsqueeze, Axis, rank + 1>();
    using result = tensor<T, typename insert_axis_shape<Shape, a, make_extent(1)>::type, Device>;
    typename result::sizes_type s{}, st{};
    for (int k = 0, j = 0; k < rank + 1; ++k) {
      if (k == a) {
        s[k] = 1;
        st[k] = (a < rank) ? strides_[a] * sizes_[a] : 1;
      } else {
        s[k] = sizes_[j];
        st[k] = strides_[j++];
      }
    }
    return result(owner_, data_, s, st);
  }
  template <int Axis>
  auto squeeze() const {
    constexpr int a = normalize_axis<op::squeeze, Axis, rank>();
    constexpr extent d = Shape::extents[a];
    if constexpr (d.is_static() && d.value() != 1) {
      report<diagnostic::squeeze_non_unit_dim<op::squeeze, Axis, d.value()>>();
      return *this;
    } else {
      if (sizes_[a] != 1) detail::raise("squeeze: dim ", a, " has size ", sizes_[a], ", not 1");
      using result = tensor<T, typename drop_axis_shape<Shape, a>::type, Device>;
      typename result::sizes_type s{}, st{};
      for (int k = 0, j = 0; k < rank; ++k) {
        if (k == a) continue;
        s[j] = sizes_[k];
        st[j++] = strides_[k];
      }
      return result(owner_, data_, s, st);
    }
  }
  // Broadcasts to new sizes without copying (stride 0 on expanded dims). Dims
  // are given as in the type (ints, symbols); -1 keeps a dim.
  template <auto... Dims>
  auto expand(const sizes_t<sizeof...(Dims)>& runtime_sizes) const;
  template <auto... Dims>
  auto expand() const;
  // A view with new dims when the strides allow it, else a contiguous copy.
  template <auto... Dims>
  auto reshape() const;
  // The same, but one runtime size per dim (for symbolic or dynamic dims).
  template <auto... Dims>
  auto reshape(const sizes_t<sizeof...(Dims)>& runtime_sizes) const;

  // Each element converted to U, as an expression (evaluated when assigned).
  template <element_type U>
  auto to() const {
    return cast_to<U>(tensor_leaf<T, Shape, Device>{{}, *this});
  }
  // The same values on device D: x.to<cuda>(), y.to<cpu>() (needs that
  // device's backend, e.g. <ctrace/cuda.hpp>).
  template <device_tag D>
  auto to() const {
    return exec::transfer<Device, D>::run(*this);
  }

  // A copy into new contiguous memory; `contiguous()` only copies when needed.
  tensor clone() const;
  tensor contiguous() const { return is_contiguous() ? *this : clone(); }

 private:
  static sizes_type default_sizes() {
    sizes_type s = Shape::static_sizes();
    for (auto& v : s) v = v < 0 ? 0 : v;
    return s;
  }
  template <std::size_t N>
  static sizes_type resize_rank(const std::array<index_t, N>& s) {
    sizes_type out{};
    for (int i = 0; i < rank && i < static_cast<int>(N); ++i) out[i] = s[i];
    return out;
  }
  static int normalize_runtime_axis(int axis) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) detail::raise("size: axis ", axis, " is out of range for rank ", rank);
    return a;
  }
  template <tensor_node Node>
  static constexpr bool check_assignable() {
    using V = typename Node::value_type;
    if constexpr (any_poison<Node>) {
      return false;
    } else if constexpr (!std::is_same_v<V, T>) {
      return report<diagnostic::dtype_mismatch<op::assign, V, T>>();
    } else if constexpr (!std::is_same_v<typename Node::device_type, any_device> &&
                         !std::is_same_v<typename Node::device_type, Device>) {
      static_assert(always_false<Node>,
                    "ctrace: the expression's tensors live on another device than the tensor it is assigned to");
      return false;
    } else {
      return detail::check_shape_fits<op::assign, typename Node::shape_type, Shape>();
    }
  }
  template <int A, int B, int... I>
  auto transpose_impl(std::integer_sequence<int, I...>) const {
    return permute<(I == A ? B : I == B ? A : I)...>();
  }
  template <class Result, int A>
  Result slice_impl(index_t start, index_t stop, index_t step) const {
    if (step <= 0) detail::raise("slice: step must be positive, got ", step);
    const index_t size = sizes_[A];
    index_t b = start < 0 ? start + size : start, e = stop < 0 ? stop + size : stop;
    b = b < 0 ? 0 : (b > size ? size : b);
    e = e < 0 ? 0 : (e > size ? size : e);
    typename Result::sizes_type s = sizes_, st = strides_;
    s[A] = e > b ? (e - b + step - 1) / step : 0;
    st[A] = strides_[A] * step;
    return Result(owner_, data_ + b * strides_[A], s, st);
  }

  std::shared_ptr<void> owner_;
  T* data_ = nullptr;
  sizes_type sizes_{};
  sizes_type strides_{};
};

template <class T, class Shape, class Device>
tensor<T, Shape, Device> borrowed_tensor<T, Shape, Device>::to_tensor() const {
  return tensor<T, Shape, Device>(detail::unchecked_tag{}, nullptr, view.data, view.sizes, view.strides);
}

}  // namespace ctrace

#include "ctrace/tensor/tensor_methods.hpp"  // members that evaluate nodes
