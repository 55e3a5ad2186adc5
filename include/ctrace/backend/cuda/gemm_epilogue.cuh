// The GEMM epilogue: the elementwise consumers of a matrix product, applied
// to each element of the product's tile in registers before the one store.
// When the root of an assignment is an elementwise tree (unary, binary, cast,
// where) with exactly one matmul_node in it, e.g. gelu_tanh(matmul(x, w) + b),
// the tree becomes a device tree (device_expr.cuh) in which the matmul is a
// placeholder, product_ref, that yields the product's value; every other
// operand (bias, residual) is read by its own tensor_ref with broadcasting
// strides, at the element's coordinates in the output.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/expr/matmul.hpp"

namespace ctrace::cuda_backend {

// ---- which trees fuse into a GEMM --------------------------------------------

// Matmul nodes in an elementwise tree (nodes of other kinds count as leaves:
// they are computed on their own and read like tensors).
template <class Node>
struct matmul_count : std::integral_constant<int, 0> {};
template <class A, class B>
struct matmul_count<matmul_node<A, B>> : std::integral_constant<int, 1> {};
template <class Op, class A>
struct matmul_count<unary_node<Op, A>> : matmul_count<A> {};
template <class To, class A>
struct matmul_count<cast_node<To, A>> : matmul_count<A> {};
template <class Op, class A, class B>
struct matmul_count<binary_node<Op, A, B>> : std::integral_constant<int, matmul_count<A>::value + matmul_count<B>::value> {};
template <class C, class A, class B>
struct matmul_count<where_node<C, A, B>>
    : std::integral_constant<int, matmul_count<C>::value + matmul_count<A>::value + matmul_count<B>::value> {};

template <class Node>
inline constexpr bool is_elementwise_interior = false;
template <class Op, class A>
inline constexpr bool is_elementwise_interior<unary_node<Op, A>> = true;
template <class To, class A>
inline constexpr bool is_elementwise_interior<cast_node<To, A>> = true;
template <class Op, class A, class B>
inline constexpr bool is_elementwise_interior<binary_node<Op, A, B>> = true;
template <class C, class A, class B>
inline constexpr bool is_elementwise_interior<where_node<C, A, B>> = true;

template <class Node>
inline constexpr bool is_matmul_node = false;
template <class A, class B>
inline constexpr bool is_matmul_node<matmul_node<A, B>> = true;

// An elementwise tree whose value the GEMM can produce in its epilogue: one
// matmul inside, consumed elementwise. (Two products in one tree would need two
// accumulators; such trees compute their products into temporaries instead.)
template <class Node>
concept gemm_epilogue_tree = is_elementwise_interior<Node> && matmul_count<Node>::value == 1;

// The matmul node inside such a tree.
template <class Node>
const auto& find_matmul(const Node& n) {
  if constexpr (is_matmul_node<Node>) {
    return n;
  } else if constexpr (requires { n.arg(); }) {
    return find_matmul(n.arg());
  } else if constexpr (requires { n.cond(); }) {
    if constexpr (matmul_count<std::remove_cvref_t<decltype(n.cond())>>::value == 1) return find_matmul(n.cond());
    else if constexpr (matmul_count<std::remove_cvref_t<decltype(n.if_true())>>::value == 1) return find_matmul(n.if_true());
    else return find_matmul(n.if_false());
  } else {
    if constexpr (matmul_count<std::remove_cvref_t<decltype(n.lhs())>>::value == 1) return find_matmul(n.lhs());
    else return find_matmul(n.rhs());
  }
}

// ---- the placeholder and the epilogue's position --------------------------------

// One element of the product in the epilogue: its coordinates in the output
// space (R dims, for the other operands' tensor_refs) and the product's value.
template <int R, class P>
struct epilogue_pos : strided_pos<R> {
  P product;
};

// The matmul's place in the device tree: its value is the accumulator.
template <class P, int R>
struct product_ref {
  using value_type = P;
  static constexpr std::size_t smallest_element = no_tensor_read;
  template <int V, bool Streaming>
  CTRACE_DEVICE CTRACE_INLINE vec<P, 1> eval(const epilogue_pos<R, P>& p) const {
    static_assert(V == 1, "ctrace: a GEMM epilogue evaluates one element at a time");
    return {{p.product}};
  }
  template <class F>
  void for_each_tensor(F&) {}
};

// The device tree of `node` with its matmul replaced by product_ref.
template <int R, class Node>
auto make_epilogue_tree(const Node& n, const sizes_t<R>& iter) {
  if constexpr (is_matmul_node<Node>) {
    return product_ref<typename Node::value_type, R>{};
  } else if constexpr (matmul_count<Node>::value == 0) {
    return make_device_expr<R>(n, iter);
  } else if constexpr (requires { n.cond(); }) {
    using C = decltype(make_epilogue_tree<R>(n.cond(), iter));
    using A = decltype(make_epilogue_tree<R>(n.if_true(), iter));
    using B = decltype(make_epilogue_tree<R>(n.if_false(), iter));
    return where_ref<C, A, B>{make_epilogue_tree<R>(n.cond(), iter), make_epilogue_tree<R>(n.if_true(), iter),
                              make_epilogue_tree<R>(n.if_false(), iter)};
  } else if constexpr (requires { n.lhs(); }) {
    using A = decltype(make_epilogue_tree<R>(n.lhs(), iter));
    using B = decltype(make_epilogue_tree<R>(n.rhs(), iter));
    return binary_ref<decltype(n.op), typename Node::value_type, A, B>{make_epilogue_tree<R>(n.lhs(), iter),
                                                                        make_epilogue_tree<R>(n.rhs(), iter), n.op};
  } else if constexpr (requires { n.op; }) {
    using A = decltype(make_epilogue_tree<R>(n.arg(), iter));
    return unary_ref<decltype(n.op), typename Node::value_type, A>{make_epilogue_tree<R>(n.arg(), iter), n.op};
  } else {
    using A = decltype(make_epilogue_tree<R>(n.arg(), iter));
    return cast_ref<typename Node::value_type, A>{make_epilogue_tree<R>(n.arg(), iter)};
  }
}

// ---- the epilogue: tree, destination, and where the product's dims land ----------

// Out: the destination's element type; R: its rank. The product has BatchRank
// batch dims, then a row dim (HasM: the lhs is not 1-D) and a column dim (HasN:
// the rhs is not 1-D); the destination's dims before those are of size 1.
template <class Out, int R, int BatchRank, bool HasM, bool HasN, class Tree>
struct gemm_epilogue {
  static constexpr int lead = R - (BatchRank + (HasM ? 1 : 0) + (HasN ? 1 : 0));
  static constexpr int dim_m = lead + BatchRank;
  static constexpr int dim_n = dim_m + (HasM ? 1 : 0);
  static_assert(lead >= 0, "ctrace: the destination of a product has at least the product's dims");
  static constexpr int batch_slots = BatchRank > 0 ? BatchRank : 1;

