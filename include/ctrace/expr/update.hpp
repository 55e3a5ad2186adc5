// In-place ops as values (functionalization). An in-place op inside a
// captured function does not write: it gives the next *version* of its target,
//   update_node<Input, Version, Value, Shape>
// the value of graph input `Input` after its Version-th update, computed as
// Value broadcast to the input's shape. Later ops read the new version; the
// graph writes the last version of each input back to the caller's tensor
// after the call (and marks it in the IR). Input is -1 for a temporary, which
// nobody outside sees.
//
// Writes into part of a tensor (x[:, 2] = v, index_put_) become
//   scatter_node<MoveOp, X, V>: X with the view MoveOp(X) replaced by V,
//   index_put_node<X, I, V>: X with rows I (along dim 0) replaced by V,
// which the update then makes the new version.
#pragma once

#include <string>
#include <string_view>
#include <tuple>

#include "ctrace/expr/input.hpp"
#include "ctrace/expr/node.hpp"

namespace ctrace {

template <int Input, int Version, class Value, class Shape>
struct update_node : node_base<update_node<Input, Version, Value, Shape>> {
  using value_type = typename Value::value_type;
  using shape_type = Shape;
  using device_type = typename Value::device_type;
  using children_type = node_children<Value>;
  static constexpr std::string_view name = "update";
  static constexpr promotion_priority priority = priority_of<update_node>;
  static constexpr int input = Input;
  static constexpr int version = Version;

  children_type children;
  sizes_t<Shape::rank> result_sizes;

  const Value& value() const { return children.c0; }
  const sizes_t<Shape::rank>& sizes() const { return result_sizes; }
};

template <class T>
inline constexpr bool is_update_node_v = false;
template <int I, int V, class X, class S>
inline constexpr bool is_update_node_v<update_node<I, V, X, S>> = true;

// Which graph input a value is a version of (-1: none) and which version.
template <class Node>
struct version_of {
  static constexpr int input = -1;
  static constexpr int version = 0;
};
template <int I, class T, class S, class D>
struct version_of<input_node<I, T, S, D>> {
  static constexpr int input = I;
  static constexpr int version = 0;
};
template <int I, int V, class X, class S>
struct version_of<update_node<I, V, X, S>> {
  static constexpr int input = I;
  static constexpr int version = V;
};

template <class MoveOp, class X, class V>
struct scatter_node : node_base<scatter_node<MoveOp, X, V>> {
  using value_type = typename X::value_type;
  using shape_type = typename X::shape_type;
  using device_type = common_device_t<typename X::device_type, typename V::device_type>;
  using children_type = node_children<X, V>;
  static constexpr std::string_view name = "scatter";
  static constexpr promotion_priority priority = priority_of<scatter_node>;

  children_type children;
  MoveOp op;  // the view written through

  const X& base() const { return children.c0; }
  const V& source() const { return children.c1; }
  auto sizes() const { return base().sizes(); }  // by value: a base may compute its sizes
  std::string attributes() const {
    const std::string a = op.attributes();
    return std::string("view=") + std::string(MoveOp::name) + (a.empty() ? "" : ", " + a);
  }
};

template <class X, class I, class V>
struct index_put_node : node_base<index_put_node<X, I, V>> {
  using value_type = typename X::value_type;
  using shape_type = typename X::shape_type;
  using device_type = common_device_t<typename X::device_type, typename I::device_type, typename V::device_type>;
  using children_type = node_children<X, I, V>;
  static constexpr std::string_view name = "index_put";
  static constexpr promotion_priority priority = priority_of<index_put_node>;

  children_type children;

  const X& base() const { return children.c0; }
  const I& index() const { return children.c1; }
  const V& source() const { return children.c2; }
  auto sizes() const { return base().sizes(); }  // by value, as scatter_node
};

}  // namespace ctrace
