#include "services/recompute/recompute_job.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace innoscope::recompute {
namespace {

double SecondsSince(absl::Time start) { return absl::ToDoubleSeconds(absl::Now() - start); }

int64_t Periods(const IndexEntry& e) { return e.last_period - e.first_period + 1; }

bool IsDataDriven(Weighting w) { return w != Weighting::kPublished && w != Weighting::kAhp; }

}  // namespace

EntryRecord RecordOf(const IndexWork& w, const std::string& outcome) {
  EntryRecord r;
  r.framework = w.entry->framework;
  r.framework_version = w.framework ? w.framework->proto.version() : 0;
  r.config_hash = w.config_hash;
  r.changes = w.changes;
  r.versions = w.before;
  if (outcome != "success") return r;
  if (w.recompute) {
    r.recomputed = true;
    r.versions = w.used;
    r.run_ids = w.ids;
  } else if (w.previous) {
    // Unchanged in a run that recomputed others: its results are still
    // those of the previous success.
    r.versions = w.previous->state.versions;
    r.run_ids = w.previous->run_ids;
    r.framework_version = w.previous->framework_version;
  }
  return r;
}

RecomputeJob::RecomputeJob(const RecomputeConfig& config, RecomputeChannels channels,
                           RecomputeOptions options, RecomputeStore& store)
    : config_(config), options_(options), steps_(std::move(channels), options.timeout, store) {}

JobRunRecord RecomputeJob::Run() {
  JobRunRecord run;
  run.started_at = absl::Now();
  run.forced = options_.force;
  std::vector<IndexWork> work;
  bool unchanged = false;
  StepProgress* progress = options_.progress;
  // Runs `body` as step `name` over `total` work items (`unit`), timed;
  // false when it failed.
  auto run_step = [&](const std::string& name, int64_t total, const std::string& unit,
                      const std::function<absl::Status()>& body,
                      const std::function<std::string()>& note = nullptr) {
    const absl::Time start = absl::Now();
    log::Info("step started", {{"step", name}});
    if (progress != nullptr) progress->Start(name, total, unit);
    absl::Status status = body();
    run.step_seconds[name] += SecondsSince(start);
    if (!status.ok()) {
      if (progress != nullptr) progress->Finish(false);
      run.outcome = "failed";
      run.failed_step = name;
      run.error = std::string(status.message());
      failure_ = status;
      log::Error("step failed", {{"step", name},
                                 {"code", absl::StatusCodeToString(status.code())},
                                 {"error", run.error},
                                 {"seconds", run.step_seconds[name]}});
      return false;
    }
    if (progress != nullptr) progress->Finish(true, note ? note() : "");
    log::Info("step finished", {{"step", name}, {"seconds", run.step_seconds[name]}});
    return true;
  };
  auto advance = [&] {
    if (progress != nullptr) progress->Advance();
  };
  // Work items of each step, over the indices recomputed.
  auto count = [&](const std::function<int64_t(const IndexWork&)>& of) {
    int64_t n = 0;
    for (const IndexWork& w : work) {
      if (w.recompute) n += of(w);
    }
    return n;
  };
  const bool ok = [&] {
    if (!run_step(
            "check", static_cast<int64_t>(config_.indices.size()), "indices",
            [&]() -> absl::Status {
              RETURN_IF_ERROR(steps_.Check(config_, options_.force, &work));
              if (progress != nullptr) progress->Advance(static_cast<int64_t>(work.size()));
              return absl::OkStatus();
            },
            [&] {
              return absl::StrCat(count([](const IndexWork&) { return 1; }), " to recompute");
            })) {
      return false;
    }
    if (std::none_of(work.begin(), work.end(), [](const IndexWork& w) { return w.recompute; })) {
      unchanged = true;
      return true;
    }
    const int64_t network_items = count([](const IndexWork& w) {
      return w.entry->derived_indicators.empty() ? 0 : Periods(*w.entry);
    });
    if (!run_step("network", network_items, "periods", [&]() -> absl::Status {
          for (IndexWork& w : work) {
            if (!w.recompute || w.entry->derived_indicators.empty()) continue;
            for (int p = w.entry->first_period; p <= w.entry->last_period; ++p) {
              RETURN_IF_ERROR(steps_.Derive(w, p));
              advance();
            }
          }
          // The versions the derived indicators leave: what weights and
          // scores read next, and what the run records.
          ASSIGN_OR_RETURN(DataVersions after, steps_.ReadVersions(work));
          for (IndexWork& w : work) {
            if (w.recompute) {
              w.used = VersionsUsed(*w.entry, w.before, RecomputeSteps::Subset(*w.entry, after));
            }
          }
          return absl::OkStatus();
        })) {
      return false;
    }
    const int64_t weight_items = count([](const IndexWork& w) {
      return IsDataDriven(w.entry->weighting) ? Periods(*w.entry) : 0;
    });
    if (!run_step(
            "weights", weight_items, "periods",
            [&]() -> absl::Status {
              for (IndexWork& w : work) {
                if (!w.recompute) continue;
                RETURN_IF_ERROR(steps_.PrepareWeights(w));
                if (!IsDataDriven(w.entry->weighting)) continue;
                for (int p = w.entry->first_period; p <= w.entry->last_period; ++p) {
                  RETURN_IF_ERROR(steps_.Weights(w, p));
                  advance();
                }
              }
              return absl::OkStatus();
            },
            [&] {
              return weight_items > 0 ? std::string() : std::string("fixed or stored weights");
            })) {
      return false;
    }
    if (!run_step("scores", count([](const IndexWork& w) { return Periods(*w.entry); }), "periods",
                  [&]() -> absl::Status {
                    for (IndexWork& w : work) {
                      if (!w.recompute) continue;
                      for (int p = w.entry->first_period; p <= w.entry->last_period; ++p) {
                        RETURN_IF_ERROR(steps_.Scores(w, p).status());
                        advance();
                      }
                    }
                    return absl::OkStatus();
                  })) {
      return false;
    }
    const int64_t analyses =
        count([](const IndexWork& w) { return w.entry->uncertainty.monte_carlo_runs > 0 ? 1 : 0; });
    if (analyses > 0 && !run_step("uncertainty", analyses, "analyses", [&]() -> absl::Status {
          for (IndexWork& w : work) {
            if (!w.recompute || w.entry->uncertainty.monte_carlo_runs == 0) continue;
            RETURN_IF_ERROR(steps_.Uncertainty(w));
            advance();
          }
          return absl::OkStatus();
        })) {
      return false;
    }
    // Every score run of every recomputed index in one scoring
    // transaction (PublishRuns): readers see all of this run's results or,
    // when anything failed before, none of them.
    std::vector<std::string> score_runs;
    for (const IndexWork& w : work) {
      if (!w.recompute) continue;
      score_runs.insert(score_runs.end(), w.ids.score_runs.begin(), w.ids.score_runs.end());
    }
    return run_step(
        "publish", 0, "", [&]() -> absl::Status { return steps_.Publish(score_runs).status(); },
        [&] { return absl::StrCat(score_runs.size(), " score runs"); });
  }();
  if (ok) run.outcome = unchanged ? "unchanged" : "success";
  for (const IndexWork& w : work) run.entries[w.key] = RecordOf(w, run.outcome);
  run.finished_at = absl::Now();
  return run;
}

}  // namespace innoscope::recompute
