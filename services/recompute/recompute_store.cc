#include "services/recompute/recompute_store.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "nlohmann/json.hpp"

namespace innoscope::recompute {
namespace {

// Transaction-level: held by the transaction WithJobLock keeps open for
// the whole run, released by its end (commit, rollback, or the connection
// closing). Unlike a session-level lock this holds through a pooler in
// transaction mode, which pins the server connection for a transaction.
constexpr char kTryLock[] = "SELECT pg_try_advisory_xact_lock(hashtext($1))";
constexpr char kTryLockShared[] = "SELECT pg_try_advisory_xact_lock_shared(hashtext($1))";
// Timestamps travel as microseconds since the Unix epoch, exactly.
constexpr char kInsertRun[] =
    "INSERT INTO job_runs (started_at, finished_at, outcome, forced, failed_step, error, "
    "entries, changed, data_versions, run_ids, step_seconds, sharded_run_id, shard) VALUES ("
    "timestamptz 'epoch' + $1 * interval '1 microsecond', "
    "timestamptz 'epoch' + $2 * interval '1 microsecond', $3, $4, $5, $6, "
    "$7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, $12, $13) RETURNING id";
constexpr char kLastSuccess[] =
    "SELECT id, entries->$1->>'config', coalesce((entries->$1->>'framework_version')::int, 0) "
    "FROM job_runs WHERE outcome = 'success' AND entries ? $1 ORDER BY id DESC LIMIT 1";
constexpr char kVersionsOf[] =
    "SELECT key, value::bigint FROM job_runs, jsonb_each_text(data_versions->$2) "
    "WHERE id = $1 ORDER BY key";
constexpr char kRunIdsOf[] =
    "SELECT k.key, v.value FROM job_runs, jsonb_each(run_ids->$2) k, "
    "jsonb_array_elements_text(k.value) WITH ORDINALITY v(value, n) "
    "WHERE id = $1 ORDER BY k.key, v.n";
constexpr char kCountByOutcome[] = "SELECT outcome, count(*) FROM job_runs GROUP BY outcome";
constexpr char kLastSuccessEnd[] =
    "SELECT (extract(epoch FROM max(finished_at)) * 1000000)::bigint FROM job_runs "
    "WHERE outcome IN ('success', 'unchanged')";
constexpr char kDuration[] =
    "SELECT extract(epoch FROM finished_at - started_at)::float8 FROM job_runs WHERE id = $1";
constexpr char kStepSeconds[] =
    "SELECT key, value::float8 FROM job_runs, jsonb_each_text(step_seconds) WHERE id = $1";

// Sharded runs (migrations/0003_sharded_runs.sql).
constexpr char kRunsLockName[] = "innoscope.recompute.runs";
constexpr char kXactLock[] = "SELECT pg_advisory_xact_lock(hashtext($1))";
constexpr char kRunColumns[] =
    "id, run_key, shard_count, forced, state, items, "
    "(extract(epoch FROM created_at) * 1000000)::bigint, error, "
    "extract(epoch FROM now() - heartbeat_at)::float8";
constexpr char kOpenRun[] = " FROM sharded_runs WHERE state = 'open'";
constexpr char kRunById[] = " FROM sharded_runs WHERE id = $1";
constexpr char kAbandon[] =
    "UPDATE sharded_runs SET state = 'abandoned', finished_at = now(), error = $2 "
    "WHERE id = $1 AND state = 'open'";
constexpr char kPublishedSince[] =
    "SELECT 1 FROM sharded_runs WHERE run_key = $1 AND state = 'published' "
    "AND finished_at >= timestamptz 'epoch' + $2 * interval '1 microsecond' LIMIT 1";
constexpr char kCreateRun[] =
    "INSERT INTO sharded_runs (run_key, shard_count, forced, items) VALUES ($1, $2, $3, $4) "
    "RETURNING id";
constexpr char kInsertPlan[] =
    "INSERT INTO sharded_run_entries (run_id, entry_key, framework_version, recompute, "
    "versions_before) VALUES ($1, $2, $3, $4, $5::jsonb)";
constexpr char kPlan[] =
    "SELECT entry_key, framework_version, recompute FROM sharded_run_entries WHERE run_id = $1";
constexpr char kPlanVersions[] =
    "SELECT e.entry_key, v.key, v.value::bigint FROM sharded_run_entries e, "
    "jsonb_each_text(e.versions_before) v WHERE e.run_id = $1";
constexpr char kRecordItem[] =
    "INSERT INTO work_items (run_id, step, entry_key, period, shard, network_run, weight_set, "
    "score_run, uncertainty, seconds, block_first) VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), "
    "NULLIF($7, ''), NULLIF($8, ''), NULLIF($9, ''), $10, $11) ON CONFLICT DO NOTHING";
constexpr char kTouch[] = "UPDATE sharded_runs SET heartbeat_at = now() WHERE id = $1";
constexpr char kDoneItems[] =
    "SELECT step, entry_key, period, shard, coalesce(network_run, ''), coalesce(weight_set, ''), "
    "coalesce(score_run, ''), coalesce(uncertainty, ''), seconds, block_first FROM work_items "
    "WHERE run_id = $1 ORDER BY step, entry_key, period, block_first";
constexpr char kRecordUsed[] =
    "UPDATE sharded_runs SET used_versions = $2::jsonb WHERE id = $1 AND used_versions IS NULL";
constexpr char kUsed[] =
    "SELECT key, value::bigint FROM sharded_runs, jsonb_each_text(used_versions) WHERE id = $1";
constexpr char kFailRun[] =
    "UPDATE sharded_runs SET state = 'failed', finished_at = now(), error = $2 "
    "WHERE id = $1 AND state = 'open'";
constexpr char kAbandonOpen[] =
    "UPDATE sharded_runs SET state = 'abandoned', finished_at = now(), error = $1 "
    "WHERE state = 'open'";
constexpr char kLockRun[] = "SELECT state, items FROM sharded_runs WHERE id = $1 FOR UPDATE";
constexpr char kCountItems[] = "SELECT count(*) FROM work_items WHERE run_id = $1";
constexpr char kMarkPublished[] =
    "UPDATE sharded_runs SET state = 'published', finished_at = now(), job_run_id = $2 "
    "WHERE id = $1";

// The jsonb columns of job_runs, built with nlohmann::json (keys sorted,
// which jsonb does anyway).
using Json = nlohmann::json;

std::string EntriesJson(const JobRunRecord& run) {
  Json entries = Json::object();
  for (const auto& [key, e] : run.entries) {
    entries[key] = {{"framework", e.framework},
                    {"framework_version", e.framework_version},
                    {"config", e.config_hash},
                    {"recomputed", e.recomputed}};
  }
  return entries.dump();
}

std::string ChangedJson(const JobRunRecord& run) {
  Json entries = Json::object();
  for (const auto& [key, e] : run.entries) {
    Json changes = Json::object();
    if (e.changes.config_changed) {
      changes["config"] = {{"previous", e.changes.previous_config_hash},
                           {"current", e.config_hash}};
    }
    for (const recompute::VersionChange& c : e.changes.versions) {
      changes[c.scope] = {{"previous", c.previous ? Json(*c.previous) : Json()},
                          {"current", c.current}};
    }
    if (!changes.empty()) entries[key] = std::move(changes);
  }
  return entries.dump();
}

std::string VersionsJson(const JobRunRecord& run) {
  Json entries = Json::object();
  for (const auto& [key, e] : run.entries) {
    Json versions = Json::object();
    for (const auto& [scope, v] : e.versions) versions[scope] = v;
    entries[key] = std::move(versions);
  }
  return entries.dump();
}

std::string RunIdsJson(const JobRunRecord& run) {
  Json entries = Json::object();
  if (run.outcome != "success") return entries.dump();
  for (const auto& [key, e] : run.entries) {
    entries[key] = {{"network_runs", e.run_ids.network_runs},
                    {"weight_sets", e.run_ids.weight_sets},
                    {"score_runs", e.run_ids.score_runs},
                    {"uncertainty", e.run_ids.uncertainty}};
  }
  return entries.dump();
}

std::string StepsJson(const JobRunRecord& run) {
  Json steps = Json::object();
  for (const auto& [step, seconds] : run.step_seconds) steps[step] = seconds;
  return steps.dump();
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

std::string VersionsObject(const recompute::DataVersions& versions) {
  Json members = Json::object();
  for (const auto& [scope, v] : versions) members[scope] = v;
  return members.dump();
}

ShardedRunRow RunFromRow(const pqxx::row& r, double* heartbeat_age) {
  ShardedRunRow run;
  run.id = r[0].as<int64_t>();
  run.run_key = r[1].as<std::string>();
  run.shard_count = r[2].as<int>();
  run.forced = r[3].as<bool>();
  run.state = r[4].as<std::string>();
  run.items = r[5].as<int>();
  run.created_at = absl::FromUnixMicros(r[6].as<int64_t>());
  run.error = r[7].as<std::string>();
  if (heartbeat_age != nullptr) *heartbeat_age = r[8].as<double>();
  return run;
}

// The run's plan, read in `tx`.
void ReadPlan(pqxx::transaction_base& tx, ShardedRunRow* run) {
  for (const auto& row : tx.exec_params(kPlan, run->id)) {
    PlanEntry& e = run->plan[row[0].as<std::string>()];
    e.key = row[0].as<std::string>();
    e.framework_version = row[1].as<int>();
    e.recompute = row[2].as<bool>();
  }
  for (const auto& row : tx.exec_params(kPlanVersions, run->id)) {
    run->plan[row[0].as<std::string>()].before[row[1].as<std::string>()] = row[2].as<int64_t>();
  }
}

DoneItem ItemFromRow(const pqxx::row& row) {
  DoneItem d;
  d.step = row[0].as<std::string>();
  d.entry_key = row[1].as<std::string>();
  d.period = row[2].as<int>();
  d.shard = row[3].as<int>();
  d.network_run = row[4].as<std::string>();
  d.weight_set = row[5].as<std::string>();
  d.score_run = row[6].as<std::string>();
  d.uncertainty = row[7].as<std::string>();
  d.seconds = row[8].as<double>();
  d.block_first = row[9].as<int64_t>();
  return d;
}

// Inserts the job run in `tx`; returns its id.
int64_t InsertJobRun(pqxx::work& tx, const JobRunRecord& run) {
  std::optional<std::string> failed_step;
  if (run.outcome == "failed") failed_step = run.failed_step;
  std::optional<int64_t> sharded_run;
  if (run.sharded_run_id != 0) sharded_run = run.sharded_run_id;
  std::optional<std::string> shard;
  if (!run.shard.empty()) shard = run.shard;
  return tx
      .exec_params(kInsertRun, Micros(run.started_at), Micros(run.finished_at), run.outcome,
                   run.forced, failed_step, run.error, EntriesJson(run), ChangedJson(run),
                   VersionsJson(run), RunIdsJson(run), StepsJson(run), sharded_run, shard)[0][0]
      .as<int64_t>();
}

}  // namespace

absl::Status RecomputeStore::WithJobLock(bool shared,
                                         const std::function<absl::Status(bool)>& body) {
  absl::Status body_status = absl::OkStatus();
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    // The transaction only holds the lock: it takes no snapshot between
    // statements (READ COMMITTED) and writes nothing, so staying open for
    // the run holds back neither vacuum nor anyone's rows.
    pqxx::work tx(c);
    const bool acquired =
        tx.exec_params(shared ? kTryLockShared : kTryLock, kRecomputeLockName)[0][0].as<bool>();
    body_status = body(acquired);
    try {
      tx.commit();  // releases the lock
    } catch (const std::exception& e) {
      // The session is gone, and the lock with it.
      log::Warn("advisory lock release failed", {{"error", std::string(e.what())}});
    }
    return absl::OkStatus();
  }));
  return body_status;
}

