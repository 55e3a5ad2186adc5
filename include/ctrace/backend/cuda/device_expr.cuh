// The device side of an elementwise expression. make_device_expr turns a node
// tree (unary, binary, cast and where nodes over tensors and numbers) into a
// tree of small trivially copyable objects: each tensor becomes a device
// pointer with its strides in the iteration space (broadcast dims read with
// stride 0), each number a value, each op its functor. That tree is passed to
// the kernel by value and evaluated there, per element or per vector of V
// elements, by one recursive call from the root, so every interior value stays
// in registers: one kernel, no temporaries. Nothing here includes Eigen or
// Hana (Hana's function objects cannot run on the device).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctrace/core/config.hpp"
#include "ctrace/core/device.hpp"
#include "ctrace/core/diagnostics.hpp"
#include "ctrace/core/dtype.hpp"
#include "ctrace/core/shape.hpp"
#include "ctrace/expr/binary.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/input.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/literal.hpp"
#include "ctrace/expr/unary.hpp"
#include "ctrace/expr/where.hpp"
#include "ctrace/tensor/tensor.hpp"

#if !defined(__CUDACC__)
#error "ctrace/backend/cuda/device_expr.cuh holds device code: compile it with nvcc (a .cu source)"
#endif

namespace ctrace::cuda_backend {

namespace diagnostic {
// A node the CUDA backend cannot evaluate yet; the compiler prints it above.
template <class Node>
struct node_not_supported_on_cuda {
  static_assert(always_false<Node>,
                "ctrace: the CUDA backend evaluates elementwise expressions (unary, binary, cast and where over "
                "tensors and numbers); node_not_supported_on_cuda<node> above names the node it cannot run yet");
};
// A tensor of another device in an expression evaluated on CUDA.
template <class Tensor>
struct host_tensor_in_cuda_expression {
  static_assert(always_false<Tensor>,
                "ctrace: a tensor that is not on the CUDA device is read by an expression evaluated there; copy it "
                "first with to_device(t); host_tensor_in_cuda_expression<tensor type> above names it");
};
}  // namespace diagnostic

// V elements of one type, as one value in registers.
template <class T, int V>
struct vec {
  T v[V];
};

template <int V, class T>
CTRACE_DEVICE CTRACE_INLINE vec<T, V> splat(T x) {
  vec<T, V> r;
#pragma unroll
  for (int k = 0; k < V; ++k) r.v[k] = x;
  return r;
}

// 16-byte accesses: p is 16-byte aligned and V * sizeof(T) a multiple of 16.
// Streaming loads and stores (ld.global.cs / st.global.cs) mark the lines
// evict-first, for data that is touched once.
template <int V, bool Streaming, class T>
CTRACE_DEVICE CTRACE_INLINE vec<T, V> load_vector(const T* p) {
  constexpr int pieces = static_cast<int>(V * sizeof(T) / 16);
  static_assert(pieces * 16 == static_cast<int>(V * sizeof(T)), "ctrace: vector accesses are whole 16-byte pieces");
  uint4 raw[pieces];
  const uint4* q = reinterpret_cast<const uint4*>(p);
#pragma unroll
  for (int k = 0; k < pieces; ++k) {
    if constexpr (Streaming) raw[k] = __ldcs(q + k);
    else raw[k] = q[k];
  }
  vec<T, V> r;
  std::memcpy(&r, raw, sizeof r);
  return r;
}

template <int V, bool Streaming, class T>
CTRACE_DEVICE CTRACE_INLINE void store_vector(T* p, const vec<T, V>& value) {
  constexpr int pieces = static_cast<int>(V * sizeof(T) / 16);
  uint4 raw[pieces];
  std::memcpy(raw, &value, sizeof raw);
  uint4* q = reinterpret_cast<uint4*>(p);
#pragma unroll
  for (int k = 0; k < pieces; ++k) {
    if constexpr (Streaming) __stcs(q + k, raw[k]);
    else q[k] = raw[k];
  }
}

// Where an element (or the first of V elements) is. Linear: the iteration
// space is one contiguous run, and every tensor is either read along it
// (stride 1) or broadcast (stride 0). Strided: coordinates in an R-dim space.
struct linear_pos {
  index_t i;
};
template <int R>
struct strided_pos {
  const index_t* coord;  // R coordinates
};

// The op applied to one element; half types compute in float (as on the CPU).
template <class Out, class Op, class... In>
CTRACE_DEVICE CTRACE_INLINE Out apply_op(const Op& op, In... x) {
  if constexpr ((is_half_v<In> || ...)) return convert<Out>(op(static_cast<float>(x)...));
  else return op(x...);
}

// No tensor read: does not limit the vector width.
inline constexpr std::size_t no_tensor_read = 16;

// ---- leaves -----------------------------------------------------------------

template <class T, int R>
struct tensor_ref {
  using value_type = T;
  static constexpr std::size_t smallest_element = sizeof(T);
  const T* data;
  index_t strides[R];

