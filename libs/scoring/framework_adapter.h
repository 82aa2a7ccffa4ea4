#pragma once

// The bridge from index::Framework (the full indicator metadata) to the
// AggregationTree that scoring aggregates through. Kept in its own target,
// innoscope_scoring_framework, so that the rest of libs/scoring does not
// depend on libs/index.
//
//   ASSIGN_OR_RETURN(std::vector<double> local,
//                    index::FixedWeights(framework));
//   ASSIGN_OR_RETURN(AggregationTree tree,
//                    AggregationTreeFromFramework(framework, local));
//   ASSIGN_OR_RETURN(index::DataMatrix scores,
//                    Aggregate(tree, normalised_leaves, options));

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/index/framework.h"
#include "libs/scoring/aggregation_tree.h"

namespace innoscope::scoring {

// Node ids, codes, children and levels are the framework's; `weights` has
// one entry per framework node (any weighting method's output: local or
// global weights both work, since only ratios among siblings matter).
// INVALID_ARGUMENT for a weight count that differs from the node count or
// weights AggregationTree::Create rejects. O(n).
absl::StatusOr<AggregationTree> AggregationTreeFromFramework(const index::Framework& framework,
                                                             absl::Span<const double> weights);

}  // namespace innoscope::scoring
