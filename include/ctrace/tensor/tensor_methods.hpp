// Tensor members that evaluate nodes or compute new views: assign, fill_,
// clone, expand, reshape. Kept apart from the class body for readability.
#pragma once

#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/visit.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace {

namespace detail {

// New strides for viewing (sizes, strides) with new_sizes without a copy, as
// ATen's computeStride: possible when each group of old dims that maps onto a
// group of new dims is contiguous within itself. False when a copy is needed.
template <int R1, int R2>
bool view_strides(const sizes_t<R1>& sizes, const sizes_t<R1>& strides, const sizes_t<R2>& new_sizes,
                  sizes_t<R2>& new_strides) {
  index_t numel = 1;
  for (index_t s : sizes) numel *= s;
  if (numel == 0) {
    new_strides = contiguous_strides<R2>(new_sizes);
    return true;
  }
  int view_d = R2 - 1;
  index_t chunk_base_stride = R1 > 0 ? strides[R1 - 1] : 1;
  index_t tensor_numel = 1, view_numel = 1;
  for (int d = R1 - 1; d >= 0; --d) {
    tensor_numel *= sizes[d];
    if (d == 0 || (sizes[d - 1] != 1 && strides[d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return false;
      if (d > 0) {
        chunk_base_stride = strides[d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  for (; view_d >= 0; --view_d) new_strides[view_d] = 1;  // leading size-1 dims
  return true;
}

// Runtime sizes for reshape<Dims...>(): static dims as given; the one -1 or
// the one non-static dim is what the element count leaves for it.
template <class NewShape, class Given>
sizes_t<NewShape::rank> infer_reshape_sizes(index_t numel, const Given& given_extents) {
  constexpr int R = NewShape::rank;
  sizes_t<R> out{};
  int unknown = -1;
  index_t known = 1;
  for (int i = 0; i < R; ++i) {
    const extent& e = given_extents[i];
    if (e.is_static() && e.value() != -1) {
      out[i] = e.value();
      known *= out[i];
    } else {
      if (unknown != -1) raise("reshape: more than one dim is unknown; pass the sizes: reshape<...>(sizes)");
      unknown = i;
    }
  }
  if (unknown >= 0) {
    if (known == 0 || numel % known != 0) {
      raise("reshape: ", numel, " elements cannot be arranged with the other dims multiplying to ", known);
    }
    out[unknown] = numel / known;
  }
  return out;
}

}  // namespace detail

template <element_type T, class Shape, device_tag Device>
template <class Source>
  requires(tensor_node<Source> || tensor_type<Source> || wrapped_number<Source>)
tensor<T, Shape, Device>& tensor<T, Shape, Device>::assign(const Source& source) {
  auto node = cast_to<T>(to_node(source));
  using N = decltype(node);
  using S = typename N::shape_type;
  using source_device = typename N::device_type;
  static_assert(std::is_same_v<source_device, any_device> || std::is_same_v<source_device, Device>,
                "ctrace: assign: the source lives on another device than the tensor it is written to (copy it with "
                "to_device(t) or to_host(t) first)");
  if constexpr (!any_poison<N>) {
    static_assert(S::rank <= rank, "ctrace: assign: the source has more dims than the destination");
    constexpr int bad = [] {
      for (int i = 0; i < S::rank; ++i) {
        const extent& s = S::extents[i];
        const extent& d = Shape::extents[i + rank - S::rank];
        if (provably_different(s, d) && !(s.is_static() && s.value() == 1)) return i;
      }
      return -1;
    }();
    if constexpr (bad >= 0) {
      report<diagnostic::shape_mismatch<op::assign, bad + rank - S::rank, S::extents[bad].value(),
                                  Shape::extents[bad + rank - S::rank].value()>>();
    } else {
      const auto src = node.sizes();
      for (int i = 0; i < S::rank; ++i) {
        index_t d = sizes_[i + rank - S::rank];
        if (src[i] != d && src[i] != 1) {
          detail::raise("assign: source sizes ", sizes_to_string(src), " do not broadcast to ",
                        sizes_to_string(sizes_));
        }
      }
      if (reads_memory(node, strided())) {
        // The source reads this memory: compute it apart first.
        tensor<T, S, Device> temp(node);
        exec::backend<Device>::assign(strided(), tensor_leaf<T, S, Device>{{}, temp});
      } else {
        exec::backend<Device>::assign(strided(), node);
      }
    }
  }
  return *this;
}

template <element_type T, class Shape, device_tag Device>
tensor<T, Shape, Device>& tensor<T, Shape, Device>::fill_(T value) {
  exec::backend<Device>::assign(strided(), scalar_leaf<T>{{}, value});
  return *this;
}

template <element_type T, class Shape, device_tag Device>
tensor<T, Shape, Device> tensor<T, Shape, Device>::clone() const {
  return tensor(tensor_leaf<T, Shape, Device>{{}, *this});
}

template <element_type T, class Shape, device_tag Device>
template <auto... Dims>
auto tensor<T, Shape, Device>::expand(const sizes_t<sizeof...(Dims)>& runtime_sizes) const {
  constexpr int R2 = static_cast<int>(sizeof...(Dims));
  static_assert(R2 >= rank, "ctrace: expand: the new shape has fewer dims than the tensor");
  constexpr std::array<extent, sizeof...(Dims)> given{to_extent(Dims)...};
  // -1 keeps the source dim; a static source dim must be 1 or equal the target.
  constexpr extent_list list = [&] {
    extent_list l{{}, R2};
    for (int i = 0; i < R2; ++i) {
      int k = i - (R2 - rank);
      bool keep = given[i].is_static() && given[i].value() == -1;
      l.items[i] = keep && k >= 0 ? Shape::extents[k] : given[i];
    }
    return l;
  }();
  constexpr int bad = [&] {
    for (int i = R2 - rank; i < R2; ++i) {
      const extent& s = Shape::extents[i - (R2 - rank)];
      if (s.is_static() && s.value() != 1 && provably_different(s, list.items[i])) return i;
    }
    return -1;
  }();
  if constexpr (bad >= 0) {
    report<diagnostic::expand_mismatch<op::expand, bad, Shape::extents[bad - (R2 - rank)].value(), list.items[bad].value()>>();
    return *this;
  } else {
    using result = tensor<T, shape_from<list>, Device>;
    typename result::sizes_type s{}, st{};
    for (int i = 0; i < R2; ++i) {
      int k = i - (R2 - rank);
      index_t want = runtime_sizes[i] == -1 && k >= 0 ? sizes_[k] : runtime_sizes[i];
      if (k < 0) {
        s[i] = want;
        st[i] = 0;
      } else if (sizes_[k] == want) {
        s[i] = want;
        st[i] = strides_[k];
      } else if (sizes_[k] == 1) {
        s[i] = want;
        st[i] = 0;
      } else {
        detail::raise("expand: dim ", k, " of size ", sizes_[k], " cannot expand to ", want, " (only size-1 dims can)");
      }
    }
    return result(owner_, data_, s, st);
  }
}

template <element_type T, class Shape, device_tag Device>
template <auto... Dims>
auto tensor<T, Shape, Device>::expand() const {
  constexpr std::array<extent, sizeof...(Dims)> given{to_extent(Dims)...};
  static_assert(((to_extent(Dims).is_static()) && ...),
                "ctrace: expand<...>() with symbolic dims needs the sizes: expand<...>(sizes)");
  sizes_t<sizeof...(Dims)> s{};
  for (std::size_t i = 0; i < given.size(); ++i) s[i] = given[i].value();
  return expand<Dims...>(s);
}

template <element_type T, class Shape, device_tag Device>
template <auto... Dims>
auto tensor<T, Shape, Device>::reshape(const sizes_t<sizeof...(Dims)>& runtime_sizes) const {
  using R = reshape_shape<op::reshape, Shape, Dims...>;
  if constexpr (!R::checked) {
    return *this;
  } else {
    using result = tensor<T, typename R::type, Device>;
    std::array<extent, sizeof...(Dims)> given{};
    for (std::size_t i = 0; i < given.size(); ++i) given[i] = make_extent(runtime_sizes[i]);
    auto s = detail::infer_reshape_sizes<typename R::type>(numel(), given);
    index_t n = 1;
    for (index_t v : s) n *= v;
    if (n != numel()) {
      detail::raise("reshape: cannot view ", sizes_to_string(sizes_), " (", numel(), " elements) as ",
                    sizes_to_string(s), " (", n, " elements)");
    }
    typename result::sizes_type st{};
    if (detail::view_strides<rank, R::rank>(sizes_, strides_, s, st)) return result(owner_, data_, s, st);
    tensor copy = clone();
    return result(copy.owner(), copy.data(), s, contiguous_strides<R::rank>(s));
  }
}

template <element_type T, class Shape, device_tag Device>
template <auto... Dims>
auto tensor<T, Shape, Device>::reshape() const {
  using R = reshape_shape<op::reshape, Shape, Dims...>;
  if constexpr (!R::checked) {
    return *this;
  } else {
    sizes_t<sizeof...(Dims)> given{};
    constexpr std::array<extent, sizeof...(Dims)> g{to_extent(Dims)...};
    for (std::size_t i = 0; i < g.size(); ++i) given[i] = g[i].is_static() ? g[i].value() : -1;
    return reshape<Dims...>(given);
  }
}

}  // namespace ctrace
