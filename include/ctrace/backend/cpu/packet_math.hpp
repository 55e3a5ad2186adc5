// Vector (packet) forms of the elementwise ops, from Eigen's packet math. An op
// vectorizes for a type only where Eigen's functor says it can (PacketAccess).
#pragma once

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

#include <type_traits>

#include "ctrace/expr/ops/binary_ops.hpp"
#include "ctrace/expr/ops/unary_ops.hpp"

namespace ctrace::cpu_backend {

namespace ei = Eigen::internal;

template <class T>
using packet_t = typename ei::packet_traits<T>::type;
template <class T>
inline constexpr int packet_size = ei::unpacket_traits<packet_t<T>>::size;
// Element types that have SIMD packets here (float, double, int32 on x86).
template <class T>
inline constexpr bool has_packets = std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
                                    ei::packet_traits<T>::Vectorizable && packet_size<T> > 1;

// The Eigen functor that computes an op, where Eigen has one.
template <class Op, class T>
struct eigen_functor {
  using type = void;
};
#define CTRACE_EIGEN_UNARY(our, theirs) \
  template <class T>                    \
  struct eigen_functor<op::our, T> {    \
    using type = ei::theirs<T>;         \
  };
CTRACE_EIGEN_UNARY(neg, scalar_opposite_op)
CTRACE_EIGEN_UNARY(abs, scalar_abs_op)
CTRACE_EIGEN_UNARY(expm1, scalar_expm1_op)
CTRACE_EIGEN_UNARY(log, scalar_log_op)
CTRACE_EIGEN_UNARY(log1p, scalar_log1p_op)
CTRACE_EIGEN_UNARY(sqrt, scalar_sqrt_op)
CTRACE_EIGEN_UNARY(rsqrt, scalar_rsqrt_op)
CTRACE_EIGEN_UNARY(sin, scalar_sin_op)
CTRACE_EIGEN_UNARY(cos, scalar_cos_op)
CTRACE_EIGEN_UNARY(tanh, scalar_tanh_op)
CTRACE_EIGEN_UNARY(floor, scalar_floor_op)
CTRACE_EIGEN_UNARY(ceil, scalar_ceil_op)
CTRACE_EIGEN_UNARY(round, scalar_rint_op)
#undef CTRACE_EIGEN_UNARY
#define CTRACE_EIGEN_BINARY(our, ...) \
  template <class T>                  \
  struct eigen_functor<op::our, T> {  \
    using type = ei::__VA_ARGS__;     \
  };
CTRACE_EIGEN_BINARY(add, scalar_sum_op<T, T>)
CTRACE_EIGEN_BINARY(sub, scalar_difference_op<T, T>)
CTRACE_EIGEN_BINARY(mul, scalar_product_op<T, T>)
CTRACE_EIGEN_BINARY(div, scalar_quotient_op<T, T>)
CTRACE_EIGEN_BINARY(minimum, scalar_min_op<T, T, Eigen::PropagateNaN>)
CTRACE_EIGEN_BINARY(maximum, scalar_max_op<T, T, Eigen::PropagateNaN>)
#undef CTRACE_EIGEN_BINARY

template <class F>
inline constexpr bool eigen_packet_access = [] {
  if constexpr (std::is_void_v<F>) return false;
  else return bool(ei::functor_traits<F>::PacketAccess);
}();

// packet_op<Op, T>: `supported`, and run(op, packets...) when supported.
// Ops that Eigen has directly use its functor; the rest are composed below.
template <class Op, class T, class = void>
struct packet_op {
  using functor = typename eigen_functor<Op, T>::type;
  // Integer division is never vectorized: it computes in float by design.
  static constexpr bool supported = has_packets<T> && eigen_packet_access<functor>;
  template <class P>
  static P run(const Op&, const P& a) {
    return functor{}.packetOp(a);
  }
  template <class P>
  static P run(const Op&, const P& a, const P& b) {
    return functor{}.packetOp(a, b);
  }
};

template <class T>
inline constexpr bool float_packets = has_packets<T> && std::is_floating_point_v<T>;

// e^x with the far negative tail right. Eigen clamps its argument, so below
// about -88.7 (float) it returns 2.9e-39 where the true value is a denormal
// or 0 (and exp(-inf) must be 0). Lanes down there, rare, are recomputed as
// e^(x + k) * e^-k, which rounds into the denormals correctly.
template <class P>
P accurate_exp(const P& x) {
  using T = typename ei::unpacket_traits<P>::type;
  P e = ei::scalar_exp_op<T>{}.packetOp(x);
  constexpr bool is_float = std::is_same_v<T, float>;
  const P limit = ei::pset1<P>(is_float ? T(-87) : T(-707));
  const P small = ei::pcmp_lt(x, limit);
  if (EIGEN_PREDICT_FALSE(ei::predux_any(small))) {
    const T shift = is_float ? T(20) : T(40);
    const T scale = is_float ? T(2.06115362243855783e-9) : T(4.24835425529158899e-18);  // e^-shift
    P scaled = ei::pmul(ei::scalar_exp_op<T>{}.packetOp(ei::padd(x, ei::pset1<P>(shift))), ei::pset1<P>(scale));
    e = ei::pselect(small, scaled, e);
  }
  return e;
}

template <class T>
struct packet_op<op::detach, T> {
  static constexpr bool supported = has_packets<T>;
  template <class P>
  static P run(const op::detach&, const P& x) {
    return x;
  }
};

// A gradient hook is the identity on values (the hook acts in the backward graph).
template <class F, class T>
struct packet_op<op::gradient_hook<F>, T> {
  static constexpr bool supported = has_packets<T>;
  template <class P>
  static P run(const op::gradient_hook<F>&, const P& x) {
    return x;
  }
};

template <class T>
struct packet_op<op::exp, T> {
  static constexpr bool supported = float_packets<T> && eigen_packet_access<ei::scalar_exp_op<T>>;
  template <class P>
  static P run(const op::exp&, const P& x) {
    return accurate_exp(x);
  }
};

// Eigen's logistic, with its far negative tail (where it leans on the clamped
// exp) replaced: there sigmoid(x) equals e^x to within float precision.
template <class T>
struct packet_op<op::sigmoid, T> {
  static constexpr bool supported = float_packets<T> && eigen_packet_access<ei::scalar_logistic_op<T>>;
  template <class P>
  static P run(const op::sigmoid&, const P& x) {
    P s = ei::scalar_logistic_op<T>{}.packetOp(x);
    const P small = ei::pcmp_lt(x, ei::pset1<P>(std::is_same_v<T, float> ? T(-80) : T(-700)));
    if (EIGEN_PREDICT_FALSE(ei::predux_any(small))) s = ei::pselect(small, accurate_exp(x), s);
    return s;
  }
};

template <class T>
struct packet_op<op::relu, T> {
  static constexpr bool supported = has_packets<T> && ei::packet_traits<T>::HasMax;
  // max(x, 0) with NaN passed through, as torch.relu.
  template <class P>
  static P run(const op::relu&, const P& x) {
    return ei::pmax<Eigen::PropagateNaN>(x, ei::pzero(x));
  }
};

template <class T>
struct packet_op<op::gelu_tanh, T> {
  static constexpr bool supported = float_packets<T> && eigen_packet_access<ei::scalar_tanh_op<T>>;
  template <class P>
  static P run(const op::gelu_tanh&, const P& x) {
    const P half = ei::pset1<P>(T(0.5)), one = ei::pset1<P>(T(1));
    const P k0 = ei::pset1<P>(T(0.79788456080286535588)), k1 = ei::pset1<P>(T(0.044715));
    P x3 = ei::pmul(ei::pmul(x, x), x);
    P inner = ei::pmul(k0, ei::pmadd(k1, x3, x));
    return ei::pmul(ei::pmul(half, x), ei::padd(one, ei::scalar_tanh_op<T>{}.packetOp(inner)));
  }
};

template <class T>
struct packet_op<op::erf, T> {
  static constexpr bool supported = float_packets<T> && eigen_packet_access<ei::scalar_erf_op<T>>;
  template <class P>
  static P run(const op::erf&, const P& x) {
    return ei::scalar_erf_op<T>{}.packetOp(x);
  }
};

template <class T>
struct packet_op<op::gelu, T> {
  static constexpr bool supported = float_packets<T> && eigen_packet_access<ei::scalar_erf_op<T>>;
  template <class P>
  static P run(const op::gelu&, const P& x) {
    const P half = ei::pset1<P>(T(0.5)), one = ei::pset1<P>(T(1)), r2 = ei::pset1<P>(T(0.70710678118654752440));
    return ei::pmul(ei::pmul(half, x), ei::padd(one, ei::scalar_erf_op<T>{}.packetOp(ei::pmul(x, r2))));
  }
};

template <class T>
struct packet_op<op::silu, T> {
  static constexpr bool supported = float_packets<T> && eigen_packet_access<ei::scalar_logistic_op<T>>;
  template <class P>
  static P run(const op::silu&, const P& x) {
    return ei::pmul(x, packet_op<op::sigmoid, T>::run(op::sigmoid{}, x));
  }
};

template <class T>
struct packet_op<op::softplus, T> {
  static constexpr bool supported = float_packets<T> && eigen_packet_access<ei::scalar_exp_op<T>> &&
                                    eigen_packet_access<ei::scalar_log1p_op<T>>;
  template <class P>
  static P run(const op::softplus&, const P& x) {
    const P threshold = ei::pset1<P>(T(20));
    P soft = ei::scalar_log1p_op<T>{}.packetOp(accurate_exp(x));
    return ei::pselect(ei::pcmp_lt(threshold, x), x, soft);
  }
};

template <class T>
struct packet_op<op::clamp<T>, T> {
  static constexpr bool supported = has_packets<T> && ei::packet_traits<T>::HasMin && ei::packet_traits<T>::HasMax;
  template <class P>
  static P run(const op::clamp<T>& c, const P& x) {
    // pmax/pmin with NaN propagation on the first operand keeps NaN as NaN.
    P y = c.has_lo ? ei::pmax<Eigen::PropagateNumbers>(ei::pset1<P>(c.lo), x) : x;
    y = c.has_lo ? ei::pselect(ei::pcmp_eq(x, x), y, x) : y;
    P z = c.has_hi ? ei::pmin<Eigen::PropagateNumbers>(ei::pset1<P>(c.hi), y) : y;
    return c.has_hi ? ei::pselect(ei::pcmp_eq(y, y), z, y) : z;
  }
};

}  // namespace ctrace::cpu_backend
