#include "libs/index/outliers.h"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/index/stats.h"

namespace innoscope::index {
namespace {

struct Check {
  bool checkable = false;
  double skewness = 0;
  double kurtosis = 0;
  bool passes = true;
};

Check RunCheck(absl::Span<const double> x, const OutlierOptions& options) {
  Check c;
  const SkewKurtosis sk = SampleSkewnessAndKurtosis(x);
  c.skewness = sk.skewness;
  c.kurtosis = sk.kurtosis;
  c.checkable = !std::isnan(c.skewness) && !std::isnan(c.kurtosis);
  c.passes = !c.checkable || std::fabs(c.skewness) < options.skew_threshold ||
             c.kurtosis < options.kurtosis_threshold;
  return c;
}

// One winsorisation step on the high (or low) side: every point equal to
// the extreme takes the next distinct value. Returns the rows moved, or an
// empty vector when all present values are equal (nothing to move to).
std::vector<size_t> WinsoriseStep(std::vector<double>& x, bool high) {
  const ValueRange range = RangeOf(x);
  const double extreme = high ? range.max : range.min;
  bool found_next = false;
  double next = 0;
  for (double v : x) {
    if (IsMissingValue(v) || v == extreme) continue;
    if (!found_next || (high ? v > next : v < next)) next = v;
    found_next = true;
  }
  std::vector<size_t> moved;
  if (!found_next) return moved;
  for (size_t r = 0; r < x.size(); ++r) {
    if (x[r] == extreme) {
      x[r] = next;
      moved.push_back(r);
    }
  }
  return moved;
}

// log(x - min + a), or the mirror -log(max + a - x), a = 0.01 (max - min).
// Both arguments are >= a > 0 for a checkable (non-constant) column.
std::vector<double> LogTransform(absl::Span<const double> x, bool mirror) {
  const ValueRange range = RangeOf(x);
  const double a = 0.01 * (range.max - range.min);
  std::vector<double> out(x.begin(), x.end());
  for (double& v : out) {
    if (IsMissingValue(v)) continue;
    v = mirror ? -std::log(range.max + a - v) : std::log(v - range.min + a);
  }
  return out;
}

absl::Status ValidateOptions(const OutlierOptions& options) {
  if (!(std::isfinite(options.skew_threshold) && options.skew_threshold >= 0) ||
      !std::isfinite(options.kurtosis_threshold)) {
    return absl::InvalidArgumentError("outlier thresholds must be finite (skew_threshold >= 0)");
  }
  if (options.max_winsorised < 0) {
    return absl::InvalidArgumentError("max_winsorised must be >= 0");
  }
  return absl::OkStatus();
}

}  // namespace

bool PassesSkewKurtosisCheck(absl::Span<const double> x, const OutlierOptions& options) {
  return RunCheck(x, options).passes;
}

absl::StatusOr<ColumnTreatment> TreatOutlierColumn(absl::Span<const double> x,
                                                   const OutlierOptions& options) {
  if (absl::Status s = ValidateOptions(options); !s.ok()) return s;
  ColumnTreatment out;
  out.values.assign(x.begin(), x.end());
  OutlierReport& rep = out.report;
  Check check = RunCheck(x, options);
  rep.checkable = check.checkable;
  rep.skewness = check.skewness;
  rep.kurtosis = check.kurtosis;
  rep.needs_treatment = !check.passes;

  // COINr counts the points of the latest step on each side; since a side's
  // earlier points sit at its current extreme, that is every point moved.
  std::vector<size_t> high_rows;
  std::vector<size_t> low_rows;
  while (!check.passes &&
         static_cast<int>(high_rows.size() + low_rows.size()) < options.max_winsorised) {
    // check holds the skewness of out.values as they are now.
    const bool high = check.skewness >= 0;
    std::vector<size_t> moved = WinsoriseStep(out.values, high);
    if (moved.empty()) break;
    (high ? high_rows : low_rows) = std::move(moved);
    check = RunCheck(out.values, options);
  }

  if (!check.passes && options.log_fallback) {
    rep.log_mirrored = options.mirror_log_for_negative_skew && !(rep.skewness > 0);
    rep.log_transformed = true;
    out.values = LogTransform(x, rep.log_mirrored);
    high_rows.clear();
    low_rows.clear();
    check = RunCheck(out.values, options);
  }

  rep.winsorised_rows = std::move(low_rows);
  rep.winsorised_rows.insert(rep.winsorised_rows.end(), high_rows.begin(), high_rows.end());
  std::sort(rep.winsorised_rows.begin(), rep.winsorised_rows.end());
  rep.winsorised = static_cast<int>(rep.winsorised_rows.size());
  rep.final_skewness = check.skewness;
  rep.final_kurtosis = check.kurtosis;
  rep.passes = check.passes;
  return out;
}

absl::StatusOr<OutlierResult> TreatOutliers(const DataMatrix& data, const OutlierOptions& options) {
  OutlierResult result{data, {}};
  for (size_t c = 0; c < data.cols(); ++c) {
    absl::StatusOr<ColumnTreatment> t = TreatOutlierColumn(data.Column(c), options);
    if (!t.ok()) return t.status();
    absl::Span<double> column = result.data.MutableColumn(c);
    std::copy(t->values.begin(), t->values.end(), column.begin());
    t->report.indicator = data.indicators()[c];
    result.reports.push_back(std::move(t->report));
  }
  return result;
}

}  // namespace innoscope::index
