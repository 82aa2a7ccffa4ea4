#include "libs/index/objective_weights.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/index/linalg.h"
#include "libs/index/matrix_ops.h"
#include "libs/index/stats.h"

namespace innoscope::index {
namespace {

// Column statistics for the data-driven methods, computed with exactly the
// additions of Mean() and SampleStdDev() (stats.h), in the same order, so
// their results are bit-identical to those functions'; but kLanes columns
// at a time, so independent running sums overlap in the pipeline instead of
// each addition waiting for the previous one (about 4 times faster on a
// 3,000 x 300 table). A short last group repeats its last column; the
// copies are discarded.
constexpr size_t kLanes = 8;

std::vector<absl::Span<const double>> ColumnsOf(const DataMatrix& data) {
  std::vector<absl::Span<const double>> cols;
  for (size_t c = 0; c < data.cols(); ++c) cols.push_back(data.Column(c));
  return cols;
}

// The range and the sum (Mean()'s) of each column. A column with a missing
// value has a NaN sum (min and max are then meaningless). O(n m).
struct ColumnScan {
  double min = 0;
  double max = 0;
  double sum = 0;
};

std::vector<ColumnScan> ScanColumns(const std::vector<absl::Span<const double>>& cols) {
  const size_t m = cols.size();
  std::vector<ColumnScan> out(m);
  for (size_t c0 = 0; c0 < m; c0 += kLanes) {
    const size_t lanes = std::min(kLanes, m - c0);
    const double* x[kLanes];
    for (size_t l = 0; l < kLanes; ++l) x[l] = cols[c0 + std::min(l, lanes - 1)].data();
    const size_t n = cols[c0].size();
    if (n == 0) continue;
    double sum[kLanes], lo[kLanes], hi[kLanes];
    for (size_t l = 0; l < kLanes; ++l) {
      sum[l] = 0;
      lo[l] = hi[l] = x[l][0];
    }
    for (size_t i = 0; i < n; ++i) {
      for (size_t l = 0; l < kLanes; ++l) {
        const double v = x[l][i];
        sum[l] += v;
        lo[l] = v < lo[l] ? v : lo[l];
        hi[l] = v > hi[l] ? v : hi[l];
      }
    }
    for (size_t l = 0; l < lanes; ++l) out[c0 + l] = {lo[l], hi[l], sum[l]};
  }
  return out;
}

// Sums of squared deviations from `means`, as SampleStdDev() adds them.
std::vector<double> SquaredDeviations(const std::vector<absl::Span<const double>>& cols,
                                      const std::vector<double>& means) {
  const size_t m = cols.size();
  std::vector<double> out(m);
  for (size_t c0 = 0; c0 < m; c0 += kLanes) {
    const size_t lanes = std::min(kLanes, m - c0);
    const double* x[kLanes];
    double mean[kLanes];
    for (size_t l = 0; l < kLanes; ++l) {
      x[l] = cols[c0 + std::min(l, lanes - 1)].data();
      mean[l] = means[c0 + std::min(l, lanes - 1)];
    }
    double m2[kLanes] = {};
    for (size_t i = 0; i < cols[c0].size(); ++i) {
      for (size_t l = 0; l < kLanes; ++l) {
        const double d = x[l][i] - mean[l];
        m2[l] += d * d;
      }
    }
    for (size_t l = 0; l < lanes; ++l) out[c0 + l] = m2[l];
  }
  return out;
}

// Mean() of complete columns from their scans.
std::vector<double> MeansOf(const std::vector<ColumnScan>& scans, size_t n) {
  std::vector<double> means;
  for (const ColumnScan& s : scans) means.push_back(s.sum / static_cast<double>(n));
  return means;
}

// SampleStdDev() from a sum of squared deviations.
double SampleSd(double m2, size_t n) { return std::sqrt(m2 / (static_cast<double>(n) - 1)); }

// The preconditions every data-driven method shares: >= 2 regions, complete
// data, every indicator varies, directions are +-1 (one per column or none).
// Errors come in that order (the first missing cell column by column, then
// the first constant column), whatever the data. One pass over the data,
// whose scans are returned for the caller's statistics.
absl::StatusOr<std::vector<ColumnScan>> CheckInput(const DataMatrix& data,
                                                   absl::Span<const int> directions,
                                                   absl::string_view method) {
  if (absl::Status s = RequireRegions(data, 2, method); !s.ok()) return s;
  if (data.cols() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(method, " needs at least one indicator"));
  }
  std::vector<ColumnScan> scans = ScanColumns(ColumnsOf(data));
  for (const ColumnScan& scan : scans) {
    // NaN: a missing value (or +inf and -inf, which RequireComplete lets by).
    if (std::isnan(scan.sum)) {
      if (absl::Status s = RequireComplete(data, method); !s.ok()) return s;
      break;
    }
  }
  if (!directions.empty() && directions.size() != data.cols()) {
    return absl::InvalidArgumentError(absl::StrCat(method, ": got ", directions.size(),
                                                   " directions for ", data.cols(), " indicators"));
  }
  for (size_t c = 0; c < data.cols(); ++c) {
    if (scans[c].min == scans[c].max) {
      return absl::InvalidArgumentError(absl::StrCat(method, ": indicator '", data.indicators()[c],
                                                     "' has no variance (all values ", scans[c].min,
                                                     ")"));
    }
    if (!directions.empty() && directions[c] != 1 && directions[c] != -1) {
      return absl::InvalidArgumentError(absl::StrCat(method, ": direction of indicator '",
                                                     data.indicators()[c], "' must be +1 or -1"));
    }
  }
  return scans;
}

// The centred columns x_j - mean_j, as PearsonCorrelation centres them.
std::vector<std::vector<double>> Centred(const std::vector<absl::Span<const double>>& cols,
                                         const std::vector<double>& means) {
  std::vector<std::vector<double>> out(cols.size());
  for (size_t j = 0; j < cols.size(); ++j) {
    out[j].resize(cols[j].size());
    for (size_t i = 0; i < cols[j].size(); ++i) out[j][i] = cols[j][i] - means[j];
  }
  return out;
}

// S[j][k] = sum_i d_j[i] d_k[i] for the centred columns d (k >= j; the rest
// of the m x m row-major result is unspecified). Every S[j][k] is summed
// over i in increasing order starting from 0, exactly as PearsonCorrelation
// sums its cross products, so correlations built from S are bit-identical
// to it. The work is tiled: a 4 x 4 block of sums stays in registers while a
// chunk of rows that fits in the cache streams past, which makes CRITIC's
// O(n m^2) step about 30 times faster than m^2 separate correlations.
std::vector<double> CrossProducts(const std::vector<std::vector<double>>& d) {
  constexpr size_t kTile = 4;
  constexpr size_t kChunk = 256;  // rows per pass: 300 columns x 256 rows = 600 KB
  const size_t m = d.size();
  const size_t n = m == 0 ? 0 : d[0].size();
  const size_t padded = (m + kTile - 1) / kTile * kTile;
  // Zero columns pad the last tile; their sums are discarded.
  const std::vector<double> zeros(n, 0.0);
  auto column = [&](size_t j) { return j < m ? d[j].data() : zeros.data(); };
  std::vector<double> s(padded * padded, 0.0);
  for (size_t i0 = 0; i0 < n; i0 += kChunk) {
    const size_t i1 = std::min(n, i0 + kChunk);
    for (size_t j0 = 0; j0 < padded; j0 += kTile) {
      const double* a0 = column(j0);
      const double* a1 = column(j0 + 1);
      const double* a2 = column(j0 + 2);
      const double* a3 = column(j0 + 3);
      for (size_t k0 = j0; k0 < padded; k0 += kTile) {
        const double* b[kTile] = {column(k0), column(k0 + 1), column(k0 + 2), column(k0 + 3)};
        double acc[kTile][kTile];
        for (size_t r = 0; r < kTile; ++r) {
          for (size_t c = 0; c < kTile; ++c) acc[r][c] = s[(j0 + r) * padded + k0 + c];
        }
        for (size_t i = i0; i < i1; ++i) {
          const double x[kTile] = {a0[i], a1[i], a2[i], a3[i]};
          const double y[kTile] = {b[0][i], b[1][i], b[2][i], b[3][i]};
          for (size_t r = 0; r < kTile; ++r) {
            for (size_t c = 0; c < kTile; ++c) acc[r][c] += x[r] * y[c];
          }
        }
        for (size_t r = 0; r < kTile; ++r) {
          for (size_t c = 0; c < kTile; ++c) s[(j0 + r) * padded + k0 + c] = acc[r][c];
        }
      }
    }
  }
  // Back to an m x m layout.
  std::vector<double> out(m * m);
  for (size_t j = 0; j < m; ++j) {
    for (size_t k = 0; k < m; ++k) out[j * m + k] = s[j * padded + k];
  }
  return out;
}

// x' of one complete column: min-max onto [0, 1], reversed when direction
// is -1, with the arithmetic of NormaliseColumn (kMinMax, lower 0, upper 1;
// normalise.cc) operation for operation -- orient, subtract the oriented
// minimum, divide by the range, times the span (1), plus the lower bound (0,
// which also turns a -0 into +0) -- so the values are bit-identical to its,
// but from the range CheckInput found, without copies or missing-value
// checks. Returns the sum of the values, added in row order
// (std::accumulate's). O(n).
double UnitColumn(absl::Span<const double> x, const ColumnScan& scan, int direction,
                  std::vector<double>* out) {
  constexpr double kLower = 0;
  constexpr double kSpan = 1;
  const double d = direction;
  // min and max of d * x: exact negations of max and min for d = -1.
  const double lo = direction > 0 ? scan.min : -scan.max;
  const double hi = direction > 0 ? scan.max : -scan.min;
  const double range = hi - lo;
  out->resize(x.size());
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = kLower + (d * x[i] - lo) / range * kSpan;
    (*out)[i] = v;
    sum += v;
  }
  return sum;
}

