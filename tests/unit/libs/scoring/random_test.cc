#include "libs/scoring/random.h"

#include <vector>

#include "gtest/gtest.h"

namespace innoscope::scoring {
namespace {

// The first output of Vigna's reference splitmix64.c from state 0.
TEST(SplitMix64Test, MatchesTheReferenceGenerator) {
  EXPECT_EQ(SplitMix64(0), 0xE220A8397B1DCDAFULL);
}

// Vigna's reference splitmix64.c, next(): x += 0x9e3779b97f4a7c15, then
// mix. A stream is that generator started at DeriveSeed(seed, stream), and
// a draw its output's top 53 bits over 2^53.
TEST(UniformStreamTest, IsTheSplitMix64SequenceFromTheDerivedSeed) {
  uint64_t x = DeriveSeed(42, 7);
  auto next = [&x] {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  UniformStream stream(42, 7);
  for (int i = 0; i < 100; ++i) {
    const double expected = static_cast<double>(next() >> 11) / 9007199254740992.0;
    ASSERT_EQ(stream.Next(), expected) << i;
  }
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
