// Fuzzes scoring's run-spec reading (services/scoring/run_spec.h) with
// structured inputs (tests/fuzz/proto_fuzz.h): a RunSpec, the framework it
// names, and uncertainty assumptions. No input may crash ValidateRunSpec,
// ToPipelineSpec, SeriesId or ToUncertaintyAssumptions; a refusal is
// INVALID_ARGUMENT naming a field of the spec ("spec.") or of the
// assumptions ("assumptions."); the same input gives the same answer. A spec
// they accept is then run through the whole pipeline (libs/scoring
// RunPipeline) on a small matrix with a missing cell, under the sanitizers:
// what the validator lets through must not crash the computation, and
// its ranks stay within 0..regions.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "libs/clients/ingest_client.h"
#include "services/scoring/run_spec.h"
#include "tests/fuzz/fuzz_inputs.pb.h"
#include "tests/fuzz/proto_fuzz.h"

namespace {

namespace scoring = ::innoscope::scoring;
namespace index = ::innoscope::index;

void CheckRefusal(const absl::Status& status, absl::string_view prefix) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  FUZZ_CHECK(absl::StartsWith(status.message(), prefix));
}

// Regions x leaves, cell (r, c) = (r + 1) * (c + 2) with cell (1, 0) missing.
void RunOnSmallMatrix(const index::Framework& framework, const scoring::PipelineSpec& spec) {
  std::vector<std::string> leaves;
  for (int leaf : framework.Leaves()) leaves.push_back(framework.Node(leaf).code);
  index::DataMatrix data({"r1", "r2", "r3"}, leaves);
  for (size_t r = 0; r < data.rows(); ++r) {
    for (size_t c = 0; c < data.cols(); ++c) {
      if (r != 1 || c != 0) data.Set(r, c, static_cast<double>((r + 1) * (c + 2)));
    }
  }
  scoring::PipelineInputs inputs{framework, data};
  inputs.groups = {"a", "b", "a"};
  const auto result = scoring::RunPipeline(inputs, spec);
  if (!result.ok()) return;
  for (const std::vector<int>& ranks : result->ranks) {
    for (int rank : ranks) FUZZ_CHECK(rank >= 0 && rank <= static_cast<int>(data.rows()));
  }
}

}  // namespace

INNOSCOPE_PROTO_FUZZER(innoscope::fuzz::RunSpecInput, input) {
  const innoscope::scoring::v1::RunSpec& spec = input.spec();
  const absl::Status valid = scoring::ValidateRunSpec(spec);
  FUZZ_CHECK(valid == scoring::ValidateRunSpec(spec));
  const std::string series = scoring::SeriesId(spec);
  FUZZ_CHECK(series == scoring::SeriesId(spec) && absl::StartsWith(series, "series-"));

  const auto assumptions = scoring::ToUncertaintyAssumptions(input.assumptions());
  if (!assumptions.ok()) CheckRefusal(assumptions.status(), "assumptions.");

  if (!valid.ok()) {
    CheckRefusal(valid, "spec.");
    return;
  }
  (void)scoring::ToRankOptions(spec.presentation());
  const auto framework = innoscope::clients::FrameworkFromProto(input.framework());
  if (!framework.ok()) return;
  const auto pipeline = scoring::ToPipelineSpec(spec, *framework);
  if (!pipeline.ok()) {
    CheckRefusal(pipeline.status(), "spec.");
    return;
  }
  RunOnSmallMatrix(*framework, *pipeline);
}
