// CPU evaluators. evaluator<Node, R> reads a node over an R-dim iteration space
// (the destination's sizes; operands broadcast into it). Elementwise evaluators
// hand out `row` objects: a row is one run of the innermost dim, read with
// coeff(j) or packet(j). All per-thread state lives in rows, so one evaluator
// serves every thread. Nodes that cannot be read elementwise (reductions,
// matmul, ...) have a root_kernel that writes them into memory; as operands
// they are materialized once and then read like tensors.
#pragma once

#include <type_traits>

#include "ctrace/backend/cpu/fused.hpp"
#include "ctrace/backend/cpu/packet_math.hpp"
#include "ctrace/exec/memo.hpp"
#include "ctrace/expr/binary.hpp"
#include "ctrace/expr/cast.hpp"
#include "ctrace/expr/input.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/expr/literal.hpp"
#include "ctrace/expr/unary.hpp"
#include "ctrace/expr/where.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cpu_backend {

template <class Node, int R>
struct evaluator;  // specialized for each node kind

// Writes a node whose sizes equal dest's into dest. Specialized by nodes that
// are computed as a whole (reductions, matmul, softmax, ...).
template <class Node>
struct root_kernel {
  static constexpr bool exists = false;
};

template <class Node>
inline constexpr bool has_root_kernel = root_kernel<Node>::exists;

// Strides of one operand in iteration coordinates. The loop driver merges
// dims through these before it runs.
// Capacity is the number of reads the loop's program makes (known from its
// type) plus the destination.
template <int R, int Capacity>
struct stride_visitor {
  sizes_t<R>* sets[Capacity];
  int count = 0;
  void operator()(sizes_t<R>& strides) {
    if (count == Capacity) detail::raise("internal: a loop visits more operands than its program declares");
    sets[count++] = &strides;
  }
};

// Strides of an operand of rank r broadcast into an R-dim space: dims align
// right; missing or size-1 dims read with stride 0.
template <int R, int r>
sizes_t<R> broadcast_strides(const sizes_t<r>& sizes, const sizes_t<r>& strides, const sizes_t<R>& iter) {
  sizes_t<R> out{};
  for (int i = 0; i < R; ++i) {
    int k = i - (R - r);
    out[i] = (k < 0 || (sizes[k] == 1 && iter[i] != 1)) ? 0 : strides[k];
  }
  return out;
}

// ---- reading memory ----------------------------------------------------------

template <class T, int R>
struct strided_reader {
  static constexpr bool vectorizable = has_packets<T>;
  static constexpr int leaf_count = 1;
  const T* data;
  sizes_t<R> strides;

  template <int r>
  strided_reader(const strided_view<T, r>& v, const sizes_t<R>& iter)
      : data(v.data), strides(broadcast_strides<R, r>(v.sizes, v.strides, iter)) {}

  template <class V>
  void visit_strides(V& v) {
    v(strides);
  }

  template <bool Contiguous>
  struct row {
    const T* p;
    index_t s;
    T coeff(index_t j) const { return p[j * s]; }
    auto packet(index_t j) const {
      using P = packet_t<T>;
      if constexpr (Contiguous) {
        return ei::ploadu<P>(p + j);
      } else {
        if (s == 1) return ei::ploadu<P>(p + j);
        if (s == 0) return ei::pset1<P>(*p);
        alignas(64) T lanes[packet_size<T>];
        for (int k = 0; k < packet_size<T>; ++k) lanes[k] = p[(j + k) * s];
        return ei::pload<P>(lanes);
      }
    }
  };
  template <bool Contiguous>
  row<Contiguous> make_row(const index_t* outer) const {
    const T* p = data;
    for (int d = 0; d < R - 1; ++d) p += outer[d] * strides[d];
    return {p, strides[R - 1]};
  }
};

template <class T, class S, class D, int R>
struct evaluator<tensor_leaf<T, S, D>, R> : strided_reader<T, R> {
  evaluator(const tensor_leaf<T, S, D>& leaf, const sizes_t<R>& iter)
      : strided_reader<T, R>(leaf.value.strided(), iter) {}
};

