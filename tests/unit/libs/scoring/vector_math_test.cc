#include "libs/scoring/vector_math.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "libs/scoring/random.h"

namespace innoscope::scoring {
namespace {

// Distance in units in the last place between two finite doubles of the
// same sign.
int64_t UlpDistance(double a, double b) {
  int64_t x = 0;
  int64_t y = 0;
  std::memcpy(&x, &a, sizeof x);
  std::memcpy(&y, &b, sizeof y);
  return x > y ? x - y : y - x;
}

// Published values (to 17 significant digits, the nearest doubles):
// ln 2, ln 10, e, e^-1 (Abramowitz & Stegun, table 4.1 and 4.2).
TEST(VectorMathTest, MatchesPublishedValues) {
  EXPECT_EQ(Log(1.0), 0.0);
  EXPECT_EQ(Exp(0.0), 1.0);
  EXPECT_LE(UlpDistance(Log(2.0), 0.69314718055994531), 1);
  EXPECT_LE(UlpDistance(Log(10.0), 2.3025850929940457), 1);
  EXPECT_LE(UlpDistance(Exp(1.0), 2.7182818284590452), 1);
  EXPECT_LE(UlpDistance(Exp(-1.0), 0.36787944117144233), 1);
  EXPECT_EQ(Log(1024.0), 10 * Log(2.0));  // k ln2 with an exact f = 0
}

// Against glibc's log and exp (correctly rounded in nearly every case, an
// independent implementation): within 1 ulp, over 2^20 arguments spread
// over the whole range each fast path takes.
TEST(VectorMathTest, WithinOneUlpOfTheStandardLibrary) {
  UniformStream stream(20261207, 0);
  constexpr int kDraws = 1 << 20;
  std::vector<double> x(kDraws);
  std::vector<double> y(kDraws);
  for (int i = 0; i < kDraws; ++i) x[i] = std::exp((stream.Next() - 0.5) * 1400);  // 1e-304..1e304
  LogArray(x, absl::MakeSpan(y));
  int64_t worst = 0;
  for (int i = 0; i < kDraws; ++i) {
    ASSERT_TRUE(std::isfinite(y[i])) << x[i];
    worst = std::max(worst, UlpDistance(y[i], std::log(x[i])));
  }
  EXPECT_LE(worst, 1) << "log";
  for (int i = 0; i < kDraws; ++i) x[i] = (stream.Next() - 0.5) * 1416;  // -708..708
  ExpArray(x, absl::MakeSpan(y));
  worst = 0;
  for (int i = 0; i < kDraws; ++i) worst = std::max(worst, UlpDistance(y[i], std::exp(x[i])));
  EXPECT_LE(worst, 1) << "exp";
  // Near 1, where log is smallest and the reduction matters most.
  for (int i = 0; i < kDraws; ++i) x[i] = 1 + (stream.Next() - 0.5) * 1e-6;
  LogArray(x, absl::MakeSpan(y));
  worst = 0;
  for (int i = 0; i < kDraws; ++i) {
    if (x[i] == 1) continue;  // 0 both: no ulp distance across signs
    worst = std::max(worst, UlpDistance(y[i], std::log(x[i])));
  }
  EXPECT_LE(worst, 1) << "log near 1";
}

// What a column gets is what one value gets, whatever its place in the
// column (a full group of four or the padded tail), also in place.
TEST(VectorMathTest, ArraysEqualOneValueAtATime) {
  UniformStream stream(7, 1);
  for (size_t n = 0; n <= 11; ++n) {
    std::vector<double> x(n);
    for (double& v : x) v = 0.01 + 200 * stream.Next();
    std::vector<double> logs(n);
    std::vector<double> exps(n);
    LogArray(x, absl::MakeSpan(logs));
    ExpArray(x, absl::MakeSpan(exps));
    std::vector<double> in_place = x;
    LogArray(in_place, absl::MakeSpan(in_place));
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(logs[i], Log(x[i])) << n << " " << i;
      EXPECT_EQ(exps[i], Exp(x[i])) << n << " " << i;
      EXPECT_EQ(in_place[i], logs[i]) << n << " " << i;
    }
  }
}

// Outside the reduced ranges the standard library's results: infinities,
// NaN, zero and subnormals, also mixed with ordinary values in one vector.
TEST(VectorMathTest, SpecialArgumentsAsTheStandardLibrary) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double subnormal = std::numeric_limits<double>::denorm_min() * 12345;
  const std::vector<double> log_args = {0.0, -0.0, -1.0, inf, -inf, nan, subnormal, 3.0, 1e300};
  std::vector<double> logs(log_args.size());
  EXPECT_FALSE(LogArray(log_args, absl::MakeSpan(logs)));  // 0, -1, NaN: not > 0
  EXPECT_EQ(logs[0], -inf);
  EXPECT_EQ(logs[1], -inf);
  EXPECT_TRUE(std::isnan(logs[2]));
  EXPECT_EQ(logs[3], inf);
  EXPECT_TRUE(std::isnan(logs[4]));
  EXPECT_TRUE(std::isnan(logs[5]));
  EXPECT_EQ(logs[6], std::log(subnormal));
  EXPECT_LE(UlpDistance(logs[7], std::log(3.0)), 1);
  EXPECT_LE(UlpDistance(logs[8], std::log(1e300)), 1);
  // The domain check: true exactly when every value is above 0, whether
  // the vector loop or the standard library computes it.
  std::vector<double> out(5);
  EXPECT_TRUE(LogArray({1.0, subnormal, inf, 2.0, 3.0}, absl::MakeSpan(out)));
  EXPECT_TRUE(LogArray({4.0, 5.0}, absl::MakeSpan(out).subspan(0, 2)));
  EXPECT_FALSE(LogArray({1.0, 2.0, 3.0, 4.0, 0.0}, absl::MakeSpan(out)));
  EXPECT_FALSE(LogArray({-2.0, 2.0}, absl::MakeSpan(out).subspan(0, 2)));
  EXPECT_FALSE(LogArray({1.0, 2.0, nan, 4.0, 5.0}, absl::MakeSpan(out)));
  const std::vector<double> exp_args = {710.0, 709.5, -745.5, -720.0, inf, -inf, nan, 1.0, 708.0};
  std::vector<double> exps(exp_args.size());
  ExpArray(exp_args, absl::MakeSpan(exps));
  EXPECT_EQ(exps[0], inf);
  EXPECT_EQ(exps[1], std::exp(709.5));
  EXPECT_EQ(exps[2], 0.0);
  EXPECT_EQ(exps[3], std::exp(-720.0));  // subnormal
  EXPECT_GT(exps[3], 0.0);
  EXPECT_EQ(exps[4], inf);
  EXPECT_EQ(exps[5], 0.0);
  EXPECT_TRUE(std::isnan(exps[6]));
  EXPECT_LE(UlpDistance(exps[7], std::exp(1.0)), 1);
  EXPECT_LE(UlpDistance(exps[8], std::exp(708.0)), 1);
}

}  // namespace
}  // namespace innoscope::scoring