absl::StatusOr<std::optional<LastSuccess>> RecomputeStore::FindLastSuccess(
    const std::string& entry_key) {
  std::optional<LastSuccess> found;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(kLastSuccess, entry_key);
    if (r.empty()) return absl::OkStatus();
    LastSuccess last;
    last.job_run_id = r[0][0].as<int64_t>();
    last.state.config_hash = r[0][1].is_null() ? "" : r[0][1].as<std::string>();
    last.framework_version = r[0][2].as<int>();
    for (const auto& row : tx.exec_params(kVersionsOf, last.job_run_id, entry_key)) {
      last.state.versions[row[0].as<std::string>()] = row[1].as<int64_t>();
    }
    for (const auto& row : tx.exec_params(kRunIdsOf, last.job_run_id, entry_key)) {
      const std::string kind = row[0].as<std::string>();
      std::string id = row[1].as<std::string>();
      if (kind == "network_runs") last.run_ids.network_runs.push_back(std::move(id));
      if (kind == "weight_sets") last.run_ids.weight_sets.push_back(std::move(id));
      if (kind == "score_runs") last.run_ids.score_runs.push_back(std::move(id));
      if (kind == "uncertainty") last.run_ids.uncertainty.push_back(std::move(id));
    }
    found = std::move(last);
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<int64_t> RecomputeStore::Record(const JobRunRecord& run) {
  int64_t id = 0;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    id = InsertJobRun(tx, run);
    tx.commit();
    return absl::OkStatus();
  }));
  return id;
}