// Rescales non-negative scores to sum 1.
absl::StatusOr<std::vector<double>> SumToOne(std::vector<double> w, absl::string_view method) {
  const double sum = std::accumulate(w.begin(), w.end(), 0.0);
  if (!(sum > 0) || !std::isfinite(sum)) {
    return absl::InvalidArgumentError(
        absl::StrCat(method, " gives every indicator zero weight (no discriminating information)"));
  }
  for (double& v : w) v /= sum;
  return w;
}

}  // namespace

absl::StatusOr<std::vector<double>> EntropyWeights(const DataMatrix& data,
                                                   absl::Span<const int> directions,
                                                   std::vector<double>* entropy) {
  constexpr absl::string_view kMethod = "entropy weights";
  absl::StatusOr<std::vector<ColumnScan>> scans = CheckInput(data, directions, kMethod);
  if (!scans.ok()) return scans.status();
  const double k = 1 / std::log(static_cast<double>(data.rows()));
  std::vector<double> divergence;
  if (entropy != nullptr) entropy->clear();
  std::vector<double> x;
  for (size_t c = 0; c < data.cols(); ++c) {
    // Each column holds a 1 (its best region), so the sum is >= 1.
    const double sum =
        UnitColumn(data.Column(c), (*scans)[c], directions.empty() ? 1 : directions[c], &x);
    double e = 0;
    for (double v : x) {
      const double p = v / sum;
      if (p > 0) e -= p * std::log(p);
    }
    divergence.push_back(1 - k * e);
    if (entropy != nullptr) entropy->push_back(k * e);
  }
  return SumToOne(std::move(divergence), kMethod);
}

