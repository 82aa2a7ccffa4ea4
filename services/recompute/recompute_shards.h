#pragma once

// ShardedRecompute: one shard of a sharded recompute run
// (innoscope-recompute --shard_index I --shard_count N, N >= 2; a
// Kubernetes Indexed Job, k8s/components/sharded-recompute). Reference:
// docs/operations.md, "Sharding". In order:
//
//   check    as the unsharded job: framework versions, data versions, what
//            changed since the last success (RecomputeSteps::Check)
//   join     the open sharded run of this config (run key: the config's
//            fingerprint, --force, N), or create it with this shard's plan
//            (recompute_store.h JoinOrCreateShardedRun); its plan (which
//            indices, framework versions, versions read) is every shard's
//   network  this shard's network items (libs/recompute/shards.h), each
//            recorded in recompute.work_items; then wait until every
//            shard's are recorded, and record ingest's versions after them
//            (every shard must read the same)
//   scores   this shard's scores items: the period's weights and its score
//            run (a draft), each recorded
//   uncertainty  this shard's Monte Carlo blocks of the indices' analyses
//            (waiting for the last period's score run if another shard
//            scores it)
//   publish  if every item of the run is recorded: under the run's row lock,
//            each analysis assembled from its blocks, scoring PublishRuns of all its score runs and
//            the job run recorded, once; otherwise the shard is done and the shard that records the
//            last item publishes
//
// A shard rerun (a killed pod retried) skips the items already recorded, so
// it changes nothing that is done and ends in the same published result.
//
//   ShardedRecompute shard(config, channels, options, store);
//   ShardResult result = shard.Run();

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/recompute/changes.h"
#include "libs/recompute/config.h"
#include "libs/recompute/shards.h"
#include "services/recompute/recompute_steps.h"
#include "services/recompute/recompute_store.h"
#include "services/recompute/step_progress.h"

namespace innoscope::recompute {

struct ShardOptions {
  int index = 0;  // 0..count-1
  int count = 2;
  bool force = false;
  absl::Duration timeout = absl::Seconds(60);  // deadline of each call
  // How long a shard waits for the other shards' network items.
  absl::Duration wait = absl::Minutes(10);
  absl::Duration poll = absl::Milliseconds(500);
  // An open run of another config silent this long is abandoned.
  absl::Duration stale_after = absl::Minutes(30);
  StepProgress* progress = nullptr;  // human lines (--progress); not owned
};

// The run key shards join on: 16 hex digits of FNV-1a over the canonical
// text of every index, --force and the shard count.
std::string RunKey(const RecomputeConfig& config, bool force, int shard_count);

struct ShardResult {
  // success (this shard published), done (its share is recorded; another
  // shard publishes), unchanged, locked (another config's run is open), or
  // failed.
  std::string outcome;
  // The job run to record: success, failed, locked, and unchanged on shard
  // 0 only (one row per run, not per shard); nothing for done. A success
  // is recorded by FinalizeShardedRun itself (job_run_id).
  bool record = false;
  JobRunRecord run;
  int64_t job_run_id = 0;  // of the success recorded when publishing
  int64_t sharded_run_id = 0;
  bool created = false;    // this shard created the sharded run
  int items_total = 0;     // work items of the run
  int items_here = 0;      // done by this shard now
  int items_recorded = 0;  // recorded when this shard finished
  std::string detail;      // for the summary line: why, who, what is missing
  absl::Status failure;    // of a failed outcome
};

class ShardedRecompute {
 public:
  ShardedRecompute(const RecomputeConfig& config, RecomputeChannels channels, ShardOptions options,
                   RecomputeStore& store);

  // Never fails as a function: a failure is outcome "failed".
  ShardResult Run();

 private:
  absl::Status Join(ShardResult& result);
  absl::Status NetworkItems(ShardResult& result);
  absl::Status WaitForNetwork(ShardResult& result);
  absl::Status ScoresItems(ShardResult& result);
  absl::Status UncertaintyItems(ShardResult& result);
  absl::Status Finalize(ShardResult& result);
  // The callback of FinalizeShardedRun: publishes every score run of the
  // items and returns the run's success record.
  absl::StatusOr<JobRunRecord> Publish(const std::vector<DoneItem>& items);
  // The versions recorded after the network items (recorded now from this
  // shard's read if no shard did yet); each recomputed index's `used`.
  absl::Status LoadUsedVersions();
  // The score run of (entry key, period), recorded by this shard or
  // another; polls the recorded items for up to options_.wait.
  absl::StatusOr<std::string> ScoreRunOf(const std::string& entry_key, int period);

  const RecomputeConfig& config_;
  ShardOptions options_;
  RecomputeStore& store_;
  RecomputeSteps steps_;
  absl::Time started_;
  std::vector<IndexWork> work_;  // one per config index
  ShardedRunRow sharded_;        // the run joined or created
  std::vector<WorkItem> items_;  // every work item of the run
  std::set<std::string> done_;   // ItemId of the items recorded
  // (entry key, period) -> score run of the scores items recorded.
  std::map<std::pair<std::string, int>, std::string> done_score_run_;
  DataVersions used_all_;                       // recorded after the network items
  JobRunRecord published_;                      // the success this shard recorded, if it published
  bool published_elsewhere_ = false;            // found published while waiting
  std::map<std::string, double> step_seconds_;  // this shard's
};

}  // namespace innoscope::recompute
