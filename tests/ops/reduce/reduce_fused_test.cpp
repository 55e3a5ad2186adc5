// Reductions of broadcast and fused elementwise producers, over every kind of
// axis set: the producer is computed inside the reduction's pass.
#include "reduce_test_util.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

using namespace ctrace;
using namespace reduce_testing;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;
namespace ref = reduce_reference;

TEST_CASE("broadcast and fused producers") {
  const auto x = filled<float, 2, 4, 3>(mixed);
  const auto b = filled<float, 4>(positive);
  // x.transpose() is [2, 3, 4]; b broadcasts along the last dim.
  CHECK_EACH_STATE_KIND(x.transpose() + b);
  CHECK_EACH_STATE_KIND(x * 2.0f - 1.0f);
  const auto y = filled<float, 2, 4, 3>(positive);
  CHECK_EACH_STATE_KIND(x * y);
  // Broadcast-only dims (stride 0) being reduced.
  const auto row = filled<float, 1, 1, 5>(positive);
  CHECK_EACH_STATE_KIND(row + zeros<float, 3, 2, 5>());
}

