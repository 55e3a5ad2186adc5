// CUDA evaluation of the nodes that graphs and gradients put around the
// elementwise ones: movement ops (a view of a tensor costs no copy; of an
// expression, the expression is computed once into a temporary and viewed),
// constant fills (read as one number), in-place updates (their value) and
// custom functions (their forward expression).
#pragma once

#include <type_traits>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/backend/cuda/elementwise.cuh"
#include "ctrace/backend/cuda/root_kernel.cuh"
#include "ctrace/exec/memo.hpp"
#include "ctrace/expr/custom.hpp"
#include "ctrace/expr/generator.hpp"
#include "ctrace/expr/movement.hpp"
#include "ctrace/expr/update.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cuda_backend {

// The operand of a view as a device tensor: a tensor or graph input as it
// is, anything else computed into a temporary held until the launch (once
// per graph call when value-free: exec/memo.hpp).
template <class Node>
auto as_device_tensor(const Node& n) {
  if constexpr (requires { n.value.owner(); }) {
    return tensor<typename Node::value_type, typename Node::shape_type, cuda>(n.value);  // input nodes borrow theirs
  } else {
    using T = typename Node::value_type;
    using S = typename Node::shape_type;
    auto t = exec::materialize_once<Node, tensor<T, S, cuda>>([&] { return tensor<T, S, cuda>(n); });
    pending_temporaries().push_back(t.owner());
    return t;
  }
}

template <class Op, class A, int R>
struct device_expr<movement_node<Op, A>, R> {
  static auto make(const movement_node<Op, A>& n, const sizes_t<R>& iter) {
    auto view = n.op.apply(as_device_tensor(n.arg()));
    if (view.owner()) pending_temporaries().push_back(view.owner());  // a reshape may have copied
    return device_expr<decltype(view), R>::make(view, iter);
  }
};

template <class T, class S, int R>
struct device_expr<generator_node<gen::full<T>, S>, R> {
  static scalar_ref<T> make(const generator_node<gen::full<T>, S>& n, const sizes_t<R>&) { return {n.gen.value}; }
};

// Any other generator (arange, linspace, eye, rand, randn, and so bernoulli
// and dropout): element i of the node is gen(i), i its row-major index in its
// own shape, as on the CPU (the same Philox draws: a graph gives the same
// random values on either device). Read like a tensor whose "offsets" are
// those indices: row-major strides, broadcast dims 0, merged with the other
// operands' dims; it loads nothing (data is null).
template <class Gen, int R>
struct generator_ref {
  using value_type = typename Gen::value_type;
  static constexpr std::size_t smallest_element = no_tensor_read;
  Gen gen;
  index_t strides[R];

  template <int V, bool Streaming>
  CTRACE_DEVICE CTRACE_INLINE vec<value_type, V> eval(linear_pos p) const {
    vec<value_type, V> r;
#pragma unroll
    for (int k = 0; k < V; ++k) r.v[k] = gen((p.i + k) * strides[R - 1]);  // the stride is 0 or 1 here
    return r;
  }
  template <int V, bool Streaming>
  CTRACE_DEVICE CTRACE_INLINE vec<value_type, 1> eval(strided_pos<R> p) const {
    index_t i = 0;
#pragma unroll
    for (int d = 0; d < R; ++d) i += p.coord[d] * strides[d];
    return {{gen(i)}};
  }
  template <class F>
  void for_each_tensor(F& f) {
    f(static_cast<const void*>(nullptr), strides, sizeof(value_type));
  }
};

template <class Gen, class S, int R>
struct device_expr<generator_node<Gen, S>, R> {
  static generator_ref<Gen, R> make(const generator_node<Gen, S>& n, const sizes_t<R>& iter) {
    generator_ref<Gen, R> r{n.gen, {}};
    broadcast_strides<R, S::rank>(n.sizes(), contiguous_strides<S::rank>(n.sizes()), iter, r.strides);
    return r;
  }
};

template <int I, int V, class X, class S, int R>
struct device_expr<update_node<I, V, X, S>, R> {
  static auto make(const update_node<I, V, X, S>& n, const sizes_t<R>& iter) { return make_device_expr<R>(n.value(), iter); }
};

template <class Fn, std::size_t K, class Forward, class... Ins>
struct root_kernel<custom_node<Fn, K, Forward, Ins...>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const custom_node<Fn, K, Forward, Ins...>& n) {
    exec::backend<cuda>::assign(dest, n.value());
  }
};

}  // namespace ctrace::cuda_backend
