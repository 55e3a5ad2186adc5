// bf16 and f16 as storage types: 16 bits in memory, arithmetic done in float.
#pragma once

#include <cstdint>
#include <cstring>

#include "ctrace/core/config.hpp"

namespace ctrace {

namespace detail {
CTRACE_HOST_DEVICE inline std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
CTRACE_HOST_DEVICE inline float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}
}  // namespace detail

// bfloat16: the top half of a float, rounded to nearest even; NaN stays NaN.
struct bf16 {
  std::uint16_t bits = 0;

  bf16() = default;
  CTRACE_HOST_DEVICE explicit bf16(float f) {
    std::uint32_t u = detail::float_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) {
      bits = static_cast<std::uint16_t>((u >> 16) | 0x40u);  // quiet NaN
    } else {
      u += 0x7fffu + ((u >> 16) & 1u);
      bits = static_cast<std::uint16_t>(u >> 16);
    }
  }
  CTRACE_HOST_DEVICE explicit bf16(double d) : bf16(static_cast<float>(d)) {}
  CTRACE_HOST_DEVICE explicit bf16(int i) : bf16(static_cast<float>(i)) {}
  CTRACE_HOST_DEVICE explicit bf16(std::int64_t i) : bf16(static_cast<float>(i)) {}
  CTRACE_HOST_DEVICE explicit bf16(bool b) : bf16(b ? 1.0f : 0.0f) {}
  CTRACE_HOST_DEVICE operator float() const { return detail::bits_float(static_cast<std::uint32_t>(bits) << 16); }
  static bf16 from_bits(std::uint16_t b) {
    bf16 h;
    h.bits = b;
    return h;
  }
};

// IEEE 754 binary16, round to nearest even, with subnormals, infinities and NaN.
struct f16 {
  std::uint16_t bits = 0;

  f16() = default;
  CTRACE_HOST_DEVICE explicit f16(float f) {
    std::uint32_t u = detail::float_bits(f);
    std::uint32_t sign = (u >> 16) & 0x8000u;
    std::uint32_t mag = u & 0x7fffffffu;
    if (mag >= 0x7f800000u) {  // inf or NaN
      bits = static_cast<std::uint16_t>(sign | 0x7c00u | (mag > 0x7f800000u ? 0x200u : 0u));
      return;
    }
    if (mag >= 0x477ff000u) {  // rounds to a value beyond 65504
      bits = static_cast<std::uint16_t>(sign | 0x7c00u);
      return;
    }
    if (mag < 0x38800000u) {  // below the smallest normal half: subnormal or zero
      // Add 0.5 (as a float) so that the hardware's own rounding puts the
      // subnormal half's bits, rounded to nearest even, in the low mantissa.
      float shifted = detail::bits_float(mag) + 0.5f;
      bits = static_cast<std::uint16_t>(sign | (detail::float_bits(shifted) - 0x3f000000u));
      return;
    }
    std::uint32_t odd = (mag >> 13) & 1u;
    mag += 0xc8000fffu + odd;  // rebias exponent (-112 << 23) and round
    bits = static_cast<std::uint16_t>(sign | (mag >> 13));
  }
  CTRACE_HOST_DEVICE explicit f16(double d) : f16(static_cast<float>(d)) {}
  CTRACE_HOST_DEVICE explicit f16(int i) : f16(static_cast<float>(i)) {}
  CTRACE_HOST_DEVICE explicit f16(std::int64_t i) : f16(static_cast<float>(i)) {}
  CTRACE_HOST_DEVICE explicit f16(bool b) : f16(b ? 1.0f : 0.0f) {}
  CTRACE_HOST_DEVICE operator float() const {
    std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
    std::uint32_t exp = (bits >> 10) & 0x1fu;
    std::uint32_t man = bits & 0x3ffu;
    if (exp == 0x1fu) return detail::bits_float(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {  // subnormal: man * 2^-24
      float v = static_cast<float>(man) * 5.9604644775390625e-8f;
      return sign ? -v : v;
    }
    return detail::bits_float(sign | ((exp + 112u) << 23) | (man << 13));
  }
  static f16 from_bits(std::uint16_t b) {
    f16 h;
    h.bits = b;
    return h;
  }
};

}  // namespace ctrace
