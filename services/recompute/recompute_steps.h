#pragma once

// RecomputeSteps: what the recompute job does to one index, one period at a
// time, as calls to the four services (docs/operations.md, "Recompute
// job"). RecomputeJob (recompute_job.h) runs each step for every index
// before the next step; the work items of one index and period stay
// separate calls, so the job's progress can count them.
//
//   RecomputeSteps steps(channels, absl::Seconds(60), store);
//   std::vector<IndexWork> work;
//   RETURN_IF_ERROR(steps.Check(config, /*force=*/false, &work));
//   RETURN_IF_ERROR(steps.Derive(work[0], 2022));         // network, one period
//   RETURN_IF_ERROR(steps.PrepareWeights(work[0]));       // published / ahp
//   RETURN_IF_ERROR(steps.Weights(work[0], 2022));        // data-driven methods
//   ASSIGN_OR_RETURN(scoring::v1::Run run, steps.Scores(work[0], 2022));  // a draft
//   RETURN_IF_ERROR(steps.Uncertainty(work[0]));
//   RETURN_IF_ERROR(steps.Publish({run.id()}));

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/clients/ingest_client.h"
#include "libs/recompute/changes.h"
#include "libs/recompute/config.h"
#include "services/recompute/recompute_store.h"

namespace innoscope::recompute {

struct RecomputeChannels {
  std::shared_ptr<grpc::Channel> ingest;
  std::shared_ptr<grpc::Channel> weighting;
  std::shared_ptr<grpc::Channel> scoring;
  std::shared_ptr<grpc::Channel> network;
  // HOST:PORT by service name, to name the upstream in errors.
  std::map<std::string, std::string> addresses;
};

// The config's fingerprint of one index: 16 hex digits of FNV-1a over
// recompute::CanonicalText.
std::string ConfigHash(const IndexEntry& entry);

// One index of the config as the steps work on it.
struct IndexWork {
  const IndexEntry* entry = nullptr;
  size_t index = 0;  // in the config
  std::string key;   // EntryKey
  std::string config_hash;
  std::optional<clients::LoadedFramework> framework;  // the version resolved
  int root_level = 1;
  std::optional<LastSuccess> previous;  // the last successful run's record
  ChangeSet changes;
  bool recompute = false;
  DataVersions before;                    // read by the check
  DataVersions used;                      // what the results rest on (recorded on success)
  std::map<int, std::string> weight_set;  // period -> id; none = fixed weights
  std::map<int, std::string> score_run;   // period -> id
  RunIds ids;
};

class RecomputeSteps {
 public:
  RecomputeSteps(RecomputeChannels channels, absl::Duration timeout, RecomputeStore& store);
  ~RecomputeSteps();

  // One IndexWork per index of the config: the framework version resolved,
  // the derived indicators checked to be leaves of it, ingest's data
  // versions read (`before`) and compared, with the settings' fingerprint,
  // with the last successful run of the index; `recompute` when something
  // changed or `force`.
  absl::Status Check(const RecomputeConfig& config, bool force, std::vector<IndexWork>* work);
  // The framework of `w` at `version` (a sharded run's recorded one).
  absl::Status LoadFramework(IndexWork& w, int version);

  // Ingest's current versions of every scope of `work`.
  absl::StatusOr<DataVersions> ReadVersions(const std::vector<IndexWork>& work);
  // The versions of the entry's scopes in `all` (0 when absent).
  static DataVersions Subset(const IndexEntry& entry, const DataVersions& all);

  // network DeriveRegionIndicators of one period; the network run id is
  // added to w.ids.network_runs (once).
  absl::Status Derive(IndexWork& w, int period);
  // Weights shared by every period: none for published, the newest stored
  // AHP set for ahp; data-driven methods are per period (Weights).
  absl::Status PrepareWeights(IndexWork& w);
  // weighting ComputeWeights of one period for the data-driven methods and
  // equal; nothing for published and ahp.
  absl::Status Weights(IndexWork& w, int period);
  // scoring ComputeScores of one period as a draft; the run id goes to
  // w.score_run and w.ids.score_runs.
  absl::StatusOr<scoring::v1::Run> Scores(IndexWork& w, int period);
  // scoring ComputeUncertainty on the last period's run (w.score_run of
  // last_period must be set); nothing when monte_carlo_runs is 0. With
  // block_count > 0 only the Monte Carlo block [block_first, block_first +
  // block_count) (a sharded run's item); without, the whole analysis,
  // assembled by scoring from the blocks stored for it if they cover it.
  absl::Status Uncertainty(IndexWork& w, int64_t block_first = 0, int64_t block_count = 0);
  // scoring PublishRuns of the runs, in one scoring transaction; returns how
  // many were drafts.
  absl::StatusOr<int> Publish(const std::vector<std::string>& score_runs);

  // "indices[0] ai/province/published (config line 3)": how errors name an index.
  static std::string Where(const IndexWork& w);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace innoscope::recompute
