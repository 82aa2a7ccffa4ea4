#include "services/recompute/recompute_shards.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/server/content_hash.h"
#include "services/recompute/recompute_job.h"

namespace innoscope::recompute {
namespace {

double SecondsSince(absl::Time start) { return absl::ToDoubleSeconds(absl::Now() - start); }

// "network/ai/province/published/2021/0": a work item's identity (the last
// part: an uncertainty block's first replicate, 0 for other items).
std::string ItemId(const std::string& step, const std::string& entry_key, int period,
                   int64_t block_first) {
  return absl::StrCat(step, "/", entry_key, "/", period, "/", block_first);
}

std::string ItemId(const WorkItem& item) {
  return ItemId(ItemStepName(item.step), item.entry_key, item.period, item.block_first);
}

std::string ItemId(const DoneItem& d) {
  return ItemId(d.step, d.entry_key, d.period, d.block_first);
}

std::string DescribeVersions(const DataVersions& versions) {
  std::vector<std::string> parts;
  for (const auto& [scope, v] : versions) parts.push_back(absl::StrCat(scope, " ", v));
  return absl::StrJoin(parts, ", ");
}

void AddUnique(std::vector<std::string>* ids, const std::string& id) {
  if (!id.empty() && std::find(ids->begin(), ids->end(), id) == ids->end()) ids->push_back(id);
}

}  // namespace

std::string RunKey(const RecomputeConfig& config, bool force, int shard_count) {
  std::string text;
  for (const IndexEntry& e : config.indices) absl::StrAppend(&text, CanonicalText(e), "\n--\n");
  absl::StrAppend(&text, "force=", force ? "true" : "false", "\nshards=", shard_count, "\n");
  return absl::StrFormat("%016x", server::Fnv1a64(text));
}

ShardedRecompute::ShardedRecompute(const RecomputeConfig& config, RecomputeChannels channels,
                                   ShardOptions options, RecomputeStore& store)
    : config_(config),
      options_(options),
      store_(store),
      steps_(std::move(channels), options.timeout, store) {}

ShardResult ShardedRecompute::Run() {
  ShardResult result;
  started_ = absl::Now();
  JobRunRecord& run = result.run;
  run.started_at = started_;
  run.forced = options_.force;
  run.shard = absl::StrCat(options_.index, "/", options_.count);
  StepProgress* progress = options_.progress;
  // Runs `body` as step `name`, timed, with a progress line; false when it
  // failed (the outcome is then failed).
  auto run_step = [&](const std::string& name, int64_t total, const std::string& unit,
                      const std::function<absl::Status()>& body,
                      const std::function<std::string()>& note = nullptr) {
    const absl::Time start = absl::Now();
    log::Info("step started", {{"step", name}, {"shard", run.shard}});
    if (progress != nullptr) progress->Start(name, total, unit);
    absl::Status status = body();
    step_seconds_[name] += SecondsSince(start);
    if (!status.ok()) {
      if (progress != nullptr) progress->Finish(false);
      result.outcome = "failed";
      result.record = true;
      result.failure = status;
      run.outcome = "failed";
      run.failed_step = name;
      run.error = std::string(status.message());
      log::Error("step failed", {{"step", name},
                                 {"shard", run.shard},
                                 {"code", absl::StatusCodeToString(status.code())},
                                 {"error", run.error},
                                 {"seconds", step_seconds_[name]}});
      return false;
    }
    if (progress != nullptr) progress->Finish(true, note ? note() : "");
    log::Info("step finished",
              {{"step", name}, {"shard", run.shard}, {"seconds", step_seconds_[name]}});
    return true;
  };
  auto mine = [&](ItemStep step) {
    int64_t n = 0;
    for (const WorkItem& item : items_) {
      if (item.step == step && item.shard == options_.index && !done_.count(ItemId(item))) ++n;
    }
    return n;
  };

  [&] {
    if (!run_step(
            "check", static_cast<int64_t>(config_.indices.size()), "indices",
            [&]() -> absl::Status {
              RETURN_IF_ERROR(steps_.Check(config_, options_.force, &work_));
              if (progress != nullptr) {
                progress->Advance(static_cast<int64_t>(work_.size()));
              }
              return Join(result);
            },
            [&] { return result.detail; })) {
      return;
    }
    if (!result.outcome.empty()) return;  // unchanged, locked or done meanwhile
    if (!run_step("network", mine(ItemStep::kNetwork), "periods",
                  [&] { return NetworkItems(result); })) {
      return;
    }
    const bool has_later = mine(ItemStep::kScores) + mine(ItemStep::kUncertainty) > 0;
    if (has_later) {
      if (!run_step(
              "wait", 0, "", [&] { return WaitForNetwork(result); },
              [&] {
                return std::string(published_elsewhere_ ? "published by another shard"
                                                        : "every network item recorded");
              })) {
        return;
      }
      if (published_elsewhere_) {
        result.outcome = "done";
        result.items_recorded = result.items_total;
        result.detail = "published by another shard";
        return;
      }
      if (!run_step("scores", mine(ItemStep::kScores), "periods",
                    [&] { return ScoresItems(result); })) {
        return;
      }
      if (mine(ItemStep::kUncertainty) > 0 &&
          !run_step("uncertainty", mine(ItemStep::kUncertainty), "blocks",
                    [&] { return UncertaintyItems(result); })) {
        return;
      }
    }
    run_step(
        "publish", 0, "", [&] { return Finalize(result); }, [&] { return result.detail; });
  }();
  if (result.outcome == "success") {
    // Recorded when publishing: the run's record, every shard's work.
    result.run = published_;
    return result;
  }
  run.step_seconds = step_seconds_;
  run.sharded_run_id = result.sharded_run_id;
  if (run.outcome.empty()) run.outcome = result.outcome;
  for (const IndexWork& w : work_) run.entries[w.key] = RecordOf(w, run.outcome);
  run.finished_at = absl::Now();
  return result;
}

absl::Status ShardedRecompute::Join(ShardResult& result) {
  std::vector<PlanEntry> plan;
  std::vector<bool> recompute;
  for (const IndexWork& w : work_) {
    PlanEntry& e = plan.emplace_back();
    e.key = w.key;
    e.framework_version = w.framework->proto.version();
    e.recompute = w.recompute;
    e.before = w.before;
    recompute.push_back(w.recompute);
  }
  const std::vector<WorkItem> proposed = WorkItems(config_, recompute, options_.count);
  ASSIGN_OR_RETURN(
      JoinResult joined,
      store_.JoinOrCreateShardedRun(RunKey(config_, options_.force, options_.count), options_.count,
                                    options_.force, plan, static_cast<int>(proposed.size()),
                                    started_, options_.stale_after));
  if (joined.abandoned != 0) {
    log::Warn("stale sharded run abandoned", {{"sharded_run", joined.abandoned}});
  }
  switch (joined.how) {
    case Joined::kNothing:
      result.outcome = "unchanged";
      // One row per run: shard 0 records it (every shard read the same).
      result.record = options_.index == 0;
      result.detail = "nothing to recompute";
      return absl::OkStatus();
    case Joined::kDoneMeanwhile:
      result.outcome = "done";
      result.detail = "another shard set published this config's run while this shard checked";
      return absl::OkStatus();
    case Joined::kOtherRun:
      result.outcome = "locked";
      result.record = true;
      result.sharded_run_id = 0;
      result.detail =
          absl::StrCat("sharded run ", joined.run.id, " of another config (key ",
                       joined.run.run_key, ", ", joined.run.shard_count, " shards) is open");
      return absl::OkStatus();
    case Joined::kJoined:
    case Joined::kCreated:
      break;
  }
  sharded_ = joined.run;
  result.sharded_run_id = sharded_.id;
  result.created = joined.how == Joined::kCreated;
  // The run's plan is every shard's: which indices, at which framework
  // version, from which versions.
  recompute.clear();
  for (IndexWork& w : work_) {
    auto it = sharded_.plan.find(w.key);
    if (it == sharded_.plan.end()) {
      return absl::InternalError(absl::StrCat("sharded run ", sharded_.id, " has no plan for ",
                                              w.key, " although its run key is this config's"));
    }
    const PlanEntry& p = it->second;
    if (w.framework->proto.version() != p.framework_version) {
      RETURN_IF_ERROR(steps_.LoadFramework(w, p.framework_version));
    }
    w.recompute = p.recompute;
    w.before = p.before;
    std::optional<EntryState> last;
    if (w.previous) last = w.previous->state;
    w.changes = DetectChanges(last, {w.config_hash, w.before});
    recompute.push_back(w.recompute);
  }
  items_ = WorkItems(config_, recompute, options_.count);
  if (static_cast<int>(items_.size()) != sharded_.items) {
    return absl::InternalError(absl::StrCat("sharded run ", sharded_.id, " has ", sharded_.items,
                                            " work items, its plan gives ", items_.size()));
  }
  ASSIGN_OR_RETURN(std::vector<DoneItem> done, store_.DoneItems(sharded_.id));
  for (const DoneItem& d : done) {
    done_.insert(ItemId(d));
    if (d.step == "scores" && !d.score_run.empty()) {
      done_score_run_[{d.entry_key, d.period}] = d.score_run;
    }
  }
  result.items_total = sharded_.items;
  int here = 0;
  for (const WorkItem& item : items_) here += item.shard == options_.index ? 1 : 0;
  result.detail = absl::StrCat(result.created ? "created" : "joined", " sharded run ", sharded_.id,
                               ": ", here, " of its ", sharded_.items, " work items are shard ",
                               options_.index, "'s, ", done.size(), " recorded");
  log::Info("sharded run joined", {{"sharded_run", sharded_.id},
                                   {"created", result.created},
                                   {"shard", options_.index},
                                   {"shards", options_.count},
                                   {"items", sharded_.items},
                                   {"items_of_shard", here},
                                   {"recorded", static_cast<int64_t>(done.size())}});
  return absl::OkStatus();
}

absl::Status ShardedRecompute::NetworkItems(ShardResult& result) {
  for (const WorkItem& item : items_) {
    if (item.step != ItemStep::kNetwork || item.shard != options_.index) continue;
    if (done_.count(ItemId(item))) continue;
    IndexWork& w = work_[item.index];
    const absl::Time start = absl::Now();
    RETURN_IF_ERROR(steps_.Derive(w, item.period));
    DoneItem d;
    d.step = "network";
    d.entry_key = item.entry_key;
    d.period = item.period;
    d.shard = options_.index;
    d.network_run = w.ids.network_runs.empty() ? "" : w.ids.network_runs.back();
    d.seconds = SecondsSince(start);
    RETURN_IF_ERROR(store_.RecordItem(sharded_.id, d));
    done_.insert(ItemId(item));
    ++result.items_here;
    if (options_.progress != nullptr) options_.progress->Advance();
  }
  return absl::OkStatus();
}

absl::Status ShardedRecompute::WaitForNetwork(ShardResult& /*result*/) {
  std::set<std::string> needed;
  for (const WorkItem& item : items_) {
    if (item.step == ItemStep::kNetwork) needed.insert(ItemId(item));
  }
  const absl::Time deadline = absl::Now() + options_.wait;
  bool logged = false;
  while (true) {
    ASSIGN_OR_RETURN(ShardedRunRow row, store_.Heartbeat(sharded_.id));
    if (row.state == "published") {
      // Another shard set (an overlapping schedule) did the items and
      // published the run: nothing is left to do.
      published_elsewhere_ = true;
      return absl::OkStatus();
    }
    if (row.state != "open") {
      return absl::AbortedError(absl::StrCat("sharded run ", sharded_.id, " was ", row.state,
                                             " by another shard: ", row.error));
    }
    ASSIGN_OR_RETURN(std::vector<DoneItem> done, store_.DoneItems(sharded_.id));
    std::set<std::string> missing = needed;
    for (const DoneItem& d : done) missing.erase(ItemId(d));
    if (missing.empty()) break;
    std::set<int> shards;
    for (const WorkItem& item : items_) {
      if (missing.count(ItemId(item))) shards.insert(item.shard);
    }
    if (!logged) {
      log::Info("waiting for other shards' network items",
                {{"sharded_run", sharded_.id},
                 {"missing", static_cast<int64_t>(missing.size())},
                 {"shards", absl::StrJoin(shards, ",")}});
      logged = true;
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "waited ", absl::FormatDuration(options_.wait),
          " (--wait_seconds) for the network items "
          "of shard(s) ",
          absl::StrJoin(shards, ", "), " of sharded run ", sharded_.id, ": ",
          absl::StrJoin(missing, ", "), " not recorded; rerun those shards (the run stays open)"));
    }
    absl::SleepFor(options_.poll);
  }
  // Every shard reads ingest's versions now; the first records them and
  // every other must read the same, else the data changed during the run.
  ASSIGN_OR_RETURN(DataVersions after, steps_.ReadVersions(work_));
  ASSIGN_OR_RETURN(used_all_, store_.RecordUsedVersions(sharded_.id, after));
  if (used_all_ != after) {
    const std::string error = absl::StrCat(
        "the ingest data changed during the run: the versions after the network items were ",
        DescribeVersions(used_all_), ", now ", DescribeVersions(after),
        "; the next run recomputes from the new data");
    RETURN_IF_ERROR(store_.FailShardedRun(sharded_.id, error));
    return absl::AbortedError(error);
  }
  for (IndexWork& w : work_) {
    if (w.recompute) {
      w.used = VersionsUsed(*w.entry, w.before, RecomputeSteps::Subset(*w.entry, used_all_));
    }
  }
  return absl::OkStatus();
}

