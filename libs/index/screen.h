#pragma once

// Screening by data availability (OECD/JRC Handbook 2008, step 3; COINr
// Screen(unit_screen = "byNA")): drops regions and indicators with too large
// a share of missing values, and says what it dropped.
//
// Availability of a region = share of its indicators that are present;
// of an indicator = share of regions. A row or column is dropped when its
// availability is strictly below the threshold (COINr's `Dat_Avail <
// dat_thresh`). Both availabilities are computed on the input, so the result
// does not depend on whether regions or indicators are screened first.
//
//   ScreenOptions opt;
//   opt.region_threshold = 0.9;   // COINr dat_thresh
//   ScreenResult r = Screen(data, opt);
//   for (const std::string& code : r.dropped_regions) ...

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/index/data_matrix.h"

namespace innoscope::index {

struct ScreenOptions {
  double region_threshold = 0.0;     // in [0, 1]; 0 keeps every region
  double indicator_threshold = 0.0;  // in [0, 1]; 0 keeps every indicator
};

struct ScreenResult {
  DataMatrix data;
  std::vector<std::string> dropped_regions;     // input order
  std::vector<std::string> dropped_indicators;  // input order
  std::vector<double> region_availability;      // per input region
  std::vector<double> indicator_availability;   // per input indicator
};

// INVALID_ARGUMENT for a threshold outside [0, 1]. O(rows x cols).
absl::StatusOr<ScreenResult> Screen(const DataMatrix& data, const ScreenOptions& options);

}  // namespace innoscope::index
