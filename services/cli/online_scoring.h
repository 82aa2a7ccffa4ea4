#pragma once

// Scoring through the scoring service, shared by `innoscope score` and
// `innoscope uncertainty` (score_command.cc, uncertainty_command.cc): the
// flags that only a stored framework can use, the translation of the
// pipeline flags of offline_scoring.h into an innoscope.scoring.v1 RunSpec,
// of the Monte Carlo flags into Assumptions, and the lists of periods.
// Pure (no calls): unit tested in tests/unit/services/cli/online_scoring_test.cc.
//
//   AddPipelineFlags(flags);
//   AddOnlineScoringFlags(flags);
//   ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
//   RETURN_IF_ERROR(CheckOnlineFlags(cmd.flags));
//   ASSIGN_OR_RETURN(scoring::v1::RunSpec spec, RunSpecFromFlags(cmd.flags, framework));
//   ASSIGN_OR_RETURN(std::vector<int32_t> periods, ParsePeriodList("2014-2022"));
//
// The service computes with the same libs/scoring pipeline as the files
// path, so the same framework, data and flags give the same scores
// (docs/cli.md, "Scoring through the service").

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/config/flags.h"
#include "libs/scoring/uncertainty_model.h"
#include "services/cli/cli_support.h"
#include "services/cli/offline_scoring.h"

namespace innoscope::cli {

// --weight_set, --weighting, --universe, --clusters, --cluster_aggregate,
// --tiers, --tier_nodes, --group_attribute, --label: what a run of a stored
// framework can do beyond the pipeline flags (AddPipelineFlags).
void AddOnlineScoringFlags(config::FlagSet& flags);

// Online use: INVALID_ARGUMENT naming the first flag given (on the command
// line or in the environment) that only applies to files (--region_column,
// --group_column, --normalisation_spec, --weights W.csv, --weights_scope),
// and what to use instead.
absl::Status CheckOnlineFlags(const config::ParsedFlags& flags);
// Use with files: INVALID_ARGUMENT naming the first of `online_only` given.
absl::Status CheckOfflineFlags(const config::ParsedFlags& flags,
                               const std::vector<std::string>& online_only);
// The flags AddOnlineScoringFlags adds.
const std::vector<std::string>& OnlineScoringFlagNames();

// "2023", "2014-2022" or a comma-separated list of both ("2014,2016-2018"):
// the periods in the order given. INVALID_ARGUMENT for a bad year or range,
// or a period listed twice.
absl::StatusOr<std::vector<int32_t>> ParsePeriodList(absl::string_view text);

// The run spec of the pipeline and online flags for `framework`, period 0
// (the caller sets it, or sends the periods). A flag left at its default
// leaves its field unset, so the spec is the one an API client would send.
// INVALID_ARGUMENT names the flag.
absl::StatusOr<scoring::v1::RunSpec> RunSpecFromFlags(const config::ParsedFlags& flags,
                                                      const FrameworkArg& framework);

// The Monte Carlo assumptions of the flags (uncertainty_command.cc) for a
// run of `spec`: each level with a non-zero range, the alternatives that
// differ from the spec's own normalisation and aggregation, and whether
// imputation and outlier treatment vary. The service's model
// (libs/scoring/uncertainty_model.h) then has the factors the files path
// has, in the same order (docs/cli.md, "Uncertainty").
scoring::v1::Assumptions AssumptionsFor(const scoring::UncertaintyAssumptions& assumptions,
                                        const scoring::v1::RunSpec& spec);

// The step of an aggregation spec (its method through libs/codecs).
scoring::v1::AggregationStep ToProtoAggregation(const scoring::AggregationSpec& spec);

// What to do when the scoring service cannot be reached.
inline constexpr char kScoringServiceHint[] =
    "is the scoring service running? Check with 'innoscope status', start the local stack "
    "(deploy/local/stack.sh start) or pass --scoring_address; without it, score files with "
    "--framework F.csv --data D.csv";

// Prints a scoring-service failure with what to do next; returns 1.
int FailOnline(const std::string& program, const absl::Status& status);

}  // namespace innoscope::cli
