#pragma once

// Descriptive statistics of one indicator column, with the conventions the
// index methods document (docs/methods.md). Every function skips missing
// values (NaN) and returns NaN when the statistic is undefined (too few
// values, zero variance). All are O(n) except where noted; two-pass
// (mean first, then central moments) for accuracy.
//
//   double s = SampleSkewness(column);         // Excel SKEW
//   double k = SampleExcessKurtosis(column);   // Excel KURT
//   double r = PearsonCorrelation(a, b);

#include <cstddef>

#include "absl/types/span.h"

namespace innoscope::index {

// Number of non-missing values.
size_t CountPresent(absl::Span<const double> x);

// Count, minimum and maximum of the non-missing values (min = max = 0 when
// there are none).
struct ValueRange {
  size_t count = 0;
  double min = 0;
  double max = 0;
};
ValueRange RangeOf(absl::Span<const double> x);

double Mean(absl::Span<const double> x);

// Sample standard deviation, denominator n - 1 (NaN for n < 2).
double SampleStdDev(absl::Span<const double> x);

// Median: mean of the two middle values for even n. O(n) (nth_element).
double Median(absl::Span<const double> x);

// Sample skewness as Excel SKEW and R e1071::skewness(type = 2), which COINr
// uses: n / ((n-1)(n-2)) * sum(((x - mean) / s)^3), s the sample standard
// deviation. NaN for n < 3 or zero variance.
double SampleSkewness(absl::Span<const double> x);

// Sample excess kurtosis as Excel KURT and e1071::kurtosis(type = 2):
// n(n+1) / ((n-1)(n-2)(n-3)) * sum(((x - mean) / s)^4)
//   - 3 (n-1)^2 / ((n-2)(n-3)).
// NaN for n < 4 or zero variance.
double SampleExcessKurtosis(absl::Span<const double> x);

// Both of the above from one pass over the central moments (the outlier
// check needs both, many times per column): equal to them bit for bit.
struct SkewKurtosis {
  double skewness = 0;
  double kurtosis = 0;
};
SkewKurtosis SampleSkewnessAndKurtosis(absl::Span<const double> x);

// Pearson correlation over the rows where both values are present. NaN when
// fewer than two such rows or either side has zero variance.
double PearsonCorrelation(absl::Span<const double> x, absl::Span<const double> y);

}  // namespace innoscope::index