  Out* out;
  index_t stride_m, stride_n;  // of the destination along the product's rows and columns
  index_t batch_strides[batch_slots];
  Tree tree;

  // Coordinates and output pointer of one batch's matrix.
  struct cursor {
    index_t coord[R > 0 ? R : 1];
    Out* base;
  };

  CTRACE_DEVICE CTRACE_INLINE cursor at_batch(const index_t* batch_coord) const {
    cursor c;
    c.base = out;
#pragma unroll
    for (int d = 0; d < (R > 0 ? R : 1); ++d) c.coord[d] = 0;
#pragma unroll
    for (int d = 0; d < BatchRank; ++d) {
      c.coord[lead + d] = batch_coord[d];
      c.base += batch_coord[d] * batch_strides[d];
    }
    return c;
  }

  template <class P>
  CTRACE_DEVICE CTRACE_INLINE Out value(cursor& c, index_t m, index_t n, P product) const {
    if constexpr (HasM) c.coord[dim_m] = m;
    if constexpr (HasN) c.coord[dim_n] = n;
    using V = typename Tree::value_type;
    const V v = tree.template eval<1, false>(epilogue_pos<(R > 0 ? R : 1), P>{{c.coord}, product}).v[0];
    return convert<Out>(v);
  }

  // Stores W consecutive columns n..n+W-1 of row m (those inside [M, N)),
  // with one vector store when they are contiguous and aligned in memory.
  template <int W, class P>
  CTRACE_DEVICE CTRACE_INLINE void store(cursor& c, index_t m, index_t n, const P (&product)[W], index_t M,
                                         index_t N) const {
    if (m >= M) return;
    Out* p = c.base + (HasM ? m * stride_m : 0) + (HasN ? n * stride_n : 0);
    constexpr int bytes = W * static_cast<int>(sizeof(Out));
    if constexpr (bytes == 4 || bytes == 8 || bytes == 16) {
      if (n + W <= N && (!HasN || stride_n == 1) && reinterpret_cast<std::uintptr_t>(p) % bytes == 0) {
        vec<Out, W> r;
#pragma unroll
        for (int w = 0; w < W; ++w) r.v[w] = value(c, m, n + w, product[w]);
        if constexpr (bytes == 16) {
          uint4 raw;
          std::memcpy(&raw, &r, 16);
          *reinterpret_cast<uint4*>(p) = raw;
        } else if constexpr (bytes == 8) {
          uint2 raw;
          std::memcpy(&raw, &r, 8);
          *reinterpret_cast<uint2*>(p) = raw;
        } else {
          unsigned raw;
          std::memcpy(&raw, &r, 4);
          *reinterpret_cast<unsigned*>(p) = raw;
        }
        return;
      }
    }
#pragma unroll
    for (int w = 0; w < W; ++w) {
      if (n + w < N) p[w * (HasN ? stride_n : 0)] = value(c, m, n + w, product[w]);
    }
  }
};

}  // namespace ctrace::cuda_backend
