// Builds a graph's guard plan from its input specs and its nodes, and checks
// it on a call (see guards.hpp for what the guards are).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "ctrace/core/type_list.hpp"
#include "ctrace/graph/dag.hpp"
#include "ctrace/graph/guards.hpp"

namespace ctrace {

namespace detail {

// A plain function, not a lambda in the class below: a lambda there is a
// symbol named after every node of the graph (slow to mangle, see dag.hpp).
constexpr std::size_t total_relations(const relation_list* const* lists, std::size_t n) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += static_cast<std::size_t>(lists[i]->count);
  return total;
}

template <class Nodes>
struct relation_capacity;
// Loops over arrays rather than fold expressions over the nodes: clang
// nests a fold's operands, and stops at 256 brackets (a graph of 256 nodes).
template <class... N>
struct relation_capacity<type_list<N...>> {
  static constexpr std::array<const relation_list*, sizeof...(N)> lists{&node_relations<typename N::node_type>::value...};
  static constexpr std::size_t value = total_relations(lists.data(), lists.size());
  template <class F>
  static constexpr void each(F&& f) {
    for (const relation_list* l : lists) f(*l);
  }
};

template <class Shapes>
struct input_shapes;
template <class... S>
struct input_shapes<type_list<S...>> {
  static constexpr std::size_t dims = (std::size_t{0} + ... + static_cast<std::size_t>(S::rank));
  template <class F>
  static constexpr void each(F&& f) {
    int k = 0;
    (f(k++, S::extents), ...);
  }
};

}  // namespace detail

template <class InputShapes, class Nodes>
struct graph_guards {
  using inputs = detail::input_shapes<InputShapes>;
  using relations = detail::relation_capacity<Nodes>;
  using plan_type = guard_plan<inputs::dims, relations::value>;

  static constexpr plan_type build() {
    plan_type p{};
    // Symbols in the order inputs name them.
    inputs::each([&](int, const auto& extents) {
      for (const extent& e : extents) {
        if (e.is_dynamic()) continue;
        for (int t = 0; t < e.term_count; ++t) {
          for (int s = 0; s < e.terms[t].count; ++s) {
            if (p.find(e.terms[t].symbols[s]) < 0) p.symbols[p.symbol_count++] = e.terms[t].symbols[s];
          }
        }
      }
    });
    // Binders first (the first c*S dim of each symbol), then checks.
    bool bound[max_graph_symbols]{};
    inputs::each([&](int k, const auto& extents) {
      for (int d = 0; d < static_cast<int>(extents.size()); ++d) {
        const extent& e = extents[d];
        if (!e.is_symbolic() || e.term_count != 1 || e.terms[0].count != 1) continue;
        const int s = p.find(e.terms[0].symbols[0]);
        if (bound[s]) continue;
        bound[s] = true;
        input_dim_guard g{};
        g.input = k;
        g.dim = d;
        g.declared = e;
        g.binds = s;
        g.coef = e.terms[0].coef;
        p.dims[p.dim_count++] = g;
      }
    });
    for (int s = 0; s < p.symbol_count; ++s) p.complete = p.complete && bound[s];
    inputs::each([&](int k, const auto& extents) {
      for (int d = 0; d < static_cast<int>(extents.size()); ++d) {
        const extent& e = extents[d];
        if (!e.is_symbolic()) continue;
        bool is_binder = false;
        for (int i = 0; i < p.dim_count; ++i) is_binder = is_binder || (p.dims[i].input == k && p.dims[i].dim == d);
        if (is_binder) continue;
        input_dim_guard g{};
        g.input = k;
        g.dim = d;
        g.declared = e;
        p.index(e, g.expected);
        p.dims[p.dim_count++] = g;
      }
    });
    // Relations from the nodes, each once; those over unbound symbols are
    // left to the op's own run-time check.
    relations::each([&](const relation_list& l) {
      for (int i = 0; i < l.count; ++i) {
        bool seen = false;
        for (int j = 0; j < p.relation_count; ++j) seen = seen || p.relations[j].relation == l.items[i];
        if (seen) continue;
        compiled_relation c{};
        c.relation = l.items[i];
        if (p.index(c.relation.lhs, c.lhs) && p.index(c.relation.rhs, c.rhs)) p.relations[p.relation_count++] = c;
      }
    });
    return p;
  }
  static constexpr plan_type plan = build();
  static_assert(plan.complete,
                "ctrace: trace(): a symbol of the input specs appears in no input dim of the form c*S, so no call "
                "can bind it (declare some input dim as the symbol itself)");