  template <int V, bool Streaming>
  CTRACE_DEVICE CTRACE_INLINE vec<T, V> eval(linear_pos p) const {
    if constexpr (V == 1) {
      return {{data[p.i * strides[R - 1]]}};
    } else {
      if (strides[R - 1] == 0) return splat<V>(data[0]);
      return load_vector<V, Streaming>(data + p.i);
    }
  }
  template <int V, bool Streaming>
  CTRACE_DEVICE CTRACE_INLINE vec<T, 1> eval(strided_pos<R> p) const {
    index_t offset = 0;
#pragma unroll
    for (int d = 0; d < R; ++d) offset += p.coord[d] * strides[d];
    return {{data[offset]}};
  }
  // Host: f(data, strides, element size) for each tensor read.
  template <class F>
  void for_each_tensor(F& f) {
    f(static_cast<const void*>(data), strides, sizeof(T));
  }
};

template <class T>
struct scalar_ref {
  using value_type = T;
  static constexpr std::size_t smallest_element = no_tensor_read;
  T value;
  template <int V, bool Streaming, class Pos>
  CTRACE_DEVICE CTRACE_INLINE vec<T, V> eval(Pos) const {
    return splat<V>(value);
  }
  template <class F>
  void for_each_tensor(F&) {}
};

// ---- interior nodes ---------------------------------------------------------

template <class Op, class Out, class A>
struct unary_ref {
  using value_type = Out;
  static constexpr std::size_t smallest_element = A::smallest_element;
  A a;
  Op op;
  template <int V, bool Streaming, class Pos>
  CTRACE_DEVICE CTRACE_INLINE vec<Out, V> eval(Pos p) const {
    const auto x = a.template eval<V, Streaming>(p);
    vec<Out, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = apply_op<Out>(op, x.v[k]);
    return r;
  }
  template <class F>
  void for_each_tensor(F& f) {
    a.for_each_tensor(f);
  }
};

template <class Op, class Out, class A, class B>
struct binary_ref {
  using value_type = Out;
  static constexpr std::size_t smallest_element =
      A::smallest_element < B::smallest_element ? A::smallest_element : B::smallest_element;
  A a;
  B b;
  Op op;
  template <int V, bool Streaming, class Pos>
  CTRACE_DEVICE CTRACE_INLINE vec<Out, V> eval(Pos p) const {
    const auto x = a.template eval<V, Streaming>(p);
    const auto y = b.template eval<V, Streaming>(p);
    vec<Out, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = apply_op<Out>(op, x.v[k], y.v[k]);
    return r;
  }
  template <class F>
  void for_each_tensor(F& f) {
    a.for_each_tensor(f);
    b.for_each_tensor(f);
  }
};

template <class To, class A>
struct cast_ref {
  using value_type = To;
  static constexpr std::size_t smallest_element = A::smallest_element;
  A a;
  template <int V, bool Streaming, class Pos>
  CTRACE_DEVICE CTRACE_INLINE vec<To, V> eval(Pos p) const {
    const auto x = a.template eval<V, Streaming>(p);
    vec<To, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = convert<To>(x.v[k]);
    return r;
  }
  template <class F>
  void for_each_tensor(F& f) {
    a.for_each_tensor(f);
  }
};

template <class C, class A, class B>
struct where_ref {
  using value_type = typename A::value_type;
  static constexpr std::size_t smallest_element = [] {
    std::size_t s = C::smallest_element;
    if (A::smallest_element < s) s = A::smallest_element;
    if (B::smallest_element < s) s = B::smallest_element;
    return s;
  }();
  C c;
  A a;
  B b;
  template <int V, bool Streaming, class Pos>
  CTRACE_DEVICE CTRACE_INLINE vec<value_type, V> eval(Pos p) const {
    const auto m = c.template eval<V, Streaming>(p);
    const auto x = a.template eval<V, Streaming>(p);
    const auto y = b.template eval<V, Streaming>(p);
    vec<value_type, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = m.v[k] ? x.v[k] : y.v[k];
    return r;
  }
  template <class F>
  void for_each_tensor(F& f) {
    c.for_each_tensor(f);
    a.for_each_tensor(f);
    b.for_each_tensor(f);
  }
};

// ---- from nodes to device trees (host) -----------------------------------------

// Strides of an operand of rank r broadcast into an R-dim space: dims align
// right; missing or size-1 dims read with stride 0.
template <int R, int r>
void broadcast_strides(const sizes_t<r>& sizes, const sizes_t<r>& strides, const sizes_t<R>& iter, index_t* out) {
  for (int i = 0; i < R; ++i) {
    const int k = i - (R - r);
    out[i] = (k < 0 || (sizes[k] == 1 && iter[i] != 1)) ? 0 : strides[k];
  }
}

template <class Node, int R>
struct device_expr {
  static auto make(const Node&, const sizes_t<R>&) {
    [[maybe_unused]] constexpr auto size = sizeof(diagnostic::node_not_supported_on_cuda<Node>);
    return scalar_ref<int>{0};
  }
};

template <int R, class Node>
auto make_device_expr(const Node& node, const sizes_t<R>& iter) {
  return device_expr<Node, R>::make(node, iter);
}

template <class T, class S, class D, int R>
  requires std::is_same_v<D, cuda>
struct device_expr<tensor<T, S, D>, R> {
  static tensor_ref<T, R> make(const tensor<T, S, D>& t, const sizes_t<R>& iter) {
    tensor_ref<T, R> r{t.data(), {}};
    broadcast_strides<R, S::rank>(t.sizes(), t.strides(), iter, r.strides);
    return r;
  }
};
template <class T, class S, class D, int R>
  requires(!std::is_same_v<D, cuda>)
struct device_expr<tensor<T, S, D>, R> {
  static tensor_ref<T, R> make(const tensor<T, S, D>&, const sizes_t<R>&) {
    [[maybe_unused]] constexpr auto size = sizeof(diagnostic::host_tensor_in_cuda_expression<tensor<T, S, D>>);
    return {};
  }
};

template <class T, class S, class D, int R>
struct device_expr<tensor_leaf<T, S, D>, R> {
  static auto make(const tensor_leaf<T, S, D>& leaf, const sizes_t<R>& iter) {
    return device_expr<tensor<T, S, D>, R>::make(leaf.value, iter);
  }
};
template <int I, class T, class S, class D, int R>
struct device_expr<input_node<I, T, S, D>, R> {
  static auto make(const input_node<I, T, S, D>& in, const sizes_t<R>& iter) {
    return device_expr<tensor<T, S, D>, R>::make(in.value.to_tensor(), iter);
  }
};

template <class T, int R>
struct device_expr<scalar_leaf<T>, R> {
  static scalar_ref<T> make(const scalar_leaf<T>& leaf, const sizes_t<R>&) { return {leaf.value}; }
};
template <literal_value L, class T, int R>
struct device_expr<literal_node<L, T>, R> {
  static scalar_ref<T> make(const literal_node<L, T>&, const sizes_t<R>&) { return {literal_node<L, T>::value_of()}; }
};

template <class Node, int R>
using device_expr_t = decltype(make_device_expr<R, Node>(std::declval<const Node&>(), std::declval<const sizes_t<R>&>()));

template <class Op, class A, int R>
struct device_expr<unary_node<Op, A>, R> {
  using node = unary_node<Op, A>;
  static auto make(const node& n, const sizes_t<R>& iter) {
    return unary_ref<Op, typename node::value_type, device_expr_t<A, R>>{make_device_expr<R>(n.arg(), iter), n.op};
  }
};
template <class Op, class A, class B, int R>
struct device_expr<binary_node<Op, A, B>, R> {
  using node = binary_node<Op, A, B>;
  static auto make(const node& n, const sizes_t<R>& iter) {
    return binary_ref<Op, typename node::value_type, device_expr_t<A, R>, device_expr_t<B, R>>{
        make_device_expr<R>(n.lhs(), iter), make_device_expr<R>(n.rhs(), iter), n.op};
  }
};
template <class To, class A, int R>
struct device_expr<cast_node<To, A>, R> {
  static auto make(const cast_node<To, A>& n, const sizes_t<R>& iter) {
    return cast_ref<To, device_expr_t<A, R>>{make_device_expr<R>(n.arg(), iter)};
  }
};
template <class C, class A, class B, int R>
struct device_expr<where_node<C, A, B>, R> {
  static auto make(const where_node<C, A, B>& n, const sizes_t<R>& iter) {
    return where_ref<device_expr_t<C, R>, device_expr_t<A, R>, device_expr_t<B, R>>{
        make_device_expr<R>(n.cond(), iter), make_device_expr<R>(n.if_true(), iter), make_device_expr<R>(n.if_false(), iter)};
  }
};

}  // namespace ctrace::cuda_backend