absl::StatusOr<std::vector<double>> CriticWeights(const DataMatrix& data,
                                                  absl::Span<const int> directions,
                                                  std::vector<double>* information) {
  constexpr absl::string_view kMethod = "CRITIC weights";
  absl::StatusOr<std::vector<ColumnScan>> scans = CheckInput(data, directions, kMethod);
  if (!scans.ok()) return scans.status();
  const size_t m = data.cols();
  std::vector<std::vector<double>> unit(m);
  for (size_t j = 0; j < m; ++j) {
    UnitColumn(data.Column(j), (*scans)[j], directions.empty() ? 1 : directions[j], &unit[j]);
  }
  if (m == 1) {
    if (information != nullptr) *information = {SampleStdDev(unit[0])};
    return std::vector<double>{1.0};
  }
  // r_jk exactly as PearsonCorrelation(x'_j, x'_k) computes it (the data
  // are complete, so its pairwise filtering keeps every row), and sigma_j
  // as SampleStdDev(x'_j).
  const size_t n = data.rows();
  const std::vector<absl::Span<const double>> spans(unit.begin(), unit.end());
  const std::vector<double> means = MeansOf(ScanColumns(spans), n);
  const std::vector<double> m2 = SquaredDeviations(spans, means);
  const std::vector<double> s = CrossProducts(Centred(spans, means));
  auto correlation = [&](size_t j, size_t k) {
    const double sab = j < k ? s[j * m + k] : s[k * m + j];
    const double saa = s[j * m + j];
    const double sbb = s[k * m + k];
    if (saa <= 0 || sbb <= 0) return std::numeric_limits<double>::quiet_NaN();
    return sab / std::sqrt(saa * sbb);
  };
  std::vector<double> info(m, 0.0);
  for (size_t j = 0; j < m; ++j) {
    double conflict = 0;
    for (size_t k = 0; k < m; ++k) {
      if (k != j) conflict += 1 - correlation(j, k);
    }
    info[j] = SampleSd(m2[j], n) * conflict;
  }
  if (information != nullptr) *information = info;
  return SumToOne(std::move(info), kMethod);
}

