#pragma once

// The scoring service's core: runs the scoring pipeline (libs/scoring) on
// observations read from ingest with weights from weighting, persists runs
// and uncertainty analyses, and answers rankings, profiles and comparisons
// from the stored results. absl::Status throughout; scoring_grpc.h converts.
// Computing runs is scoring_service.cc, reading them scoring_queries.cc,
// uncertainty analyses scoring_uncertainty.cc.
//
//   ScoringService core(ingest, weighting, store, options);
//   ASSIGN_OR_RETURN(v1::ComputeScoresResponse r,
//                    core.ComputeScores(request, deadline, written_by));
//   ASSIGN_OR_RETURN(v1::ComputeUncertaintyResponse u,
//                    core.ComputeUncertainty(request, {deadline, is_cancelled}));

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/clients/ingest_client.h"
#include "libs/clients/weighting_client.h"
#include "libs/common/call_budget.h"
#include "libs/index/data_matrix.h"
#include "services/scoring/scoring_store.h"

namespace innoscope::scoring {

struct ScoringOptions {
  // Threads of an uncertainty analysis that asks for none, and the most any
  // analysis gets (main.cc: the machine's hardware threads).
  int default_threads = 1;
  int max_threads = 1;
  // The clock deadlines are checked against (absl::Now in main.cc).
  std::function<absl::Time()> clock;
};

// How a long computation learns that its RPC is over.
struct CallControl {
  absl::Time deadline = absl::InfiniteFuture();
  std::function<bool()> is_cancelled;  // optional; thread-safe
};

// Limits of one uncertainty analysis beyond which it is RESOURCE_EXHAUSTED
// (docs/scoring.md). The library's own limits (factors, model runs, stored
// ranks) are checked before any replicate runs, also as RESOURCE_EXHAUSTED.
inline constexpr int64_t kMaxUncertaintyReplicates = 100'000;
inline constexpr int64_t kMaxSensitivitySamples = 100'000;
// Model runs x regions x leaves: a bound on the work of one request.
inline constexpr double kMaxCellEvaluations = 1e10;

class ScoringService {
 public:
  ScoringService(clients::IngestClient& ingest, clients::WeightingClient& weighting,
                 RunStore& store, ScoringOptions options);

  // `written_by`: the caller's identity, recorded with every new run (and
  // as the publisher of every run this call publishes). `budget`: the
  // caller's deadline and cancellation; upstream reads get its
  // UpstreamDeadline, and it is checked between the steps of each run (read,
  // weights, pipeline stages) and last before the run is stored, so a call
  // that ends with DEADLINE_EXCEEDED / CANCELLED stores no run of the period
  // it was computing (runs of earlier periods of a series stay stored, each
  // complete).
  absl::StatusOr<v1::ComputeScoresResponse> ComputeScores(const v1::ComputeScoresRequest& request,
                                                          const common::CallBudget& budget,
                                                          const std::string& written_by);
  absl::StatusOr<v1::GetRunResponse> GetRun(const v1::GetRunRequest& request);
  absl::StatusOr<v1::ListRunsResponse> ListRuns(const v1::ListRunsRequest& request);
  // Publishes draft runs, all or none (docs/scoring.md "Drafts and publishing").
  // `published_by`: the caller's identity, recorded with each run published.
  absl::StatusOr<v1::PublishRunsResponse> PublishRuns(const v1::PublishRunsRequest& request,
                                                      const std::string& published_by);
  absl::StatusOr<v1::GetRankingResponse> GetRanking(const v1::GetRankingRequest& request,
                                                    absl::Time deadline);
  absl::StatusOr<v1::GetRegionProfileResponse> GetRegionProfile(
      const v1::GetRegionProfileRequest& request);
  absl::StatusOr<v1::CompareRunsResponse> CompareRuns(const v1::CompareRunsRequest& request);
  absl::StatusOr<v1::ComputeUncertaintyResponse> ComputeUncertainty(
      const v1::ComputeUncertaintyRequest& request, const CallControl& call);
  absl::StatusOr<v1::GetUncertaintyResponse> GetUncertainty(
      const v1::GetUncertaintyRequest& request);
  // Streams the run's rows; on_message returns false when the client has
  // gone away.
  absl::Status ExportRun(const v1::ExportRunRequest& request,
                         const std::function<bool(const v1::ExportRunResponse&)>& on_message);

