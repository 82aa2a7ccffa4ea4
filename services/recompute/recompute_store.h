#pragma once

// RecomputeStore: the SQL of the recompute job (schema `recompute`,
// services/recompute/migrations): the job-run history in recompute.job_runs and
// the session-level advisory lock that keeps two runs from overlapping.
//
// The job holds at most two database connections (a pool of two): one
// session holds the lock for the whole run, the other reads and writes
// job runs.
//
//   storage::ConnectionPool pool({.url = url, .max_size = 2, .search_path = "recompute, public"});
//   RecomputeStore store(pool);
//   RETURN_IF_ERROR(store.WithJobLock([&](bool acquired) -> absl::Status { ... }));
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

// The advisory lock: SELECT pg_try_advisory_lock(hashtext('innoscope.recompute')).
// Held by the session that runs the job; another instance finding it taken
// records outcome `locked` and exits 0.
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
  std::map<std::string, int64_t> runs;     // outcome -> runs, all four outcomes
  std::optional<absl::Time> last_success;  // newest end of a success or unchanged run
  double duration_seconds = 0;             // of the run asked for
  std::map<std::string, double> step_seconds;  // of the run asked for
};

class RecomputeStore {
 public:
  explicit RecomputeStore(storage::ConnectionPool& pool) : pool_(pool) {}

  // Tries the advisory lock on a connection of its own and runs
  // body(acquired); the lock is released afterwards (or with the session,
  // if the process dies). body's status is returned.
  absl::Status WithJobLock(const std::function<absl::Status(bool acquired)>& body);

  // The newest `success` run that recorded `entry_key`; nullopt when none.
  absl::StatusOr<std::optional<LastSuccess>> FindLastSuccess(const std::string& entry_key);

  // Inserts the run; returns its id.
  absl::StatusOr<int64_t> Record(const JobRunRecord& run);

  // Counts by outcome, the last success, and run `job_run_id`'s durations.
  absl::StatusOr<JobRunTotals> Totals(int64_t job_run_id);

 private:
  storage::ConnectionPool& pool_;
};

}  // namespace innoscope::recompute
