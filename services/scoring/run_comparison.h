#pragma once

// The changes between two stored runs at one node (CompareRuns): the rows of
// that node in each run matched by region code, rank and score changes, the
// largest risers and fallers (libs/scoring/changes.h) and, for a leaf, the
// raw value's growth, its compound annual growth between the two runs'
// periods and its share of the current run's total. Pure: the service reads
// the rows and fills in the run ids. Unit tested in
// tests/unit/services/scoring/.
//
//   ASSIGN_OR_RETURN(v1::CompareRunsResponse r,
//                    CompareNodeRows(rows_2022, 2022, rows_2023, 2023, /*leaf=*/true, 5));

#include <cstddef>
#include <vector>

#include "absl/status/statusor.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "services/scoring/run_results.h"

namespace innoscope::scoring {

// One change per region (or cluster) present in either run, by code; each
// run keeps its own ranks (a region absent from one run has no rank change).
// Risers and fallers: the `movers` largest moves each way. For a leaf
// (`leaf`): raw_growth = current / previous - 1 (unset from a base <= 0),
// raw_cagr = GrowthBetweenPeriods (unset for equal periods, values missing
// or <= 0) and raw_share = 100 x current / the current run's total (unset
// when the current values are not all >= 0 with a positive total).
// Also sets period and previous_period; not the run ids or node code.
absl::StatusOr<v1::CompareRunsResponse> CompareNodeRows(const std::vector<RunResultRow>& previous,
                                                        int previous_period,
                                                        const std::vector<RunResultRow>& current,
                                                        int current_period, bool leaf,
                                                        size_t movers);

}  // namespace innoscope::scoring