template <int I, class T, class S, class D, int R>
struct evaluator<input_node<I, T, S, D>, R> : strided_reader<T, R> {
  evaluator(const input_node<I, T, S, D>& in, const sizes_t<R>& iter) : strided_reader<T, R>(in.value.view, iter) {}
};

template <class T, int R>
struct evaluator<scalar_leaf<T>, R> {
  static constexpr bool vectorizable = has_packets<T>;
  static constexpr int leaf_count = 0;
  T value;
  evaluator(const scalar_leaf<T>& leaf, const sizes_t<R>&) : value(leaf.value) {}
  template <class V>
  void visit_strides(V&) {}
  template <bool Contiguous>
  struct row {
    T value;
    T coeff(index_t) const { return value; }
    auto packet(index_t) const { return ei::pset1<packet_t<T>>(value); }
  };
  template <bool Contiguous>
  row<Contiguous> make_row(const index_t*) const {
    return {value};
  }
};

template <literal_value V, class T, int R>
struct evaluator<literal_node<V, T>, R> : evaluator<scalar_leaf<T>, R> {
  evaluator(const literal_node<V, T>&, const sizes_t<R>& iter)
      : evaluator<scalar_leaf<T>, R>(scalar_leaf<T>{{}, literal_node<V, T>::value_of()}, iter) {}
};

// A node computed as a whole into a temporary, then read like a tensor.
template <class Node, int R>
  requires has_root_kernel<Node>
struct evaluator<Node, R> : strided_reader<typename Node::value_type, R> {
  using V = typename Node::value_type;
  using S = typename Node::shape_type;
  tensor<V, S, cpu> storage;
  evaluator(const Node& node, const sizes_t<R>& iter) : evaluator(materialize(node), iter) {}

 private:
  static tensor<V, S, cpu> materialize(const Node& node) {
    return exec::materialize_once<Node, tensor<V, S, cpu>>([&] {
      auto t = tensor<V, S, cpu>::uninitialized(node.sizes());
      root_kernel<Node>::run(t.strided(), node);
      return t;
    });
  }
  evaluator(tensor<V, S, cpu> t, const sizes_t<R>& iter)
      : strided_reader<V, R>(t.strided(), iter), storage(std::move(t)) {}
};

// ---- elementwise ops: one straight-line program per fused subtree ----------

template <class Node, int R>
  requires is_fusable_v<Node>
struct evaluator<Node, R> : fused_evaluator<Node, R> {
  using fused_evaluator<Node, R>::fused_evaluator;
};

}  // namespace ctrace::cpu_backend

#include "ctrace/expr/generator.hpp"

namespace ctrace::cpu_backend {

// A generator is read like a tensor whose "address" is its row-major index:
// its own contiguous strides, broadcast into the iteration space.
template <class Gen, class S, int R>
struct evaluator<generator_node<Gen, S>, R> {
  using T = typename Gen::value_type;
  static constexpr bool vectorizable = false;
  static constexpr int leaf_count = 1;
  Gen gen;
  sizes_t<R> strides;
  evaluator(const generator_node<Gen, S>& n, const sizes_t<R>& iter)
      : gen(n.gen),
        strides(broadcast_strides<R, S::rank>(n.sizes(), contiguous_strides<S::rank>(n.sizes()), iter)) {}
  template <class V>
  void visit_strides(V& v) {
    v(strides);
  }
  template <bool Contiguous>
  struct row {
    Gen gen;
    index_t base, s;
    T coeff(index_t j) const { return gen(base + j * s); }
    T packet(index_t j) const { return coeff(j); }
  };
  template <bool Contiguous>
  row<Contiguous> make_row(const index_t* outer) const {
    index_t base = 0;
    for (int d = 0; d < R - 1; ++d) base += outer[d] * strides[d];
    return {gen, base, strides[R - 1]};
  }
};

}  // namespace ctrace::cpu_backend
