#include "libs/index/screen.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/index/matrix_ops.h"

namespace innoscope::index {
namespace {

absl::Status CheckThreshold(double t, absl::string_view name) {
  if (!(t >= 0 && t <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat(name, " must be in [0, 1], got ", t));
  }
  return absl::OkStatus();
}

// Marks entries with availability below `threshold` as dropped and returns
// the keep mask.
std::vector<bool> Keep(const std::vector<double>& availability, double threshold,
                       const std::vector<std::string>& codes, std::vector<std::string>& dropped) {
  std::vector<bool> keep(availability.size());
  for (size_t i = 0; i < availability.size(); ++i) {
    keep[i] = !(availability[i] < threshold);
    if (!keep[i]) dropped.push_back(codes[i]);
  }
  return keep;
}

}  // namespace

absl::StatusOr<ScreenResult> Screen(const DataMatrix& data, const ScreenOptions& options) {
  if (absl::Status s = CheckThreshold(options.region_threshold, "region_threshold"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckThreshold(options.indicator_threshold, "indicator_threshold");
      !s.ok()) {
    return s;
  }
  ScreenResult result;
  std::vector<size_t> present_in_row(data.rows(), 0);
  result.indicator_availability.resize(data.cols(), 0.0);
  for (size_t c = 0; c < data.cols(); ++c) {
    size_t present = 0;
    for (size_t r = 0; r < data.rows(); ++r) {
      if (data.IsMissing(r, c)) continue;
      ++present;
      ++present_in_row[r];
    }
    // An empty table has nothing missing: availability 1.
    result.indicator_availability[c] =
        data.rows() == 0 ? 1.0 : static_cast<double>(present) / data.rows();
  }
  result.region_availability.resize(data.rows(), 0.0);
  for (size_t r = 0; r < data.rows(); ++r) {
    result.region_availability[r] =
        data.cols() == 0 ? 1.0 : static_cast<double>(present_in_row[r]) / data.cols();
  }
  const std::vector<bool> keep_rows = Keep(result.region_availability, options.region_threshold,
                                           data.regions(), result.dropped_regions);
  const std::vector<bool> keep_cols =
      Keep(result.indicator_availability, options.indicator_threshold, data.indicators(),
           result.dropped_indicators);
  result.data = Subset(data, keep_rows, keep_cols);
  return result;
}

}  // namespace innoscope::index
