#include "services/recompute/recompute_store.h"

#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace innoscope::recompute {
namespace {

constexpr char kTryLock[] = "SELECT pg_try_advisory_lock(hashtext($1))";
constexpr char kUnlock[] = "SELECT pg_advisory_unlock(hashtext($1))";
// Timestamps travel as microseconds since the Unix epoch, exactly.
constexpr char kInsertRun[] =
    "INSERT INTO job_runs (started_at, finished_at, outcome, forced, failed_step, error, "
    "entries, changed, data_versions, run_ids, step_seconds) VALUES ("
    "timestamptz 'epoch' + $1 * interval '1 microsecond', "
    "timestamptz 'epoch' + $2 * interval '1 microsecond', $3, $4, $5, $6, "
    "$7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb) RETURNING id";
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

std::string Json(const std::string& text) { return absl::StrCat("\"", log::JsonEscape(text), "\""); }

std::string JsonList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back(Json(item));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

// {key: value_json} from (key, value_json) pairs.
std::string JsonObject(const std::vector<std::pair<std::string, std::string>>& members) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : members) parts.push_back(absl::StrCat(Json(key), ":", value));
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string EntriesJson(const JobRunRecord& run) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [key, e] : run.entries) {
    entries.emplace_back(
        key, JsonObject({{"framework", Json(e.framework)},
                         {"framework_version", absl::StrCat(e.framework_version)},
                         {"config", Json(e.config_hash)},
                         {"recomputed", e.recomputed ? "true" : "false"}}));
  }
  return JsonObject(entries);
}

std::string ChangedJson(const JobRunRecord& run) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [key, e] : run.entries) {
    std::vector<std::pair<std::string, std::string>> changes;
    if (e.changes.config_changed) {
      changes.emplace_back("config", JsonObject({{"previous", Json(e.changes.previous_config_hash)},
                                                 {"current", Json(e.config_hash)}}));
    }
    for (const recompute::VersionChange& c : e.changes.versions) {
      changes.emplace_back(
          c.scope, JsonObject({{"previous", c.previous ? absl::StrCat(*c.previous) : "null"},
                               {"current", absl::StrCat(c.current)}}));
    }
    if (!changes.empty()) entries.emplace_back(key, JsonObject(changes));
  }
  return JsonObject(entries);
}

std::string VersionsJson(const JobRunRecord& run) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [key, e] : run.entries) {
    std::vector<std::pair<std::string, std::string>> versions;
    for (const auto& [scope, v] : e.versions) versions.emplace_back(scope, absl::StrCat(v));
    entries.emplace_back(key, JsonObject(versions));
  }
  return JsonObject(entries);
}

std::string RunIdsJson(const JobRunRecord& run) {
  if (run.outcome != "success") return "{}";
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [key, e] : run.entries) {
    entries.emplace_back(key, JsonObject({{"network_runs", JsonList(e.run_ids.network_runs)},
                                          {"weight_sets", JsonList(e.run_ids.weight_sets)},
                                          {"score_runs", JsonList(e.run_ids.score_runs)},
                                          {"uncertainty", JsonList(e.run_ids.uncertainty)}}));
  }
  return JsonObject(entries);
}

std::string StepsJson(const JobRunRecord& run) {
  std::vector<std::pair<std::string, std::string>> steps;
  for (const auto& [step, seconds] : run.step_seconds) {
    steps.emplace_back(step, absl::StrFormat("%.6f", seconds));
  }
  return JsonObject(steps);
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

}  // namespace

absl::Status RecomputeStore::WithJobLock(const std::function<absl::Status(bool)>& body) {
  absl::Status body_status = absl::OkStatus();
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    bool acquired = false;
    {
      pqxx::nontransaction tx(c);
      acquired = tx.exec_params(kTryLock, kRecomputeLockName)[0][0].as<bool>();
    }
    body_status = body(acquired);
    if (acquired) {
      try {
        pqxx::nontransaction tx(c);
        tx.exec_params(kUnlock, kRecomputeLockName);
      } catch (const std::exception& e) {
        // The session is gone, and the lock with it.
        log::Warn("advisory lock release failed", {{"error", std::string(e.what())}});
      }
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
  std::optional<std::string> failed_step;
  if (run.outcome == "failed") failed_step = run.failed_step;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    id = tx.exec_params(kInsertRun, Micros(run.started_at), Micros(run.finished_at), run.outcome,
                        run.forced, failed_step, run.error, EntriesJson(run), ChangedJson(run),
                        VersionsJson(run), RunIdsJson(run), StepsJson(run))[0][0]
             .as<int64_t>();
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

}  // namespace innoscope::recompute