 private:
  // What a run reads from ingest (ReadRunData).
  struct RunData {
    index::DataMatrix data;  // regions x leaves
    std::optional<index::DataMatrix> denominators;
    std::optional<index::DataMatrix> cluster_weights;
  };

  // A stored run (immutable, so cached); NOT_FOUND names the id.
  absl::StatusOr<std::shared_ptr<const v1::Run>> LoadRun(const std::string& id,
                                                         const std::string& field);
  // The newest run of `current`'s series for the period before its own;
  // NOT_FOUND says what to compute instead.
  absl::StatusOr<std::shared_ptr<const v1::Run>> PreviousPeriodRun(const v1::Run& current);
  // A run of one spec (one period) computed and not yet stored, or the
  // stored run with the same id.
  struct PreparedRun {
    v1::Run run;
    std::vector<RunResultRow> rows;
    std::optional<v1::Run> existing;
  };
  // Reads and computes the run of one spec (one period); writes nothing, so
  // the runs of several periods are prepared at once (ComputeScores).
  absl::StatusOr<PreparedRun> PrepareRun(const v1::RunSpec& requested,
                                         const common::CallBudget& budget,
                                         const std::string& written_by);
  // Stores a prepared run, as a draft when asked, or returns the stored run
  // with the same id (publishing it unless `draft`).
  absl::StatusOr<v1::ComputedRun> StoreRun(PreparedRun prepared, bool draft,
                                           const common::CallBudget& budget,
                                           const std::string& written_by);
  // The weights of spec.weights as local weights per framework node; fills
  // spec.weights.compute's defaults (the run's framework, period and
  // universe) and sets the weight set id (empty for the framework's own).
  // Data-driven weights of the run's own data get `read` (the matrix the run
  // read at `data_version` of "framework:<code>") with the request, so
  // weighting does not read it again.
  absl::StatusOr<std::vector<double>> ResolveWeights(v1::RunSpec& spec,
                                                     const clients::LoadedFramework& framework,
                                                     const std::vector<std::string>& universe,
                                                     const index::DataMatrix& read,
                                                     int64_t data_version, absl::Time deadline,
                                                     std::string* weight_set_id);
  // Each universe region's value of a region attribute ("" without one), for
  // group imputation; INVALID_ARGUMENT when no region has it.
  absl::StatusOr<std::vector<std::string>> GroupLabels(const std::string& attribute,
                                                       const std::vector<std::string>& universe,
                                                       absl::Time deadline);
  // The region codes a universe selects (empty for the whole), sorted.
  absl::StatusOr<std::vector<std::string>> ResolveUniverse(const v1::Universe& universe, int period,
                                                           const std::string& field,
                                                           absl::Time deadline);
  // Leaf values, denominators and cluster weights of `regions` in the
  // period, as the spec asks.
  absl::StatusOr<RunData> ReadRunData(const clients::LoadedFramework& framework,
                                      const v1::RunSpec& spec,
                                      const std::vector<std::string>& regions, absl::Time deadline);
  absl::StatusOr<std::vector<common::v1::DataVersion>> ReadVersions(
      const std::vector<std::string>& scopes, absl::Time deadline);

  clients::IngestClient& ingest_;
  clients::WeightingClient& weighting_;
  RunStore& store_;
  const ScoringOptions options_;

  absl::Mutex cache_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const v1::Run>> run_cache_
      ABSL_GUARDED_BY(cache_mu_);
  // GetRanking's rows of one (run, node, regions or clusters), cached like
  // the run since runs are immutable: a ranking is then served without a
  // database round trip (bench/scoring/run.sh measures it under load).
  absl::flat_hash_map<std::string, std::shared_ptr<const std::vector<RunResultRow>>>
      node_rows_cache_ ABSL_GUARDED_BY(cache_mu_);
  size_t node_rows_cached_ ABSL_GUARDED_BY(cache_mu_) = 0;  // rows in node_rows_cache_
};

}  // namespace innoscope::scoring
