#pragma once

// Denomination: turns extensive indicators (trade in USD, patents) into
// intensive ones (per GDP, per capita) by dividing each by a denominator
// variable, as COINr's Denominate() does (OECD/JRC Handbook 2008, step 3,
// "scaling by size").
//
// Which indicator is divided by what comes from the framework (a leaf's
// `denominator` code, COINr's iMeta Denominator column) or is given
// explicitly. Denominator values come from a second DataMatrix whose rows
// are matched to the data by region code, so it may list more regions or
// another order. A missing denominator makes the cell missing; a zero one
// (where COINr would produce Inf or NaN) too, and such cells are reported.
//
//   std::vector<DenominatorSpec> specs = DenominatorSpecsFromFramework(f);
//   ASSIGN_OR_RETURN(DenominateResult r, Denominate(data, denoms, specs));
//   Use(r.data);

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"

namespace innoscope::index {

struct DenominatorSpec {
  std::string indicator;    // column of the data to divide
  std::string denominator;  // column of the denominators matrix
  double scale = 1.0;       // result = value / denominator * scale
};

// One spec per leaf with a non-empty `denominator`, in Leaves() order.
std::vector<DenominatorSpec> DenominatorSpecsFromFramework(const Framework& framework);

struct DenominateResult {
  DataMatrix data;
  // Cells set missing because the quotient is undefined (zero denominator,
  // or overflow), as "region/indicator".
  std::vector<std::string> undefined_cells;
};

// Errors (INVALID_ARGUMENT): an indicator or denominator column that does
// not exist, an indicator named twice, a region of `data` absent from
// `denominators`, a non-finite or zero scale. O(rows x specs).
absl::StatusOr<DenominateResult> Denominate(const DataMatrix& data, const DataMatrix& denominators,
                                            const std::vector<DenominatorSpec>& specs);

}  // namespace innoscope::index
