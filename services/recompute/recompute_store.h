#pragma once

// RecomputeStore: the SQL of the recompute job (schema `recompute`,
// services/recompute/migrations): the job-run history in recompute.job_runs,
// the transaction-level advisory lock that keeps two runs from overlapping, and
// the sharded runs with their work items (0003_sharded_runs.sql).
//
// The job (each shard) holds at most two database connections (a pool of
// two): one holds the lock in a transaction open for the whole run, the
// other reads and writes job runs and work items, one transaction at a time.
//
//   storage::ConnectionPool pool({.url = url, .max_size = 2, .search_path = "recompute, public"});
//   RecomputeStore store(pool);
//   RETURN_IF_ERROR(store.WithJobLock(/*shared=*/false, [&](bool acquired) -> absl::Status {
//     ...
//   }));
//   ASSIGN_OR_RETURN(int64_t id, store.Record(run));
//   ASSIGN_OR_RETURN(JobRunTotals totals, store.Totals(id));   // the pushed metrics

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/recompute/changes.h"
#include "libs/storage/pool.h"

namespace innoscope::recompute {

// The advisory lock: SELECT pg_try_advisory_xact_lock(hashtext('innoscope.recompute')).
// Held by a transaction open for the whole run (so it holds through PgBouncer
// in transaction mode, docs/operations.md "PgBouncer"): exclusively by an
// unsharded run, shared by every shard of sharded runs (so shards run together, and never
// with an unsharded run). An instance finding it taken records outcome
// `locked` and exits 0.
inline constexpr char kRecomputeLockName[] = "innoscope.recompute";

// Ids of what a recomputation produced, for one index.
struct RunIds {
  std::vector<std::string> network_runs;  // network DeriveRegionIndicators runs
  std::vector<std::string> weight_sets;   // weighting sets ("ws-...")
  std::vector<std::string> score_runs;    // scoring runs, one per period
  std::vector<std::string> uncertainty;   // scoring uncertainty analyses
};

// One index of a job run.
struct EntryRecord {
  std::string framework;
  int framework_version = 0;  // as resolved; 0 when the check did not get that far
  std::string config_hash;
  bool recomputed = false;
  recompute::ChangeSet changes;
  recompute::DataVersions versions;  // used (success) or read (otherwise)
  RunIds run_ids;                    // recorded for success only
};

struct JobRunRecord {
  absl::Time started_at;
  absl::Time finished_at;
  std::string outcome;  // success | unchanged | locked | failed
  bool forced = false;
  std::string failed_step;  // check | network | weights | scores | uncertainty | publish
  std::string error;
  std::map<std::string, EntryRecord> entries;  // by entry key
  std::map<std::string, double> step_seconds;
  int64_t sharded_run_id = 0;  // the sharded run of a shard's record; 0: unsharded
  std::string shard;           // "I/N" of the shard that recorded it; "": unsharded
};

// The last successful run's record of one index.
struct LastSuccess {
  int64_t job_run_id = 0;
  int framework_version = 0;
  recompute::EntryState state;
  RunIds run_ids;
};

// What the metrics are derived from.
struct JobRunTotals {
  std::map<std::string, int64_t> runs;         // outcome -> runs, all four outcomes
  std::optional<absl::Time> last_success;      // newest end of a success or unchanged run
  double duration_seconds = 0;                 // of the run asked for
  std::map<std::string, double> step_seconds;  // of the run asked for
};

// ------------------------------------------------------------ sharded runs
// (migrations/0003_sharded_runs.sql; docs/operations.md, "Sharding")

// What the check found for one index, recorded with a sharded run so every
// shard of the run works from the same plan.
struct PlanEntry {
  std::string key;
  int framework_version = 0;
  bool recompute = false;
  recompute::DataVersions before;
};

struct ShardedRunRow {
  int64_t id = 0;
  std::string run_key;
  int shard_count = 0;
  bool forced = false;
  std::string state;  // open | published | failed | abandoned
  int items = 0;      // work items of the run, all steps
  absl::Time created_at;
  std::string error;
  std::map<std::string, PlanEntry> plan;  // by entry key
};

// How JoinOrCreateShardedRun ended.
enum class Joined {
  kJoined,         // the open run has this key: `run` is it
  kCreated,        // no run was open: `run` is the one created from the plan
  kNothing,        // no run open and the plan recomputes nothing
  kDoneMeanwhile,  // a run of this key was published after `checked_after`
  kOtherRun,       // another key's run is open and alive: `run` is it
};

struct JoinResult {
  Joined how = Joined::kNothing;
  ShardedRunRow run;
  int64_t abandoned = 0;  // id of a stale run abandoned on the way, 0 = none
};

// A work item done: what it produced (empty = nothing of that kind).
struct DoneItem {
  std::string step;  // network | scores | uncertainty
  std::string entry_key;
  int period = 0;
  int64_t block_first = 0;  // uncertainty: the Monte Carlo block's first replicate
  int shard = 0;
  std::string network_run;
  std::string weight_set;
  std::string score_run;
  std::string uncertainty;
  double seconds = 0;
};

class RecomputeStore {
 public:
  explicit RecomputeStore(storage::ConnectionPool& pool) : pool_(pool) {}

