#pragma once

// Scoring from files, shared by `innoscope score` and `innoscope
// uncertainty` (score_command.cc, uncertainty_command.cc): the flags that
// describe a pipeline, reading the framework and data files they name into
// a scoring::PipelineSpec and its inputs, and those inputs handed to the
// uncertainty model of libs/scoring (the scoring service's).
//
//   config::FlagSet flags = CommandFlags("score", "...", {});
//   AddPipelineFlags(flags);
//   ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
//   ASSIGN_OR_RETURN(OfflineScoring s, LoadOfflineScoring(cmd.flags));
//   ASSIGN_OR_RETURN(scoring::PipelineResult r, scoring::RunPipeline(s.Inputs(), s.spec));
//
// Everything computed comes from libs/index and libs/scoring; this file only
// translates flags and files into their types.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/config/flags.h"
#include "libs/scoring/pipeline.h"
#include "libs/scoring/uncertainty_model.h"
#include "services/cli/score_files.h"

namespace innoscope::cli {

// --data, --region_column, --normalise, --scale, --normalisation_spec,
// --aggregate, --aggregate_by_level, --non_positive, --shift, --missing,
// --weights, --weights_scope, --denominate, --impute, --group_column,
// --screen_regions, --screen_indicators, --treat_outliers, --rank_decimals,
// --published_form. (--framework is the command's own: a file here, a
// stored framework online.)
void AddPipelineFlags(config::FlagSet& flags);

// The pipeline the flags describe, without files: normalisation and scale,
// aggregation (by level, non-positive values, missing children, published
// form), imputation method, denomination, screening, outlier treatment and
// rank decimals; weights are left empty. INVALID_ARGUMENT names the flag.
// Shared with scoring through the service (online_scoring.h).
absl::StatusOr<scoring::PipelineSpec> PipelineSpecFromFlags(const config::ParsedFlags& flags);

struct OfflineScoring {
  FrameworkFile framework;
  ScoringData data;
  scoring::PipelineSpec spec;

  // The inputs RunPipeline reads; they point into this object.
  scoring::PipelineInputs Inputs() const;
};

// Reads --framework (a file) and --data and builds the spec from the flags.
// INVALID_ARGUMENT names the flag or the file (with line and column) that is
// wrong; NOT_FOUND a file that does not exist.
absl::StatusOr<OfflineScoring> LoadOfflineScoring(const config::ParsedFlags& flags);

// "0.25" (the same x for every level below the root) or "1=0.25,2=0.1"
// (per level; levels not listed stay fixed). Each x in [0, 1).
absl::StatusOr<std::map<int, double>> ParseWeightRange(const std::string& text, int max_level);

// The inputs of the uncertainty model (libs/scoring/uncertainty_model.h, the
// service's own) for the files: the data, denominators and group labels as
// read, and the spec with the local weights of the nominal run `nominal`.
std::shared_ptr<const scoring::UncertaintyInputs> UncertaintyInputsOf(
    const OfflineScoring& offline, const scoring::PipelineResult& nominal);

}  // namespace innoscope::cli