absl::StatusOr<JobRunTotals> RecomputeStore::Totals(int64_t job_run_id) {
  JobRunTotals totals;
  for (const char* outcome : {"success", "unchanged", "locked", "failed"}) totals.runs[outcome] = 0;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec(kCountByOutcome)) {
      totals.runs[row[0].as<std::string>()] = row[1].as<int64_t>();
    }
    pqxx::row last = tx.exec1(kLastSuccessEnd);
    if (!last[0].is_null()) totals.last_success = absl::FromUnixMicros(last[0].as<int64_t>());
    pqxx::result duration = tx.exec_params(kDuration, job_run_id);
    if (duration.empty()) {
      return absl::NotFoundError(absl::StrCat("job run ", job_run_id, " is not recorded"));
    }
    totals.duration_seconds = duration[0][0].as<double>();
    for (const auto& row : tx.exec_params(kStepSeconds, job_run_id)) {
      totals.step_seconds[row[0].as<std::string>()] = row[1].as<double>();
    }
    return absl::OkStatus();
  }));
  return totals;
}

absl::StatusOr<JoinResult> RecomputeStore::JoinOrCreateShardedRun(
    const std::string& run_key, int shard_count, bool forced, const std::vector<PlanEntry>& plan,
    int items, absl::Time checked_after, absl::Duration stale_after) {
  JoinResult result;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    result = JoinResult();
    pqxx::work tx(c);
    tx.exec_params(kXactLock, kRunsLockName);
    pqxx::result open = tx.exec(absl::StrCat("SELECT ", kRunColumns, kOpenRun));
    if (!open.empty()) {
      double age = 0;
      ShardedRunRow run = RunFromRow(open[0], &age);
      if (run.run_key == run_key) {
        ReadPlan(tx, &run);
        result.how = Joined::kJoined;
        result.run = std::move(run);
        tx.commit();
        return absl::OkStatus();
      }
      if (age < absl::ToDoubleSeconds(stale_after)) {
        result.how = Joined::kOtherRun;
        result.run = std::move(run);
        tx.commit();
        return absl::OkStatus();
      }
      tx.exec_params(kAbandon, run.id,
                     absl::StrFormat("abandoned: no shard recorded anything for %.0f s "
                                     "(--stale_seconds) and a run of another config started",
                                     age));
      result.abandoned = run.id;
    }
    const bool recomputes =
        std::any_of(plan.begin(), plan.end(), [](const PlanEntry& e) { return e.recompute; });
    if (!recomputes) {
      result.how = Joined::kNothing;
      tx.commit();
      return absl::OkStatus();
    }
    if (!tx.exec_params(kPublishedSince, run_key, absl::ToUnixMicros(checked_after)).empty()) {
      result.how = Joined::kDoneMeanwhile;
      tx.commit();
      return absl::OkStatus();
    }
    const int64_t id =
        tx.exec_params1(kCreateRun, run_key, shard_count, forced, items)[0].as<int64_t>();
    for (const PlanEntry& e : plan) {
      tx.exec_params(kInsertPlan, id, e.key, e.framework_version, e.recompute,
                     VersionsObject(e.before));
    }
    pqxx::row row = tx.exec_params1(absl::StrCat("SELECT ", kRunColumns, kRunById), id);
    result.run = RunFromRow(row, nullptr);
    ReadPlan(tx, &result.run);
    result.how = Joined::kCreated;
    tx.commit();
    return absl::OkStatus();
  }));
  return result;
}