  // Tries the advisory lock in a transaction of its own (shared: in shared
  // mode, for a shard), runs body(acquired) while that transaction stays
  // open, then commits it, which releases the lock (the server releases it
  // too when the connection closes, if the process dies). body's status is
  // returned.
  absl::Status WithJobLock(bool shared, const std::function<absl::Status(bool acquired)>& body);

  // The newest `success` run that recorded `entry_key`; nullopt when none.
  absl::StatusOr<std::optional<LastSuccess>> FindLastSuccess(const std::string& entry_key);

  // Inserts the run; returns its id.
  absl::StatusOr<int64_t> Record(const JobRunRecord& run);

  // Counts by outcome, the last success, and run `job_run_id`'s durations.
  absl::StatusOr<JobRunTotals> Totals(int64_t job_run_id);

  // Sharded runs. Under the transaction-level advisory lock
  // innoscope.recompute.runs: joins the open run when its key is `run_key`;
  // else, when none is open, creates one from `plan` with `items` work items
  // if the plan recomputes something and no run of this key was published
  // at or after `checked_after` (the shard's check may predate it). An open
  // run of another key whose heartbeat is older than `stale_after` is
  // abandoned first; a live one is kOtherRun.
  absl::StatusOr<JoinResult> JoinOrCreateShardedRun(const std::string& run_key, int shard_count,
                                                    bool forced, const std::vector<PlanEntry>& plan,
                                                    int items, absl::Time checked_after,
                                                    absl::Duration stale_after);
  // Records a work item (once: a second record of the same item is
  // ignored) and the run's heartbeat.
  absl::Status RecordItem(int64_t run_id, const DoneItem& item);
  // Every work item recorded for the run.
  absl::StatusOr<std::vector<DoneItem>> DoneItems(int64_t run_id);
  // Marks the run alive; returns its state (open, or how it ended).
  absl::StatusOr<ShardedRunRow> Heartbeat(int64_t run_id);
  // Records ingest's versions after the network items unless a shard did
  // already; returns the recorded ones.
  absl::StatusOr<recompute::DataVersions> RecordUsedVersions(int64_t run_id,
                                                             const recompute::DataVersions& read);
  // Ends an open run as failed, with the reason.
  absl::Status FailShardedRun(int64_t run_id, const std::string& error);
  // Abandons every open sharded run (an unsharded run holding the exclusive
  // lock supersedes them); returns how many.
  absl::StatusOr<int> AbandonOpenShardedRuns(const std::string& reason);

  enum class Finalized { kPublished, kIncomplete, kClosed };
  // The run's final step, once: with the run's row locked (FOR UPDATE), if
  // it is open and every work item is recorded, calls publish(items) (which
  // publishes the score runs; it must not use this store), records the job
  // run it returns and marks the run published, in one transaction.
  // kIncomplete: items are missing; kClosed: the run was already published,
  // failed or abandoned (*state says which).
  absl::StatusOr<Finalized> FinalizeShardedRun(
      int64_t run_id,
      const std::function<absl::StatusOr<JobRunRecord>(const std::vector<DoneItem>&)>& publish,
      int64_t* job_run_id, std::string* state);

 private:
  storage::ConnectionPool& pool_;
};

}  // namespace innoscope::recompute
