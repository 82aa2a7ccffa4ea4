#pragma once

// Imputation of missing indicator values (OECD/JRC Handbook 2008, step 3;
// COINr Impute()). Cross-sectional methods fill a cell from the other
// regions of the same period; panel methods fill it from the same region in
// other periods. Every result lists the cells it filled, so that reports can
// flag imputed values. Cells that cannot be filled (an all-missing column or
// group, a gap at the start of a panel) stay missing and are not listed.
//
//   ASSIGN_OR_RETURN(ImputeResult r,
//                    Impute(data, ImputeMethod::kGroupMean, eurasia_group));
//   ASSIGN_OR_RETURN(PanelImputeResult p,
//                    ImputePanel(years, PanelImputeMethod::kLinear, {2019, 2020, 2021}));

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/common/enum_names.h"
#include "libs/index/data_matrix.h"

namespace innoscope::index {

enum class ImputeMethod {
  kNone,          // leave missing values missing
  kColumnMean,    // mean of the indicator over all regions
  kColumnMedian,  // median of the indicator over all regions
  kGroupMean,     // mean over the regions with the same group label
  kGroupMedian,   // median over the regions with the same group label
};

// The group methods, which need a group label per region.
constexpr bool IsGroupImputation(ImputeMethod method) {
  switch (method) {
    case ImputeMethod::kGroupMean:
    case ImputeMethod::kGroupMedian:
      return true;
    case ImputeMethod::kNone:
    case ImputeMethod::kColumnMean:
    case ImputeMethod::kColumnMedian:
      return false;
  }
  return false;
}

struct CellRef {
  size_t row = 0;
  size_t col = 0;
  bool operator==(const CellRef& o) const { return row == o.row && col == o.col; }
};

struct ImputeResult {
  DataMatrix data;
  std::vector<CellRef> imputed;  // column by column, rows ascending
};

// `groups` holds one label per region (row) and is required by the group
// methods: a region with an empty label belongs to no group and is not
// imputed. Errors: wrong number of labels. O(rows x cols) (median: expected
// linear per column via nth_element).
absl::StatusOr<ImputeResult> Impute(const DataMatrix& data, ImputeMethod method,
                                    absl::Span<const std::string> groups = {});

enum class PanelImputeMethod {
  // The region's latest earlier observed value (COINr "latest year").
  kCarryForward,
  // Linear interpolation in time between the region's nearest earlier and
  // later observed values; no extrapolation before the first or after the
  // last observation.
  kLinear,
};

struct PanelCellRef {
  size_t period = 0;
  size_t row = 0;
  size_t col = 0;
  bool operator==(const PanelCellRef& o) const {
    return period == o.period && row == o.row && col == o.col;
  }
};

struct PanelImputeResult {
  std::vector<DataMatrix> periods;
  std::vector<PanelCellRef> imputed;  // by period, then column, then row
};

// `periods` are the per-period matrices in time order; all must have the
// same regions and indicators in the same order (INVALID_ARGUMENT naming the
// first period that differs). `times` (e.g. years) must be strictly
// increasing, one per period; empty means 0, 1, 2, ... Only kLinear uses
// them. O(periods x rows x cols).
absl::StatusOr<PanelImputeResult> ImputePanel(const std::vector<DataMatrix>& periods,
                                              PanelImputeMethod method,
                                              absl::Span<const double> times = {});

}  // namespace innoscope::index

namespace innoscope {

// The names of the CLI (--impute) and of logs.
template <>
struct EnumNames<index::ImputeMethod> {
  static constexpr absl::string_view kWhat = "imputation";
  static constexpr EnumName<index::ImputeMethod> kRows[] = {
      {index::ImputeMethod::kNone, "none"},
      {index::ImputeMethod::kColumnMean, "mean"},
      {index::ImputeMethod::kColumnMedian, "median"},
      {index::ImputeMethod::kGroupMean, "group_mean"},
      {index::ImputeMethod::kGroupMedian, "group_median"},
  };
};

}  // namespace innoscope
