#pragma once

// Outlier treatment by the skewness/kurtosis rule of the JRC COIN tools, the
// Global Innovation Index and COINr's Treat() defaults (COINr R/treat.R:
// winsorise(), check_SkewKurt(), log_CT(), log_CT_plus()).
//
// An indicator FAILS the check, and is treated, when
//     |skewness| >= skew_threshold  AND  excess kurtosis >= kurtosis_threshold
// i.e. it passes when either is under its threshold (COINr: "abs(skew) <
// skew_thresh OR kurt < kurt_thresh"). Skewness and kurtosis are the sample
// statistics of Excel SKEW/KURT (stats.h), over the present values.
//
// Treatment of a failing indicator:
//  1. Winsorise one step at a time on the side the skewness points to
//     (skewness >= 0: the high side): every point equal to the current
//     extreme takes the next distinct value. Re-check after each step; stop
//     when it passes or when max_winsorised points have been changed. Ties
//     move together, so the count can overshoot the limit (as in COINr).
//  2. If it still fails and log_fallback is set, discard the winsorisation
//     and log-transform the ORIGINAL values (COINr's combine_treat = FALSE):
//       skewness > 0:  log(x - min + a),   a = 0.01 (max - min)   (log_CT)
//       otherwise:    -log(max + a - x)                            (mirror)
//     The mirror (COINr's log_CT_plus) keeps the order of the values and
//     pulls in a long LOW tail; COINr's default log_CT applies the first form
//     regardless of the sign, which would stretch a low tail instead. Set
//     mirror_log_for_negative_skew = false for COINr's default.
// Columns with fewer than 4 present values or no variance have undefined
// kurtosis and are left untouched (COINr returns them untreated as well).
//
// O(max_winsorised x n) per indicator; missing values stay missing.
//
//   OutlierOptions opt;                         // COINr defaults
//   ASSIGN_OR_RETURN(OutlierResult r, TreatOutliers(data, opt));
//   for (const OutlierReport& rep : r.reports)
//     if (rep.winsorised > 0) ...

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/index/data_matrix.h"

namespace innoscope::index {

struct OutlierOptions {
  double skew_threshold = 2.0;               // COINr skew_thresh
  double kurtosis_threshold = 3.5;           // COINr kurt_thresh (excess kurtosis)
  int max_winsorised = 5;                    // COINr winmax
  bool log_fallback = true;                  // COINr f2 = log_CT
  bool mirror_log_for_negative_skew = true;  // log_CT_plus convention
};

struct OutlierReport {
  std::string indicator;
  // False when skewness or kurtosis is undefined (n < 4, no variance).
  bool checkable = false;
  double skewness = 0;           // of the input
  double kurtosis = 0;           // excess, of the input
  bool needs_treatment = false;  // the input failed the check
  // Points changed by winsorisation in the OUTPUT (0 when the log fallback
  // replaced the winsorised values), and their rows.
  int winsorised = 0;
  std::vector<size_t> winsorised_rows;
  bool log_transformed = false;
  bool log_mirrored = false;  // the -log(max + a - x) form was used
  double final_skewness = 0;
  double final_kurtosis = 0;
  bool passes = true;  // the output passes the check (or is not checkable)
};

struct ColumnTreatment {
  std::vector<double> values;
  OutlierReport report;  // `indicator` left empty
};

// True when the column passes the check (or is not checkable).
bool PassesSkewKurtosisCheck(absl::Span<const double> x, const OutlierOptions& options);

// Treats one column. INVALID_ARGUMENT for negative or non-finite thresholds
// or a negative max_winsorised.
absl::StatusOr<ColumnTreatment> TreatOutlierColumn(absl::Span<const double> x,
                                                   const OutlierOptions& options);

struct OutlierResult {
  DataMatrix data;
  std::vector<OutlierReport> reports;  // one per indicator, column order
};

absl::StatusOr<OutlierResult> TreatOutliers(const DataMatrix& data, const OutlierOptions& options);

}  // namespace innoscope::index
