#include "libs/scoring/random.h"

#include <vector>

#include "gtest/gtest.h"

namespace innoscope::scoring {
namespace {

// The first output of Vigna's reference splitmix64.c from state 0.
TEST(SplitMix64Test, MatchesTheReferenceGenerator) {
  EXPECT_EQ(SplitMix64(0), 0xE220A8397B1DCDAFULL);
}

TEST(UniformStreamTest, ReproducibleIndependentStreamsInUnitInterval) {
  UniformStream a(42, 7);
  UniformStream b(42, 7);
  UniformStream other_stream(42, 8);
  UniformStream other_seed(43, 7);
  double sum = 0;
  constexpr int kDraws = 20000;
  int equal_to_other = 0;
  for (int i = 0; i < kDraws; ++i) {
    const double u = a.Next();
    EXPECT_EQ(u, b.Next());
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    equal_to_other += u == other_stream.Next() ? 1 : 0;
    equal_to_other += u == other_seed.Next() ? 1 : 0;
    sum += u;
  }
  EXPECT_EQ(equal_to_other, 0);
  // Mean of U(0,1): 0.5 with standard error 1/sqrt(12 * 20000) = 0.002.
  EXPECT_NEAR(sum / kDraws, 0.5, 0.01);
  UniformStream c(1, 1);
  for (int i = 0; i < 1000; ++i) ASSERT_LT(c.NextIndex(3), 3u);
}

}  // namespace
}  // namespace innoscope::scoring
