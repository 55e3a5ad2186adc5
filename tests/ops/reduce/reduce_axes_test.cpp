// Every reduction over every kind of axis set (inner, outer, middle, several,
// all, keepdim) on contiguous, strided, broadcast and fused operands.
#include "reduce_test_util.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

using namespace ctrace;
using namespace reduce_testing;
using ctrace::testing::check_close;
using ctrace::testing::to_vector;
namespace ref = reduce_reference;

TEST_CASE("every reduction over every kind of axis set, contiguous") {
  const auto x = filled<float, 2, 3, 4>(mixed);
  CHECK_EVERY_REDUCTION(x);
  const auto p = filled<double, 3, 5, 7>(positive);
  CHECK_EACH_STATE_KIND(p);
}

TEST_CASE("strided operands: transposed, permuted and sliced views") {
  const auto x = filled<float, 4, 6, 5>(mixed);
  CHECK_EACH_STATE_KIND(x.transpose());           // [4, 5, 6], inner dim strided
  CHECK_EACH_STATE_KIND(x.permute<2, 0, 1>());    // [5, 4, 6]
  CHECK_EACH_STATE_KIND(x.slice<1>(0, 6, 2));     // [4, 3, 5], every other row
}

