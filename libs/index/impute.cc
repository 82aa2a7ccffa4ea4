#include "libs/index/impute.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/index/stats.h"

namespace innoscope::index {
namespace {

// Row sets that impute from each other: one set of all rows for the column
// methods, one per non-empty label for the group methods. std::map keeps the
// order deterministic.
std::vector<std::vector<size_t>> Pools(size_t rows, bool by_group,
                                       absl::Span<const std::string> groups) {
  if (!by_group) {
    std::vector<size_t> all(rows);
    for (size_t r = 0; r < rows; ++r) all[r] = r;
    return {all};
  }
  std::map<std::string, std::vector<size_t>> by_label;
  for (size_t r = 0; r < rows; ++r) {
    if (!groups[r].empty()) by_label[groups[r]].push_back(r);
  }
  std::vector<std::vector<size_t>> pools;
  for (auto& [label, members] : by_label) pools.push_back(std::move(members));
  return pools;
}

absl::Status CheckSameShape(const DataMatrix& first, const DataMatrix& other, size_t period) {
  if (other.regions() != first.regions()) {
    return absl::InvalidArgumentError(
        absl::StrCat("period ", period,
                     " lists other regions than period 0 (panel periods "
                     "must share regions in the same order)"));
  }
  if (other.indicators() != first.indicators()) {
    return absl::InvalidArgumentError(
        absl::StrCat("period ", period,
                     " lists other indicators than period 0 (panel periods "
                     "must share indicators in the same order)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ImputeResult> Impute(const DataMatrix& data, ImputeMethod method,
                                    absl::Span<const std::string> groups) {
  ImputeResult result{data, {}};
  bool median = false;
  switch (method) {
    case ImputeMethod::kNone:
      return result;
    case ImputeMethod::kColumnMean:
    case ImputeMethod::kGroupMean:
      break;
    case ImputeMethod::kColumnMedian:
    case ImputeMethod::kGroupMedian:
      median = true;
      break;
  }
  const bool by_group = IsGroupImputation(method);
  if (by_group && groups.size() != data.rows()) {
    return absl::InvalidArgumentError(
        absl::StrCat("group imputation needs one group label per region: got ", groups.size(),
                     " labels for ", data.rows(), " regions"));
  }
  const std::vector<std::vector<size_t>> pools = Pools(data.rows(), by_group, groups);
  std::vector<double> values;
  for (size_t c = 0; c < data.cols(); ++c) {
    absl::Span<double> column = result.data.MutableColumn(c);
    for (const std::vector<size_t>& pool : pools) {
      values.clear();
      for (size_t r : pool) values.push_back(column[r]);
      const double fill = median ? Median(values) : Mean(values);
      if (IsMissingValue(fill)) continue;  // nothing observed in this pool
      for (size_t r : pool) {
        if (IsMissingValue(column[r])) {
          column[r] = fill;
          result.imputed.push_back({r, c});
        }
      }
    }
  }
  // Pools interleave rows for group methods; report in row order per column.
  std::stable_sort(result.imputed.begin(), result.imputed.end(),
                   [](const CellRef& a, const CellRef& b) {
                     return a.col != b.col ? a.col < b.col : a.row < b.row;
                   });
  return result;
}

absl::StatusOr<PanelImputeResult> ImputePanel(const std::vector<DataMatrix>& periods,
                                              PanelImputeMethod method,
                                              absl::Span<const double> times) {
  PanelImputeResult result{periods, {}};
  if (periods.empty()) return result;
  for (size_t p = 1; p < periods.size(); ++p) {
    if (absl::Status s = CheckSameShape(periods[0], periods[p], p); !s.ok()) return s;
  }
  std::vector<double> t(times.begin(), times.end());
  if (t.empty()) {
    for (size_t p = 0; p < periods.size(); ++p) t.push_back(static_cast<double>(p));
  }
  if (t.size() != periods.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("got ", t.size(), " period times for ", periods.size(), " periods"));
  }
  for (size_t p = 0; p < t.size(); ++p) {
    if (!std::isfinite(t[p]) || (p > 0 && !(t[p] > t[p - 1]))) {
      return absl::InvalidArgumentError(
          absl::StrCat("period times must be finite and strictly increasing (period ", p, ")"));
    }
  }

  const size_t rows = periods[0].rows();
  const size_t cols = periods[0].cols();
  // One pass over each region's time series; `last` is the latest observed
  // period so far (in the original data, so filled values never propagate
  // into interpolation endpoints).
  for (size_t c = 0; c < cols; ++c) {
    for (size_t r = 0; r < rows; ++r) {
      long last = -1;
      for (size_t p = 0; p < periods.size(); ++p) {
        if (!periods[p].IsMissing(r, c)) {
          if (method == PanelImputeMethod::kLinear && last >= 0) {
            const double v0 = periods[last].Get(r, c);
            const double v1 = periods[p].Get(r, c);
            for (size_t q = static_cast<size_t>(last) + 1; q < p; ++q) {
              const double f = (t[q] - t[last]) / (t[p] - t[last]);
              result.periods[q].Set(r, c, v0 + f * (v1 - v0));
              result.imputed.push_back({q, r, c});
            }
          }
          last = static_cast<long>(p);
        } else if (method == PanelImputeMethod::kCarryForward && last >= 0) {
          result.periods[p].Set(r, c, periods[last].Get(r, c));
          result.imputed.push_back({p, r, c});
        }
      }
    }
  }
  std::sort(result.imputed.begin(), result.imputed.end(),
            [](const PanelCellRef& a, const PanelCellRef& b) {
              if (a.period != b.period) return a.period < b.period;
              return a.col != b.col ? a.col < b.col : a.row < b.row;
            });
  return result;
}

}  // namespace innoscope::index