  // Checks a call; sizes[k] are the k-th input's sizes. Throws guard_error.
  static void check(const index_t* const* sizes, const std::vector<std::string>& names) {
    index_t values[max_graph_symbols > 0 ? max_graph_symbols : 1];
    for (int i = 0; i < plan.dim_count; ++i) {
      const input_dim_guard& g = plan.dims[i];
      const index_t size = sizes[g.input][g.dim];
      if (g.binds >= 0) {
        if (size % g.coef != 0) fail_binder(g, size, names);
        values[g.binds] = size / g.coef;
      } else if (g.expected.evaluate(values) != size) {
        fail_check(g, size, values, names);
      }
    }
    for (int i = 0; i < plan.relation_count; ++i) {
      const compiled_relation& r = plan.relations[i];
      const index_t a = r.lhs.evaluate(values), b = r.rhs.evaluate(values);
      if (a == b || (r.relation.lhs_may_be_one && a == 1) || (r.relation.rhs_may_be_one && b == 1)) continue;
      fail_relation(r.relation, a, b, values);
    }
  }

  // The guards as text lines (symbols first), for the printout.
  static std::vector<std::string> lines(const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (int i = 0; i < plan.dim_count; ++i) {
      const input_dim_guard& g = plan.dims[i];
      const std::string size = names[static_cast<std::size_t>(g.input)] + ".size(" + std::to_string(g.dim) + ")";
      if (g.binds >= 0) {
        out.push_back(std::string(plan.symbols[g.binds].view()) + " = " + size +
                      (g.coef != 1 ? " / " + std::to_string(g.coef) : ""));
      } else {
        out.push_back(size + " == " + to_string(g.declared));
      }
    }
    for (int i = 0; i < plan.relation_count; ++i) out.push_back(relation_text(plan.relations[i].relation));
    return out;
  }

 private:
  static std::string relation_text(const guard_relation& r) {
    std::string s = to_string(r.lhs) + " == " + to_string(r.rhs);
    if (r.lhs_may_be_one) s += " or " + to_string(r.lhs) + " == 1";
    if (r.rhs_may_be_one) s += " or " + to_string(r.rhs) + " == 1";
    if (r.dim < 0) return s + " (" + std::string(r.op) + ", element count)";
    return s + " (" + std::string(r.op) + ", dim " + std::to_string(r.dim) + ")";
  }
  static std::string bindings_text(const index_t* values) {
    std::string s;
    for (int i = 0; i < plan.symbol_count; ++i) {
      if (i) s += ", ";
      s += std::string(plan.symbols[i].view()) + " = " + std::to_string(values[i]);
    }
    return s;
  }
  [[noreturn]] static void fail_binder(const input_dim_guard& g, index_t size, const std::vector<std::string>& names) {
    detail::raise<guard_error>("guard failed: ", names[static_cast<std::size_t>(g.input)], ".size(", g.dim,
                               ") == ", to_string(g.declared), ": the size is ", size, ", not a multiple of ", g.coef,
                               " (symbol ", plan.symbols[g.binds].view(), ")");
  }
  [[noreturn]] static void fail_check(const input_dim_guard& g, index_t size, const index_t* values,
                                      const std::vector<std::string>& names) {
    detail::raise<guard_error>("guard failed: ", names[static_cast<std::size_t>(g.input)], ".size(", g.dim,
                               ") == ", to_string(g.declared), ": the size is ", size, " but ",
                               to_string(g.declared), " = ", g.expected.evaluate(values), " (", bindings_text(values),
                               ")");
  }
  [[noreturn]] static void fail_relation(const guard_relation& r, index_t a, index_t b, const index_t* values) {
    detail::raise<guard_error>("guard failed: ", relation_text(r), ": ", to_string(r.lhs), " = ", a, ", ",
                               to_string(r.rhs), " = ", b, " (", bindings_text(values), ")");
  }
};

}  // namespace ctrace
