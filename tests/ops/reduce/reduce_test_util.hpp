// Shared by the reduction tests: inputs with known values, and macros that
// check a reduction over every kind of axis set against reference.hpp.
#pragma once

#include "test_util.hpp"

#include <ctrace/api/reduce.hpp>
#include <ctrace/backend/cpu/reduce.hpp>

#include <cstdint>
#include <vector>

#include "reference.hpp"

namespace reduce_testing {

// A tensor whose row-major element i is f(i).
template <class T, auto... Dims>
ctrace::Tensor<T, Dims...> filled(double (*f)(ctrace::index_t)) {
  ctrace::Tensor<T, Dims...> t;
  for (ctrace::index_t i = 0; i < t.numel(); ++i) t.data()[i] = ctrace::convert<T>(f(i));
  return t;
}

// Values with repeats (ties for argmax) and both signs.
inline double mixed(ctrace::index_t i) { return static_cast<double>((i * 7) % 11) - 5.0 + 0.25 * static_cast<double>(i % 3); }
inline double positive(ctrace::index_t i) { return 0.5 + 0.01 * static_cast<double>((i * 13) % 17); }

template <class X>
auto materialized(const X& x) {
  if constexpr (ctrace::tensor_type<X>) return x;
  else return x.eval();
}

template <class X>
std::vector<std::int64_t> sizes_of(const X& x) {
  const auto s = x.sizes();
  return {s.begin(), s.end()};
}

}  // namespace reduce_testing

// Every axis set of a rank-3 operand: inner, outer, middle, two, negative, all,
// and keepdim (same values, row-major).
#define CHECK_ALL_AXIS_SETS(fn, reference, x, tol)                                          \
  do {                                                                                      \
    const auto xs = to_vector(materialized(x));                                             \
    const auto sz = sizes_of(x);                                                            \
    check_close(fn<2>(x).eval(), ref::reduce(xs, sz, {2}, reference), tol);                 \
    check_close(fn<0>(x).eval(), ref::reduce(xs, sz, {0}, reference), tol);                 \
    check_close(fn<1>(x).eval(), ref::reduce(xs, sz, {1}, reference), tol);                 \
    check_close(fn<0, 2>(x).eval(), ref::reduce(xs, sz, {0, 2}, reference), tol);           \
    check_close(fn<-1, -2>(x).eval(), ref::reduce(xs, sz, {1, 2}, reference), tol);         \
    check_close(fn<0, 1>(x).eval(), ref::reduce(xs, sz, {0, 1}, reference), tol);           \
    check_close(fn(x).eval(), ref::reduce(xs, sz, {}, reference), tol);                     \
    check_close(fn<1>(x, keepdim).eval(), ref::reduce(xs, sz, {1}, reference), tol);        \
    check_close(fn<0, 2>(x, keepdim).eval(), ref::reduce(xs, sz, {0, 2}, reference), tol);  \
  } while (0)

// argmax/argmin: each single axis, keepdim, and the flat index over all.
#define CHECK_ARG_AXES(fn, reference, x)                                                    \
  do {                                                                                      \
    const auto xs = to_vector(materialized(x));                                             \
    const auto sz = sizes_of(x);                                                            \
    check_close(fn<2>(x).eval(), ref::reduce(xs, sz, {2}, reference), 0);                   \
    check_close(fn<0>(x).eval(), ref::reduce(xs, sz, {0}, reference), 0);                   \
    check_close(fn<1>(x).eval(), ref::reduce(xs, sz, {1}, reference), 0);                   \
    check_close(fn<-2>(x, keepdim).eval(), ref::reduce(xs, sz, {1}, reference), 0);         \
    check_close(fn(x).eval(), ref::reduce(xs, sz, {}, reference), 0);                       \
  } while (0)

// The reductions whose running state differs (sum, max, argmax, var).
#define CHECK_EACH_STATE_KIND(...)                                                          \
  do {                                                                                      \
    const auto kind_operand = __VA_ARGS__;                                                  \
    CHECK_ALL_AXIS_SETS(sum, ref::sum, kind_operand, 1e-6);                                 \
    CHECK_ALL_AXIS_SETS(max, ref::max, kind_operand, 0);                                    \
    CHECK_ALL_AXIS_SETS(var, ref::var_with(1), kind_operand, 1e-5);                         \
    CHECK_ARG_AXES(argmax, ref::argmax, kind_operand);                                      \
  } while (0)

// All nine reductions.
#define CHECK_EVERY_REDUCTION(...)                                                          \
  do {                                                                                      \
    const auto every_operand = __VA_ARGS__;                                                 \
    CHECK_EACH_STATE_KIND(every_operand);                                                   \
    CHECK_ALL_AXIS_SETS(mean, ref::mean, every_operand, 1e-6);                              \
    CHECK_ALL_AXIS_SETS(prod, ref::prod, every_operand, 1e-5);                              \
    CHECK_ALL_AXIS_SETS(min, ref::min, every_operand, 0);                                   \
    CHECK_ALL_AXIS_SETS(ctrace::std, ref::std_with(1), every_operand, 1e-5);                \
    CHECK_ARG_AXES(argmin, ref::argmin, every_operand);                                     \
  } while (0)
