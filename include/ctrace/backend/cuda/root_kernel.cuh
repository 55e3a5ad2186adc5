// Nodes the CUDA backend computes as a whole with kernels of their own
// (reductions, softmax, layer_norm, matmul, ...), rather than inside a fused
// elementwise kernel: specialize
//   template <> struct root_kernel<my_node<...>> {
//     static constexpr bool exists = true;
//     template <class T, int R> static void run(const strided_view<T, R>& dest, const my_node<...>& n);
//   };
// run writes the node's value into dest (device memory, dest's sizes are the
// node's), queued on current_stream(). As the root of an assignment the node
// runs straight into the destination; as an operand of an elementwise
// expression it is first computed into a temporary, which the expression's
// kernel then reads (the temporary goes back to the stream-ordered cache after
// the launch, so its reuse waits for the kernel on the same stream).
#pragma once

#include <memory>
#include <vector>

#include "ctrace/backend/cuda/device_expr.cuh"
#include "ctrace/exec/memo.hpp"
#include "ctrace/tensor/tensor.hpp"

namespace ctrace::cuda_backend {

template <class Node>
struct root_kernel {
  static constexpr bool exists = false;
};
template <class Node>
inline constexpr bool has_root_kernel = root_kernel<Node>::exists;

// Temporaries read by the kernel being prepared on this thread; released by
// the outermost assignment once its kernel is queued.
inline std::vector<std::shared_ptr<void>>& pending_temporaries() {
  thread_local std::vector<std::shared_ptr<void>> held;
  return held;
}

// A node with its own kernel, read by an elementwise expression: computed
// into a temporary (once per graph call when its subtree is value-free:
// exec/memo.hpp), then read like a tensor.
template <class Node, int R>
  requires has_root_kernel<Node>
struct device_expr<Node, R> {
  static auto make(const Node& n, const sizes_t<R>& iter) {
    using T = typename Node::value_type;
    using S = typename Node::shape_type;
    auto t = exec::materialize_once<Node, tensor<T, S, cuda>>([&] {
      auto value = tensor<T, S, cuda>::uninitialized(n.sizes());
      root_kernel<Node>::run(value.strided(), n);
      return value;
    });
    pending_temporaries().push_back(t.owner());
    return device_expr<tensor<T, S, cuda>, R>::make(t, iter);
  }
};

}  // namespace ctrace::cuda_backend
