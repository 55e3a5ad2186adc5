// CPU evaluation of in-place ops made functional: an update reads as its
// value (broadcast to the target's shape); a scatter copies its base and
// writes the source through the view; index_put copies its base and writes
// rows chosen by an index (all indices checked before anything is written).
#pragma once

#include "ctrace/backend/cpu/assign.hpp"
#include "ctrace/backend/cpu/evaluator.hpp"
#include "ctrace/backend/cpu/indexing.hpp"
#include "ctrace/backend/cpu/materialize.hpp"
#include "ctrace/expr/update.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cpu_backend {

template <int I, int V, class X, class S, int R>
struct evaluator<update_node<I, V, X, S>, R> : evaluator<X, R> {
  evaluator(const update_node<I, V, X, S>& node, const sizes_t<R>& iter) : evaluator<X, R>(node.value(), iter) {}
};

namespace detail {
// dest as a tensor of the node's shape type (not owning: the caller owns dest).
template <class Node, class T, int R>
auto dest_tensor(const strided_view<T, R>& dest) {
  return tensor<T, typename Node::shape_type, cpu>(ctrace::detail::unchecked_tag{}, nullptr, dest.data, dest.sizes,
                                                    dest.strides);
}
}  // namespace detail

template <class Op, class X, class V>
struct root_kernel<scatter_node<Op, X, V>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const scatter_node<Op, X, V>& node) {
    exec::backend<cpu>::assign(dest, node.base());
    auto out = detail::dest_tensor<scatter_node<Op, X, V>>(dest);
    auto view = node.op.apply(out);
    view.assign(node.source());
  }
};

template <class X, class I, class V>
struct root_kernel<index_put_node<X, I, V>> {
  static constexpr bool exists = true;
  template <class T, int R>
  static void run(const strided_view<T, R>& dest, const index_put_node<X, I, V>& node) {
    const auto index = as_tensor(node.index());
    const auto values = as_tensor(node.source());
    const auto iv = index.strided();
    const index_t rows = iv.sizes[0];
    detail::check_indices("index_put_", iv, dest.sizes[0], 0);
    constexpr int value_rank = V::shape_type::rank;
    if constexpr (value_rank == R) {
      if (values.size(0) != rows && values.size(0) != 1) {
        ctrace::detail::raise("index_put_: ", rows, " indices but ", values.size(0), " rows of values");
      }
    }
    exec::backend<cpu>::assign(dest, node.base());
    auto out = detail::dest_tensor<index_put_node<X, I, V>>(dest);
    for (index_t j = 0; j < rows; ++j) {
      auto row = out.template select<0>(static_cast<index_t>(iv.data[j * iv.strides[0]]));
      if constexpr (value_rank == R) {
        row.assign(values.template select<0>(values.size(0) == 1 ? 0 : j));
      } else {
        row.assign(values);
      }
    }
  }
};

}  // namespace ctrace::cpu_backend
