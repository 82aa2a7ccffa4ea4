#pragma once

// DataMatrix: the regions x indicators table of one period that every index
// method works on. Values are stored column-major (one indicator's values
// for all regions are contiguous) because almost every method works one
// indicator at a time. A missing value is NaN inside this in-memory table
// only; storage and the wire format keep missing values absent.
//
//   DataMatrix m({"CN-BJ", "CN-SH"}, {"patents", "firms"});
//   m.Set(0, 1, 412.0);          // region 0, indicator 1
//   if (m.IsMissing(1, 0)) ...
//   absl::Span<const double> firms = m.Column(1);

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace innoscope::index {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

inline bool IsMissingValue(double v) { return std::isnan(v); }

class DataMatrix {
 public:
  DataMatrix() = default;
  // All cells start missing.
  DataMatrix(std::vector<std::string> regions, std::vector<std::string> indicators)
      : regions_(std::move(regions)),
        indicators_(std::move(indicators)),
        values_(regions_.size() * indicators_.size(), kMissing) {}

  size_t rows() const { return regions_.size(); }
  size_t cols() const { return indicators_.size(); }
  const std::vector<std::string>& regions() const { return regions_; }
  const std::vector<std::string>& indicators() const { return indicators_; }

  double Get(size_t row, size_t col) const { return values_[col * rows() + row]; }
  void Set(size_t row, size_t col, double v) { values_[col * rows() + row] = v; }
  bool IsMissing(size_t row, size_t col) const { return IsMissingValue(Get(row, col)); }

  absl::Span<const double> Column(size_t col) const {
    return absl::Span<const double>(values_.data() + col * rows(), rows());
  }
  absl::Span<double> MutableColumn(size_t col) {
    return absl::Span<double>(values_.data() + col * rows(), rows());
  }

  // Index of a region or indicator code, or -1 when absent. Linear scan:
  // callers that look up many codes build their own map.
  int RegionIndex(const std::string& code) const { return Find(regions_, code); }
  int IndicatorIndex(const std::string& code) const { return Find(indicators_, code); }

 private:
  static int Find(const std::vector<std::string>& v, const std::string& code) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == code) return static_cast<int>(i);
    }
    return -1;
  }

  std::vector<std::string> regions_;
  std::vector<std::string> indicators_;
  std::vector<double> values_;
};

}  // namespace innoscope::index