absl::Status ShardedRecompute::ScoresItems(ShardResult& result) {
  std::set<size_t> prepared;
  for (const WorkItem& item : items_) {
    if (item.step != ItemStep::kScores || item.shard != options_.index) continue;
    if (done_.count(ItemId(item))) continue;
    IndexWork& w = work_[item.index];
    const absl::Time start = absl::Now();
    if (prepared.insert(item.index).second) RETURN_IF_ERROR(steps_.PrepareWeights(w));
    RETURN_IF_ERROR(steps_.Weights(w, item.period));
    ASSIGN_OR_RETURN(scoring::v1::Run r, steps_.Scores(w, item.period));
    // The score run rests on the versions recorded for the run, or the data
    // changed since the network items.
    for (const auto& v : r.data_versions()) {
      auto it = used_all_.find(v.scope());
      if (it != used_all_.end() && it->second != v.version()) {
        const std::string error = absl::StrCat(
            "the ingest data changed during the run: ", RecomputeSteps::Where(w), " period ",
            item.period, " was scored at ", v.scope(), " ", v.version(), ", the run recorded ",
            it->second, "; the next run recomputes from the new data");
        RETURN_IF_ERROR(store_.FailShardedRun(sharded_.id, error));
        return absl::AbortedError(error);
      }
    }
    DoneItem d;
    d.step = "scores";
    d.entry_key = item.entry_key;
    d.period = item.period;
    d.shard = options_.index;
    auto ws = w.weight_set.find(item.period);
    if (ws != w.weight_set.end()) d.weight_set = ws->second;
    d.score_run = r.id();
    d.seconds = SecondsSince(start);
    RETURN_IF_ERROR(store_.RecordItem(sharded_.id, d));
    done_.insert(ItemId(item));
    done_score_run_[{item.entry_key, item.period}] = r.id();
    ++result.items_here;
    if (options_.progress != nullptr) options_.progress->Advance();
  }
  return absl::OkStatus();
}