absl::Status RecomputeStore::RecordItem(int64_t run_id, const DoneItem& item) {
  return pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    tx.exec_params(kRecordItem, run_id, item.step, item.entry_key, item.period, item.shard,
                   item.network_run, item.weight_set, item.score_run, item.uncertainty,
                   item.seconds, item.block_first);
    tx.exec_params(kTouch, run_id);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<DoneItem>> RecomputeStore::DoneItems(int64_t run_id) {
  std::vector<DoneItem> items;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(kDoneItems, run_id)) items.push_back(ItemFromRow(row));
    return absl::OkStatus();
  }));
  return items;
}

absl::StatusOr<ShardedRunRow> RecomputeStore::Heartbeat(int64_t run_id) {
  ShardedRunRow run;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    tx.exec_params(kTouch, run_id);
    pqxx::result r = tx.exec_params(absl::StrCat("SELECT ", kRunColumns, kRunById), run_id);
    if (r.empty()) return absl::NotFoundError(absl::StrCat("sharded run ", run_id, " is gone"));
    run = RunFromRow(r[0], nullptr);
    tx.commit();
    return absl::OkStatus();
  }));
  return run;
}

absl::StatusOr<recompute::DataVersions> RecomputeStore::RecordUsedVersions(
    int64_t run_id, const recompute::DataVersions& read) {
  recompute::DataVersions recorded;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    recorded.clear();
    pqxx::work tx(c);
    tx.exec_params(kRecordUsed, run_id, VersionsObject(read));
    for (const auto& row : tx.exec_params(kUsed, run_id)) {
      recorded[row[0].as<std::string>()] = row[1].as<int64_t>();
    }
    tx.commit();
    return absl::OkStatus();
  }));
  return recorded;
}