absl::StatusOr<std::vector<double>> CoefficientOfVariationWeights(const DataMatrix& data,
                                                                  std::vector<double>* cv_out) {
  constexpr absl::string_view kMethod = "coefficient-of-variation weights";
  absl::StatusOr<std::vector<ColumnScan>> scans = CheckInput(data, {}, kMethod);
  if (!scans.ok()) return scans.status();
  const std::vector<double> means = MeansOf(*scans, data.rows());
  const std::vector<double> m2 = SquaredDeviations(ColumnsOf(data), means);
  std::vector<double> cv;
  for (size_t c = 0; c < data.cols(); ++c) {
    if (means[c] == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(kMethod, ": indicator '", data.indicators()[c], "' has mean 0"));
    }
    cv.push_back(SampleSd(m2[c], data.rows()) / std::fabs(means[c]));
  }
  if (cv_out != nullptr) *cv_out = cv;
  return SumToOne(std::move(cv), kMethod);
}

absl::StatusOr<PcaWeights> PcaWeightsOf(const DataMatrix& data, const PcaOptions& options) {
  constexpr absl::string_view kMethod = "PCA weights";
  absl::StatusOr<std::vector<ColumnScan>> scans = CheckInput(data, {}, kMethod);
  if (!scans.ok()) return scans.status();
  if (!std::isfinite(options.min_eigenvalue)) {
    return absl::InvalidArgumentError("PCA min_eigenvalue must be finite");
  }
  const size_t m = data.cols();
  // PearsonCorrelation of every pair, from one pass of cross products.
  const std::vector<double> s =
      CrossProducts(Centred(ColumnsOf(data), MeansOf(*scans, data.rows())));
  std::vector<std::vector<double>> corr(m, std::vector<double>(m, 1.0));
  for (size_t j = 0; j < m; ++j) {
    for (size_t k = j + 1; k < m; ++k) {
      corr[j][k] = corr[k][j] = s[j * m + k] / std::sqrt(s[j * m + j] * s[k * m + k]);
    }
  }
  absl::StatusOr<SymmetricEigen> eigen = EigenSymmetric(corr);
  if (!eigen.ok()) return eigen.status();
  PcaWeights out;
  out.eigenvalues = eigen->values;
  out.retained = 1;  // the first component always
  while (out.retained < m && eigen->values[out.retained] > options.min_eigenvalue) {
    ++out.retained;
  }
  std::vector<double> w(m, 0.0);
  for (size_t k = 0; k < out.retained; ++k) {
    const double lambda = std::max(0.0, eigen->values[k]);
    for (size_t j = 0; j < m; ++j) {
      w[j] += lambda * eigen->vectors[k][j] * eigen->vectors[k][j];
    }
  }
  absl::StatusOr<std::vector<double>> normalised = SumToOne(std::move(w), kMethod);
  if (!normalised.ok()) return normalised.status();
  out.weights = *std::move(normalised);
  return out;
}

}  // namespace innoscope::index