absl::Status ShardedRecompute::UncertaintyItems(ShardResult& result) {
  for (const WorkItem& item : items_) {
    if (item.step != ItemStep::kUncertainty || item.shard != options_.index) continue;
    if (done_.count(ItemId(item))) continue;
    IndexWork& w = work_[item.index];
    // The last period's score run: recorded by its shard (every shard does
    // its scores items before its uncertainty blocks, so it comes).
    ASSIGN_OR_RETURN(w.score_run[item.period], ScoreRunOf(item.entry_key, item.period));
    const absl::Time start = absl::Now();
    RETURN_IF_ERROR(steps_.Uncertainty(w, item.block_first, item.block_count));
    DoneItem d;
    d.step = "uncertainty";
    d.entry_key = item.entry_key;
    d.period = item.period;
    d.block_first = item.block_first;
    d.shard = options_.index;
    // One analysis id per index, which every block of it shares.
    if (!w.ids.uncertainty.empty()) d.uncertainty = w.ids.uncertainty.back();
    d.seconds = SecondsSince(start);
    RETURN_IF_ERROR(store_.RecordItem(sharded_.id, d));
    done_.insert(ItemId(item));
    ++result.items_here;
    if (options_.progress != nullptr) options_.progress->Advance();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ShardedRecompute::ScoreRunOf(const std::string& entry_key, int period) {
  const absl::Time until = absl::Now() + options_.wait;
  while (true) {
    auto it = done_score_run_.find({entry_key, period});
    if (it != done_score_run_.end()) return it->second;
    ASSIGN_OR_RETURN(std::vector<DoneItem> done, store_.DoneItems(sharded_.id));
    for (const DoneItem& d : done) {
      if (d.step == "scores" && !d.score_run.empty()) {
        done_score_run_[{d.entry_key, d.period}] = d.score_run;
      }
    }
    if (done_score_run_.count({entry_key, period})) continue;
    if (absl::Now() >= until) {
      return absl::DeadlineExceededError(
          absl::StrCat(entry_key, ": no score run of ", period, " recorded within ",
                       absl::FormatDuration(options_.wait), " for its uncertainty blocks"));
    }
    absl::SleepFor(options_.poll);
  }
}

absl::Status ShardedRecompute::LoadUsedVersions() {
  ASSIGN_OR_RETURN(DataVersions read, steps_.ReadVersions(work_));
  ASSIGN_OR_RETURN(used_all_, store_.RecordUsedVersions(sharded_.id, read));
  for (IndexWork& w : work_) {
    if (w.recompute) {
      w.used = VersionsUsed(*w.entry, w.before, RecomputeSteps::Subset(*w.entry, used_all_));
    }
  }
  return absl::OkStatus();
}

absl::Status ShardedRecompute::Finalize(ShardResult& result) {
  // The record of a success needs the versions the run's results rest on
  // (a shard without scores items never waited for them).
  if (used_all_.empty()) RETURN_IF_ERROR(LoadUsedVersions());
  std::string state;
  int64_t job_run_id = 0;
  ASSIGN_OR_RETURN(
      RecomputeStore::Finalized finalized,
      store_.FinalizeShardedRun(
          sharded_.id, [&](const std::vector<DoneItem>& items) { return Publish(items); },
          &job_run_id, &state));
  ASSIGN_OR_RETURN(std::vector<DoneItem> done, store_.DoneItems(sharded_.id));
  result.items_recorded = static_cast<int>(done.size());
  switch (finalized) {
    case RecomputeStore::Finalized::kPublished: {
      result.outcome = "success";
      result.job_run_id = job_run_id;
      size_t runs = 0;
      for (const auto& [key, e] : published_.entries) runs += e.run_ids.score_runs.size();
      result.detail = absl::StrCat(runs, " score runs");
      return absl::OkStatus();
    }
    case RecomputeStore::Finalized::kIncomplete: {
      std::set<int> shards;
      std::set<std::string> recorded;
      for (const DoneItem& d : done) recorded.insert(ItemId(d));
      for (const WorkItem& item : items_) {
        if (!recorded.count(ItemId(item))) shards.insert(item.shard);
      }
      result.outcome = "done";
      result.detail = absl::StrCat("waiting for shard(s) ", absl::StrJoin(shards, ", "),
                                   ": the shard that records the last item publishes");
      return absl::OkStatus();
    }
    case RecomputeStore::Finalized::kClosed:
      if (state == "published") {
        result.outcome = "done";
        result.detail = "published by another shard";
        return absl::OkStatus();
      }
      return absl::AbortedError(
          absl::StrCat("sharded run ", sharded_.id, " was ", state, " by another shard"));
  }
  return absl::OkStatus();
}

absl::StatusOr<JobRunRecord> ShardedRecompute::Publish(const std::vector<DoneItem>& items) {
  // The run's ids per index, in period order as an unsharded run lists
  // them: network runs, weight sets, score runs, then uncertainty.
  std::vector<const DoneItem*> sorted;
  for (const DoneItem& d : items) sorted.push_back(&d);
  std::sort(sorted.begin(), sorted.end(),
            [](const DoneItem* a, const DoneItem* b) { return a->period < b->period; });
  std::map<std::string, double> seconds;  // per step, over every shard
  std::vector<std::string> score_runs;
  for (IndexWork& w : work_) {
    w.ids = RunIds();
    for (const DoneItem* d : sorted) {
      if (d->entry_key != w.key) continue;
      AddUnique(&w.ids.network_runs, d->network_run);
      AddUnique(&w.ids.weight_sets, d->weight_set);
      AddUnique(&w.ids.score_runs, d->score_run);
      AddUnique(&w.ids.uncertainty, d->uncertainty);
      if (d->step == "scores") w.score_run[d->period] = d->score_run;
    }
    // The index's analysis assembled from its Monte Carlo blocks (scoring
    // stores them under the analysis id, which the blocks' items recorded).
    if (!w.ids.uncertainty.empty()) RETURN_IF_ERROR(steps_.Uncertainty(w));
    score_runs.insert(score_runs.end(), w.ids.score_runs.begin(), w.ids.score_runs.end());
  }
  for (const DoneItem& d : items) seconds[d.step] += d.seconds;
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(steps_.Publish(score_runs).status());
  JobRunRecord run;
  run.started_at = sharded_.created_at;
  run.forced = options_.force;
  run.outcome = "success";
  run.sharded_run_id = sharded_.id;
  run.shard = absl::StrCat(options_.index, "/", options_.count);
  for (const IndexWork& w : work_) run.entries[w.key] = RecordOf(w, "success");
  run.step_seconds = seconds;
  run.step_seconds["check"] = step_seconds_["check"];
  run.step_seconds["publish"] = SecondsSince(start);
  run.finished_at = absl::Now();
  published_ = run;
  return run;
}

}  // namespace innoscope::recompute
