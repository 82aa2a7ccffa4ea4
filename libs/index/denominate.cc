#include "libs/index/denominate.h"

#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace innoscope::index {

std::vector<DenominatorSpec> DenominatorSpecsFromFramework(const Framework& framework) {
  std::vector<DenominatorSpec> specs;
  for (int id : framework.Leaves()) {
    const FrameworkNode& node = framework.Node(id);
    if (!node.denominator.empty()) specs.push_back({node.code, node.denominator, 1.0});
  }
  return specs;
}

absl::StatusOr<DenominateResult> Denominate(const DataMatrix& data, const DataMatrix& denominators,
                                            const std::vector<DenominatorSpec>& specs) {
  // Row of `denominators` for each row of `data`.
  std::unordered_map<std::string, size_t> denom_row_of;
  for (size_t r = 0; r < denominators.rows(); ++r) {
    denom_row_of.emplace(denominators.regions()[r], r);
  }
  std::vector<size_t> denom_row(data.rows());
  for (size_t r = 0; r < data.rows(); ++r) {
    auto it = denom_row_of.find(data.regions()[r]);
    if (it == denom_row_of.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("region '", data.regions()[r], "' has no row in the denominators"));
    }
    denom_row[r] = it->second;
  }

  DenominateResult result{data, {}};
  std::unordered_set<std::string> done;
  for (const DenominatorSpec& spec : specs) {
    const int col = data.IndicatorIndex(spec.indicator);
    if (col < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("indicator '", spec.indicator, "' to denominate is not in the data"));
    }
    const int dcol = denominators.IndicatorIndex(spec.denominator);
    if (dcol < 0) {
      return absl::InvalidArgumentError(absl::StrCat("denominator '", spec.denominator,
                                                     "' of indicator '", spec.indicator,
                                                     "' is not in the denominators"));
    }
    if (!std::isfinite(spec.scale) || spec.scale == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("indicator '", spec.indicator, "': scale must be finite and non-zero"));
    }
    if (!done.insert(spec.indicator).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("indicator '", spec.indicator, "' is denominated twice"));
    }
    absl::Span<double> out = result.data.MutableColumn(col);
    for (size_t r = 0; r < data.rows(); ++r) {
      const double d = denominators.Get(denom_row[r], dcol);
      if (IsMissingValue(out[r]) || IsMissingValue(d)) {
        out[r] = kMissing;
      } else {
        const double q = out[r] / d * spec.scale;
        out[r] = std::isfinite(q) ? q : kMissing;
        if (!std::isfinite(q)) {
          result.undefined_cells.push_back(absl::StrCat(data.regions()[r], "/", spec.indicator));
        }
      }
    }
  }
  return result;
}

}  // namespace innoscope::index
