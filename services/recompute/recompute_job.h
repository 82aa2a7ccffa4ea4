#pragma once

// RecomputeJob: one run of innoscope-recompute once its lock is held
// (docs/operations.md, "Recompute job"). For every index of the config:
//
//   check        resolve the framework version, check the derived indicators
//                are leaves of it, read ingest's data versions and compare
//                them (and the settings' fingerprint) with the last
//                successful run for that index (libs/recompute/changes.h);
//                nothing changed anywhere and no --force: outcome unchanged
//   network      network DeriveRegionIndicators per period (relations up to
//                the period, or of the period), written to ingest; then the
//                data versions are read again (they are what weights and
//                scores read, and what the run records as used)
//   weights      published: the framework's fixed weights (no call); ahp:
//                the newest stored AHP weight set of the framework version;
//                otherwise weighting ComputeWeights per period
//   scores       scoring ComputeScores per period (universe, clusters,
//                presentation, tiers, the period's weights), stored as
//                drafts: readable by id, not listed
//   uncertainty  scoring ComputeUncertainty on the last period's run, when
//                monte_carlo_runs > 0
//   publish      scoring PublishRuns of every score run of every recomputed
//                index, in one transaction: readers (ListRuns, `innoscope
//                ranking`/`report`) see all of the run's results or, when a
//                step failed before, none of them
//
// Steps run for every index to recompute before the next step starts, so
// all derived indicators exist before any weights or scores read them. The
// first failure stops the run: outcome failed with the step and the error.
// Progress is logged (libs/common/log.h) per step, index and period with
// durations, and, with options.progress, printed as one line per step
// (step_progress.h). The calls themselves are RecomputeSteps
// (recompute_steps.h).
//
//   RecomputeJob job(config, channels, {.force = false, .timeout = absl::Seconds(60)}, store);
//   JobRunRecord run = job.Run();   // run.outcome: success | unchanged | failed

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/recompute/config.h"
#include "services/recompute/recompute_steps.h"
#include "services/recompute/recompute_store.h"
#include "services/recompute/step_progress.h"

namespace innoscope::recompute {

struct RecomputeOptions {
  bool force = false;
  absl::Duration timeout = absl::Seconds(60);  // deadline of each call
  StepProgress* progress = nullptr;            // human lines (--progress); not owned
};

// What a job run records of one index, given the run's outcome: the
// versions read and no ids unless it succeeded; the results' versions and
// ids of a recomputed index; the previous success's of one not recomputed.
EntryRecord RecordOf(const IndexWork& w, const std::string& outcome);

class RecomputeJob {
 public:
  RecomputeJob(const RecomputeConfig& config, RecomputeChannels channels, RecomputeOptions options,
               RecomputeStore& store);

  // Never fails as a function: a failure is outcome "failed" in the record,
  // with failed_step and error. The record is not stored here.
  JobRunRecord Run();
  // The status that failed the run (OK unless the outcome is failed), for
  // the hint printed with it.
  const absl::Status& failure() const { return failure_; }

 private:
  const RecomputeConfig& config_;
  RecomputeOptions options_;
  RecomputeSteps steps_;
  absl::Status failure_;
};

}  // namespace innoscope::recompute
