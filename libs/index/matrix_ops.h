#pragma once

// Small operations on DataMatrix shared by the index methods: selecting and
// reordering columns or rows, naming a cell in an error message, and the
// preconditions the data-driven methods check (complete data, enough
// regions).
//
//   ASSIGN_OR_RETURN(DataMatrix leaves,
//                    SelectIndicators(raw, framework.LeafCodes()));
//   RETURN_IF_ERROR(RequireComplete(leaves, "entropy weights"));

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "libs/index/data_matrix.h"

namespace innoscope::index {

// "region 'AUT', indicator 'LPI'": how every error message names a cell.
std::string DescribeCell(const DataMatrix& data, size_t row, size_t col);

// The columns named by `codes`, in that order. INVALID_ARGUMENT naming the
// first code that `data` lacks. O(rows x codes + cols).
absl::StatusOr<DataMatrix> SelectIndicators(const DataMatrix& data,
                                            absl::Span<const std::string> codes);

// The rows and columns whose mask entry is true, in their original order.
// Masks must have rows() and cols() entries.
DataMatrix Subset(const DataMatrix& data, const std::vector<bool>& keep_rows,
                  const std::vector<bool>& keep_cols);

// INVALID_ARGUMENT naming the first missing cell (column by column):
// `method` says who needs complete data, e.g. "entropy weights".
absl::Status RequireComplete(const DataMatrix& data, absl::string_view method);

// INVALID_ARGUMENT unless data has at least `min_regions` rows.
absl::Status RequireRegions(const DataMatrix& data, size_t min_regions, absl::string_view method);

// The non-missing values of a column, in row order.
std::vector<double> PresentValues(absl::Span<const double> column);

}  // namespace innoscope::index
