#include "libs/index/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "libs/index/data_matrix.h"
#include "libs/index/matrix_ops.h"

namespace innoscope::index {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Sums of (x - mean)^2, ^3 and ^4 over the present values.
struct CentralMoments {
  double n = 0;
  double m2 = 0;
  double m3 = 0;
  double m4 = 0;
};

CentralMoments Moments(absl::Span<const double> x) {
  CentralMoments m;
  const double mean = Mean(x);
  for (double v : x) {
    if (IsMissingValue(v)) continue;
    const double d = v - mean;
    const double d2 = d * d;
    m.n += 1;
    m.m2 += d2;
    m.m3 += d2 * d;
    m.m4 += d2 * d2;
  }
  return m;
}

}  // namespace

size_t CountPresent(absl::Span<const double> x) {
  return static_cast<size_t>(
      std::count_if(x.begin(), x.end(), [](double v) { return !IsMissingValue(v); }));
}

ValueRange RangeOf(absl::Span<const double> x) {
  ValueRange r;
  for (double v : x) {
    if (IsMissingValue(v)) continue;
    r.min = r.count == 0 ? v : std::min(r.min, v);
    r.max = r.count == 0 ? v : std::max(r.max, v);
    ++r.count;
  }
  return r;
}

double Mean(absl::Span<const double> x) {
  double sum = 0;
  size_t n = 0;
  for (double v : x) {
    if (IsMissingValue(v)) continue;
    sum += v;
    ++n;
  }
  return n == 0 ? kNaN : sum / static_cast<double>(n);
}

double SampleStdDev(absl::Span<const double> x) {
  const CentralMoments m = Moments(x);
  if (m.n < 2) return kNaN;
  return std::sqrt(m.m2 / (m.n - 1));
}

double Median(absl::Span<const double> x) {
  std::vector<double> v = PresentValues(x);
  if (v.empty()) return kNaN;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + mid);
  return (lower + upper) / 2;
}

namespace {

double SkewnessOf(const CentralMoments& m) {
  if (m.n < 3 || m.m2 <= 0) return kNaN;
  const double n = m.n;
  const double s = std::sqrt(m.m2 / (n - 1));
  return n / ((n - 1) * (n - 2)) * (m.m3 / (s * s * s));
}

double KurtosisOf(const CentralMoments& m) {
  if (m.n < 4 || m.m2 <= 0) return kNaN;
  const double n = m.n;
  const double s2 = m.m2 / (n - 1);
  return n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * (m.m4 / (s2 * s2)) -
         3 * (n - 1) * (n - 1) / ((n - 2) * (n - 3));
}

}  // namespace

double SampleSkewness(absl::Span<const double> x) { return SkewnessOf(Moments(x)); }

double SampleExcessKurtosis(absl::Span<const double> x) { return KurtosisOf(Moments(x)); }

SkewKurtosis SampleSkewnessAndKurtosis(absl::Span<const double> x) {
  const CentralMoments m = Moments(x);
  return {SkewnessOf(m), KurtosisOf(m)};
}

double PearsonCorrelation(absl::Span<const double> x, absl::Span<const double> y) {
  const size_t len = std::min(x.size(), y.size());
  std::vector<double> a;
  std::vector<double> b;
  for (size_t i = 0; i < len; ++i) {
    if (IsMissingValue(x[i]) || IsMissingValue(y[i])) continue;
    a.push_back(x[i]);
    b.push_back(y[i]);
  }
  if (a.size() < 2) return kNaN;
  const double ma = Mean(a);
  const double mb = Mean(b);
  double sab = 0;
  double saa = 0;
  double sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa <= 0 || sbb <= 0) return kNaN;
  return sab / std::sqrt(saa * sbb);
}

}  // namespace innoscope::index
