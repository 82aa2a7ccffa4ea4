#pragma once

// What `innoscope ranking` and `innoscope report` read from the scoring and
// ingest services: the run to show (an id, or the newest run of a framework
// and period), its rankings page by page, every result row, and region
// names.
//
//   ASSIGN_OR_RETURN(sv1::Run run, ResolveRun(*scoring, framework, 2022, "", timeout));
//   ASSIGN_OR_RETURN(std::vector<sv1::RankingEntry> ranking,
//                    FetchRanking(*scoring, run.id(), "", /*clusters=*/false, 0, timeout));
//   ASSIGN_OR_RETURN(auto names, RegionsByCode(*ingest, timeout));

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "services/cli/cli_support.h"

namespace innoscope::cli {

// The run with its summary (GetRun): `run_id` when given (its framework and
// period must then match, else INVALID_ARGUMENT saying which differs);
// otherwise the newest run (ListRuns) of framework.code for `period`, of
// framework.version when it is not 0 (0: of any version). ListRuns lists
// published runs only, so the drafts of an unfinished recompute job are
// never picked. NOT_FOUND when there is none, saying how to create one.
absl::StatusOr<scoring::v1::Run> ResolveRun(scoring::v1::ScoringService::Stub& stub,
                                            const FrameworkArg& framework, int32_t period,
                                            const std::string& run_id, absl::Duration timeout);

// Every entry of GetRanking (all pages), ranked at `node_code` ("" = the
// composite) among the run's regions, or among its clusters; top_n 0 = all.
absl::StatusOr<std::vector<scoring::v1::RankingEntry>> FetchRanking(
    scoring::v1::ScoringService::Stub& stub, const std::string& run_id,
    const std::string& node_code, bool clusters, int32_t top_n, absl::Duration timeout);

// Every result row of a run (ExportRun).
absl::StatusOr<std::vector<scoring::v1::ResultRow>> ExportRunRows(
    scoring::v1::ScoringService::Stub& stub, const std::string& run_id, absl::Duration timeout);

// Every region ingest holds, by code (ListRegions, all pages).
absl::StatusOr<std::map<std::string, ingest::v1::Region>> RegionsByCode(
    ingest::v1::IngestService::Stub& stub, absl::Duration timeout);

// The name to show for a region: its English name, else its name, else "".
std::string DisplayName(const std::map<std::string, ingest::v1::Region>& regions,
                        const std::string& code);

}  // namespace innoscope::cli