absl::Status RecomputeStore::FailShardedRun(int64_t run_id, const std::string& error) {
  return pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    tx.exec_params(kFailRun, run_id, error);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<int> RecomputeStore::AbandonOpenShardedRuns(const std::string& reason) {
  int abandoned = 0;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    abandoned = tx.exec_params(kAbandonOpen, reason).affected_rows();
    tx.commit();
    return absl::OkStatus();
  }));
  return abandoned;
}

absl::StatusOr<RecomputeStore::Finalized> RecomputeStore::FinalizeShardedRun(
    int64_t run_id,
    const std::function<absl::StatusOr<JobRunRecord>(const std::vector<DoneItem>&)>& publish,
    int64_t* job_run_id, std::string* state) {
  Finalized outcome = Finalized::kIncomplete;
  absl::Status published = absl::OkStatus();
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    pqxx::result run = tx.exec_params(kLockRun, run_id);
    if (run.empty()) return absl::NotFoundError(absl::StrCat("sharded run ", run_id, " is gone"));
    *state = run[0][0].as<std::string>();
    if (*state != "open") {
      outcome = Finalized::kClosed;
      return absl::OkStatus();
    }
    if (tx.exec_params1(kCountItems, run_id)[0].as<int64_t>() < run[0][1].as<int64_t>()) {
      outcome = Finalized::kIncomplete;
      return absl::OkStatus();
    }
    std::vector<DoneItem> items;
    for (const auto& row : tx.exec_params(kDoneItems, run_id)) items.push_back(ItemFromRow(row));
    absl::StatusOr<JobRunRecord> record = publish(items);
    if (!record.ok()) {
      published = record.status();
      return absl::OkStatus();  // the transaction rolls back: the run stays open
    }
    *job_run_id = InsertJobRun(tx, *record);
    tx.exec_params(kMarkPublished, run_id, *job_run_id);
    tx.commit();
    *state = "published";
    outcome = Finalized::kPublished;
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(published);
  return outcome;
}

}  // namespace innoscope::recompute
