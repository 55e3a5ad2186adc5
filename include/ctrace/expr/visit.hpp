// Walks a node's tree: every node has a `children` tuple (leaves have none).
#pragma once

#include <tuple>
#include <utility>
#include <type_traits>

#include "ctrace/expr/children.hpp"
#include "ctrace/expr/leaf.hpp"
#include "ctrace/tensor/view.hpp"

namespace ctrace {

// Calls f(leaf) for every tensor leaf under node.
template <class Node, class F>
void for_each_tensor_leaf(const Node& node, F&& f) {
  if constexpr (requires { node.value.owner(); }) {
    f(node);
  } else if constexpr (has_children<Node>) {
    apply_children([&](const auto&... c) { (for_each_tensor_leaf(c, f), ...); }, children_of(node));
  }
}

// The byte range [first, last] a strided view can touch.
template <class T, int R>
std::pair<const char*, const char*> memory_span(const strided_view<T, R>& v) {
  const char* base = reinterpret_cast<const char*>(v.data);
  std::ptrdiff_t lo = 0, hi = 0;
  for (int i = 0; i < R; ++i) {
    if (v.sizes[i] == 0) return {base, base};
    const std::ptrdiff_t reach = static_cast<std::ptrdiff_t>((v.sizes[i] - 1) * v.strides[i]);
    (reach < 0 ? lo : hi) += reach;
  }
  return {base + lo * static_cast<std::ptrdiff_t>(sizeof(T)), base + hi * static_cast<std::ptrdiff_t>(sizeof(T)) + sizeof(T) - 1};
}

// True when evaluating node may read memory that `dest` covers (conservative:
// overlapping address ranges), so writing dest while reading would be unsafe.
template <class Node, class T, int R>
bool reads_memory(const Node& node, const strided_view<T, R>& dest) {
  const auto d = memory_span(dest);
  bool found = false;
  for_each_tensor_leaf(node, [&](const auto& leaf) {
    const auto s = memory_span(leaf.value.strided());
    found = found || (s.first <= d.second && d.first <= s.second);
  });
  return found;
}

}  // namespace ctrace
