#include "libs/index/matrix_ops.h"

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace innoscope::index {

std::string DescribeCell(const DataMatrix& data, size_t row, size_t col) {
  return absl::StrCat("region '", data.regions()[row], "', indicator '", data.indicators()[col],
                      "'");
}

absl::StatusOr<DataMatrix> SelectIndicators(const DataMatrix& data,
                                            absl::Span<const std::string> codes) {
  std::unordered_map<std::string, size_t> index;
  for (size_t c = 0; c < data.cols(); ++c) index.emplace(data.indicators()[c], c);
  DataMatrix out(data.regions(), std::vector<std::string>(codes.begin(), codes.end()));
  for (size_t k = 0; k < codes.size(); ++k) {
    auto it = index.find(codes[k]);
    if (it == index.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("indicator '", codes[k], "' is not in the data"));
    }
    absl::Span<const double> from = data.Column(it->second);
    absl::Span<double> to = out.MutableColumn(k);
    for (size_t r = 0; r < from.size(); ++r) to[r] = from[r];
  }
  return out;
}

DataMatrix Subset(const DataMatrix& data, const std::vector<bool>& keep_rows,
                  const std::vector<bool>& keep_cols) {
  std::vector<std::string> regions;
  std::vector<size_t> rows;
  for (size_t r = 0; r < data.rows(); ++r) {
    if (keep_rows[r]) {
      regions.push_back(data.regions()[r]);
      rows.push_back(r);
    }
  }
  std::vector<std::string> indicators;
  std::vector<size_t> cols;
  for (size_t c = 0; c < data.cols(); ++c) {
    if (keep_cols[c]) {
      indicators.push_back(data.indicators()[c]);
      cols.push_back(c);
    }
  }
  DataMatrix out(std::move(regions), std::move(indicators));
  for (size_t k = 0; k < cols.size(); ++k) {
    for (size_t i = 0; i < rows.size(); ++i) {
      out.Set(i, k, data.Get(rows[i], cols[k]));
    }
  }
  return out;
}

absl::Status RequireComplete(const DataMatrix& data, absl::string_view method) {
  for (size_t c = 0; c < data.cols(); ++c) {
    for (size_t r = 0; r < data.rows(); ++r) {
      if (data.IsMissing(r, c)) {
        return absl::InvalidArgumentError(absl::StrCat(method, " needs complete data; ",
                                                       DescribeCell(data, r, c),
                                                       " is missing (impute or screen first)"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status RequireRegions(const DataMatrix& data, size_t min_regions, absl::string_view method) {
  if (data.rows() < min_regions) {
    return absl::InvalidArgumentError(
        absl::StrCat(method, " needs at least ", min_regions, " regions, got ", data.rows()));
  }
  return absl::OkStatus();
}

std::vector<double> PresentValues(absl::Span<const double> column) {
  std::vector<double> out;
  out.reserve(column.size());
  for (double v : column) {
    if (!IsMissingValue(v)) out.push_back(v);
  }
  return out;
}

}  // namespace innoscope::index
