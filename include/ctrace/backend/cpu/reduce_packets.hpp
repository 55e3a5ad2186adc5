// Packet (SIMD) forms of the reduction states, from Eigen's packet math: one
// running state per lane, handed back as scalar states (lanes) when a block of
// the input is done, then merged with the scalar rules of reduce_ops.hpp.
#pragma once

#include "ctrace/backend/cpu/packet_math.hpp"
#include "ctrace/expr/ops/reduce_ops.hpp"

namespace ctrace::cpu_backend {

// packet_reduction<Kind, T>: `supported`, and where supported a packet state
// with init(), add(state, packet) and lanes(state, scalar states out).
template <op::reduce_kind Kind, class T>
struct packet_reduction {
  static constexpr bool supported = false;
};

namespace reduce_impl {
// A packet's lanes, in order.
template <class T, class P>
CTRACE_INLINE void store_lanes(const P& p, T* out) {
  alignas(64) T lanes[packet_size<T>];
  ei::pstore(lanes, p);
  for (int k = 0; k < packet_size<T>; ++k) out[k] = lanes[k];
}
}  // namespace reduce_impl

template <class T>
  requires(has_packets<T> && bool(ei::packet_traits<T>::HasAdd))
struct packet_reduction<op::reduce_kind::sum, T> {
  static constexpr bool supported = true;
  using P = packet_t<T>;
  struct state {
    P v;
  };
  static state init() { return {ei::pset1<P>(T(0))}; }
  static void add(state& s, const P& x) { s.v = ei::padd(s.v, x); }
  static void lanes(const state& s, T* out) { reduce_impl::store_lanes(s.v, out); }
};

template <class T>
  requires(has_packets<T> && bool(ei::packet_traits<T>::HasMul))
struct packet_reduction<op::reduce_kind::product, T> {
  static constexpr bool supported = true;
  using P = packet_t<T>;
  struct state {
    P v;
  };
  static state init() { return {ei::pset1<P>(T(1))}; }
  static void add(state& s, const P& x) { s.v = ei::pmul(s.v, x); }
  static void lanes(const state& s, T* out) { reduce_impl::store_lanes(s.v, out); }
};

// NaN propagates lane by lane, as in the scalar rule.
template <class T>
  requires(has_packets<T> && bool(ei::packet_traits<T>::HasMax))
struct packet_reduction<op::reduce_kind::max, T> {
  static constexpr bool supported = true;
  using P = packet_t<T>;
  struct state {
    P v;
  };
  static state init() { return {ei::pset1<P>(op::detail::lowest_value<T>())}; }
  static void add(state& s, const P& x) { s.v = ei::pmax<Eigen::PropagateNaN>(s.v, x); }
  static void lanes(const state& s, T* out) { reduce_impl::store_lanes(s.v, out); }
};

template <class T>
  requires(has_packets<T> && bool(ei::packet_traits<T>::HasMin))
struct packet_reduction<op::reduce_kind::min, T> {
  static constexpr bool supported = true;
  using P = packet_t<T>;
  struct state {
    P v;
  };
  static state init() { return {ei::pset1<P>(op::detail::highest_value<T>())}; }
  static void add(state& s, const P& x) { s.v = ei::pmin<Eigen::PropagateNaN>(s.v, x); }
  static void lanes(const state& s, T* out) { reduce_impl::store_lanes(s.v, out); }
};

// Welford per lane; every lane of one state has seen the same count, so the
// reciprocal is one scalar division per packet.
template <class T>
  requires(has_packets<T> && std::is_floating_point_v<T>)
struct packet_reduction<op::reduce_kind::moments, T> {
  static constexpr bool supported = true;
  using P = packet_t<T>;
  struct state {
    P mean, m2;
    index_t count;
  };
  static state init() { return {ei::pset1<P>(T(0)), ei::pset1<P>(T(0)), 0}; }
  // 1 / (count + 1), for add(state, x, inv) on states that share a count.
  static P inverse_of_next_count(const state& s) { return ei::pset1<P>(T(1) / static_cast<T>(s.count + 1)); }
  static void add(state& s, const P& x) { add(s, x, inverse_of_next_count(s)); }
  static void add(state& s, const P& x, const P& inv) {
    s.count += 1;
    const P d = ei::psub(x, s.mean);
    s.mean = ei::pmadd(d, inv, s.mean);
    s.m2 = ei::pmadd(d, ei::psub(x, s.mean), s.m2);
  }
  static void lanes(const state& s, op::moments_state<T>* out) {
    alignas(64) T mean[packet_size<T>], m2[packet_size<T>];
    ei::pstore(mean, s.mean);
    ei::pstore(m2, s.m2);
    for (int k = 0; k < packet_size<T>; ++k) out[k] = {mean[k], m2[k], s.count};
  }
};

}  // namespace ctrace::cpu_backend
