// dtypes: PyTorch's promotion table (torch.promote_types / torch.result_type),
// wrapped scalars, and the 16-bit storage types.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include <ctrace/core/promotion.hpp>

using namespace ctrace;

// torch.promote_types, written out from PyTorch's table.
static_assert(promote_types(dtype::b8, dtype::i32) == dtype::i32);
static_assert(promote_types(dtype::i32, dtype::i64) == dtype::i64);
static_assert(promote_types(dtype::i64, dtype::f16) == dtype::f16);
static_assert(promote_types(dtype::f16, dtype::bf16) == dtype::f32);
static_assert(promote_types(dtype::bf16, dtype::f32) == dtype::f32);
static_assert(promote_types(dtype::f32, dtype::f64) == dtype::f64);
static_assert(promote_types(dtype::i32, dtype::f32) == dtype::f32);
static_assert(promote_types(dtype::b8, dtype::b8) == dtype::b8);
static_assert(std::is_same_v<promote_t<int, double>, double>);

constexpr promotion_operand dim(dtype d) { return {d, promotion_priority::dimensioned}; }
constexpr promotion_operand zero_dim(dtype d) { return {d, promotion_priority::zero_dim}; }
constexpr promotion_operand number(dtype d) { return {d, promotion_priority::wrapped_scalar}; }
template <std::size_t N>
constexpr dtype rt(const promotion_operand (&ops)[N]) {
  return result_type(ops);
}

// A float tensor times a double number stays float; an int tensor times a
// double number becomes the default float type; numbers of the same category
// never widen a tensor.
static_assert(rt({dim(dtype::f32), number(dtype::f64)}) == dtype::f32);
static_assert(rt({dim(dtype::i32), number(dtype::f64)}) == dtype::f32);
static_assert(rt({dim(dtype::i32), number(dtype::i64)}) == dtype::i32);
static_assert(rt({dim(dtype::b8), number(dtype::i64)}) == dtype::i64);
static_assert(rt({dim(dtype::f16), number(dtype::f64)}) == dtype::f16);
static_assert(rt({dim(dtype::b8), number(dtype::b8)}) == dtype::b8);
// Zero-dim tensors lose to dimensioned ones of the same category, win otherwise.
static_assert(rt({dim(dtype::f32), zero_dim(dtype::f64)}) == dtype::f32);
static_assert(rt({dim(dtype::i32), zero_dim(dtype::f64)}) == dtype::f64);
static_assert(rt({dim(dtype::i32), zero_dim(dtype::i64)}) == dtype::i32);
static_assert(rt({zero_dim(dtype::i32), number(dtype::f64)}) == dtype::f32);
static_assert(rt({zero_dim(dtype::f64), number(dtype::f64)}) == dtype::f64);
static_assert(rt({number(dtype::i64), number(dtype::f64)}) == dtype::f32);

TEST_CASE("bf16 rounds to nearest even and keeps NaN and infinities") {
  CHECK(static_cast<float>(bf16(1.0f)) == 1.0f);
  CHECK(static_cast<float>(bf16(3.140625f)) == 3.140625f);  // exactly representable
  // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to even (1).
  CHECK(static_cast<float>(bf16(1.0f + 0x1p-8f)) == 1.0f);
  // 1 + 3*2^-8 lies halfway between 1 + 2^-7 and 1 + 2^-6: even is 1 + 2^-6.
  CHECK(static_cast<float>(bf16(1.0f + 3 * 0x1p-8f)) == 1.0f + 0x1p-6f);
  CHECK(std::isnan(static_cast<float>(bf16(std::numeric_limits<float>::quiet_NaN()))));
  CHECK(static_cast<float>(bf16(std::numeric_limits<float>::infinity())) == std::numeric_limits<float>::infinity());
  CHECK(bf16(1.0f).bits == 0x3f80);
}

TEST_CASE("f16 is IEEE binary16: normals, subnormals, overflow, NaN") {
  CHECK(f16(1.0f).bits == 0x3c00);
  CHECK(f16(-2.0f).bits == 0xc000);
  CHECK(f16(65504.0f).bits == 0x7bff);                  // largest finite
  CHECK(f16(65520.0f).bits == 0x7c00);                  // rounds up to infinity
  CHECK(f16(0x1p-24f).bits == 0x0001);                  // smallest subnormal
  CHECK(f16(0x1p-25f).bits == 0x0000);                  // halfway to zero: ties to even
  CHECK(f16(3 * 0x1p-25f).bits == 0x0002);              // 1.5 ulp rounds to even 2
  CHECK(f16(1.0f + 0x1p-11f).bits == 0x3c00);           // halfway: ties to even
  CHECK(f16(1.0f + 3 * 0x1p-11f).bits == 0x3c02);
  CHECK((f16(std::numeric_limits<float>::quiet_NaN()).bits & 0x7c00) == 0x7c00);
  CHECK(static_cast<float>(f16::from_bits(0x0001)) == 0x1p-24f);
  CHECK(static_cast<float>(f16::from_bits(0x3555)) == doctest::Approx(0.333251953125f));
  CHECK(static_cast<float>(f16::from_bits(0xfc00)) == -std::numeric_limits<float>::infinity());
  for (std::uint32_t b = 0; b < 0x7c00; ++b) {  // every finite half round-trips
    f16 h = f16::from_bits(static_cast<std::uint16_t>(b));
    REQUIRE(f16(static_cast<float>(h)).bits == b);
  }
}

TEST_CASE("convert saturates floats into integers instead of overflowing") {
  CHECK(convert<std::int32_t>(1e20) == std::numeric_limits<std::int32_t>::max());
  CHECK(convert<std::int32_t>(-1e20f) == std::numeric_limits<std::int32_t>::lowest());
  CHECK(convert<std::int64_t>(std::nan("")) == 0);
  CHECK(convert<std::int32_t>(-2.7) == -2);
  CHECK(convert<bool>(0.5f) == true);
  CHECK(convert<bool>(0) == false);
  CHECK(static_cast<float>(convert<bf16>(2)) == 2.0f);
}
