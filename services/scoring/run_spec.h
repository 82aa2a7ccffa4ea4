#pragma once

// The pure parts of reading a run spec: validation that names the offending
// field, conversion of the protobuf spec into the options of libs/index and
// libs/scoring, tiers, and the content-derived ids of runs and uncertainty
// analyses. No I/O; unit tested in tests/unit/services/scoring/.
//
//   RETURN_IF_ERROR(ValidateRunSpec(spec));
//   ASSIGN_OR_RETURN(PipelineSpec pipeline, ToPipelineSpec(spec, framework));
//   std::string id = RunId(run);   // "run-" + 16 hex digits

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/index/framework.h"
#include "libs/index/normalise.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/clusters.h"
#include "libs/scoring/pipeline.h"
#include "libs/scoring/uncertainty_model.h"

namespace innoscope::scoring {

// The periods a run may score.
inline constexpr int kMinPeriod = 1900;
inline constexpr int kMaxPeriod = 2100;

// Checks what needs no framework: required fields and ranges. INVALID_ARGUMENT
// names the field ("spec.pipeline.screening.region_threshold: ...").
absl::Status ValidateRunSpec(const v1::RunSpec& spec);

// One normalisation or aggregation step; an enum value this build does not
// know is INVALID_ARGUMENT naming `field` (enums: libs/codecs/enum_codecs.h).
absl::StatusOr<index::NormaliseSpec> ToNormaliseSpec(const v1::Normalisation& normalisation,
                                                     absl::string_view field);
absl::StatusOr<AggregationSpec> ToAggregationSpec(const v1::AggregationStep& step,
                                                  absl::string_view field);

// Ranks tie as the presentation says (decimals, tolerance).
RankOptions ToRankOptions(const v1::Presentation& presentation);

// The pipeline options of a validated spec, checked against the framework
// (per-indicator normalisation of leaves only, aggregation levels that
// exist). Weights are left empty (the framework's fixed weights).
absl::StatusOr<PipelineSpec> ToPipelineSpec(const v1::RunSpec& spec,
                                            const index::Framework& framework);

// Tier of each region (1 = top, 0 = none) at one node under `rule`, from the
// node's scores and competition ranks. Errors name the node.
absl::StatusOr<std::vector<int>> TierColumn(const v1::Tiers& rule, const std::string& node,
                                            absl::Span<const double> scores,
                                            absl::Span<const int> ranks);

// "run-" + 16 hex digits from what determines a run's results: the spec
// without its label, the weight set, the data versions, the resolved
// universe, group labels and cluster memberships. Other fields are ignored.
std::string RunId(const v1::Run& run);

// "series-" + 16 hex digits from a spec as requested (framework version
// resolved, weights.compute not yet filled in) without its period and
// label: the runs of one spec over several periods share it.
std::string SeriesId(const v1::RunSpec& spec);

// "unc-" + 16 hex digits from the run id and the request without threads.
std::string UncertaintyId(const std::string& run_id, const v1::ComputeUncertaintyRequest& request);

// The request's uncertainty assumptions as the model's
// (libs/scoring/uncertainty_model.h, which checks levels and fractions);
// INVALID_ARGUMENT naming the field for an enum value or exponent no method
// has ("assumptions.normalisations[1]: unknown value 42").
absl::StatusOr<UncertaintyAssumptions> ToUncertaintyAssumptions(const v1::Assumptions& a);

}  // namespace innoscope::scoring
