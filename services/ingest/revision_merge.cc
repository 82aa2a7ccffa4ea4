#include "services/ingest/revision_merge.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "services/ingest/sql_text.h"

namespace innoscope::ingest {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kLockBatch[] = "SELECT pg_advisory_xact_lock(hashtext('ingest.batch:' || $1))";
constexpr char kFindBatch[] =
    "SELECT kind, content_hash, inserted, revised, unchanged FROM batches WHERE batch_id = $1";
constexpr char kRecordBatch[] =
    "INSERT INTO batches (batch_id, kind, content_hash, inserted, revised, unchanged, written_by) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";
// A batch applied again after other writes had changed its keys: the record
// keeps its id and takes the counts and time of the latest application.
constexpr char kReapplyBatch[] =
    "UPDATE batches SET kind = $2, content_hash = $3, inserted = $4, revised = $5, "
    "unchanged = $6, written_by = $7, applied_at = now() WHERE batch_id = $1";

// Serialises writers of one batch id and returns the stored result when the
// batch was applied before (ApplyBatch decides whether it is a replay).
absl::StatusOr<std::optional<WriteResult>> FindBatch(pqxx::work& tx, const std::string& batch_id,
                                                     const std::string& kind,
                                                     const std::string& content_hash) {
  tx.exec_params(kLockBatch, batch_id);
  pqxx::result r = tx.exec_params(kFindBatch, batch_id);
  if (r.empty()) return std::optional<WriteResult>();
  if (r[0][0].as<std::string>() != kind || r[0][1].as<std::string>() != content_hash) {
    return absl::AlreadyExistsError(
        absl::StrCat("batch_id ", batch_id, " was already used for a different ",
                     r[0][0].as<std::string>(), " batch; choose a new batch id for new content"));
  }
  WriteResult result;
  result.replayed = true;
  result.summary.set_inserted(r[0][2].as<int>());
  result.summary.set_revised(r[0][3].as<int>());
  result.summary.set_unchanged(r[0][4].as<int>());
  return std::optional<WriteResult>(result);
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  return absl::StrJoin(parts, sep);
}

// Exact comparison: doubles by their binary representation (so -0.0 and
// 0.0 differ, as they do in a bit-for-bit round trip), others by value.
std::string DistinctExpr(const std::string& column, const std::string& type) {
  if (type == "double precision") {
    return absl::StrCat("float8send(o.", column, ") IS DISTINCT FROM float8send(s.", column, ")");
  }
  return absl::StrCat("o.", column, " IS DISTINCT FROM s.", column);
}

// Milliseconds since `start`, for the debug-level phase timings.
double MillisSince(absl::Time start) { return absl::ToDoubleMilliseconds(absl::Now() - start); }

}  // namespace

// Cost (docs/ingest.md, "Performance"): when every key of the batch is new
// (a bulk load), one COPY into the table. Otherwise (that COPY rolled back
// at its first existing key) one COPY into the staging table, one index
// lookup per staged row, one COPY into the table, and for changed rows one
// update by row address. No statement joins the staged
// rows to the table in a way the planner could turn into a scan of the
// table: on a table never analysed (the first bulk load) it estimates
// `valid_to IS NULL` to match 0.5% of the rows and chose merge joins over
// every current row, or probes by a partial key, so a batch's cost grew
// with the table.
absl::StatusOr<v1::WriteSummary> MergeRevisions(pqxx::work& tx, const RevisionedTable& spec,
                                                const BatchRows& rows, const std::string& batch_id,
                                                std::vector<std::string>* changed) {
  const std::string staging = "staging_" + spec.table;
  std::vector<std::string> columns, column_defs, key_match, staged_key_text, key_text, distinct,
      current_columns;
  for (const auto& [c, t] : spec.key_types) {
    columns.push_back(c);
    column_defs.push_back(c + " " + t);
    key_match.push_back(absl::StrCat("t.", c, " = s.", c));
    staged_key_text.push_back(absl::StrCat("s.", c, "::text"));
    key_text.push_back(absl::StrCat("t.", c, "::text"));
  }
  for (const auto& [c, t] : spec.values) {
    columns.push_back(c);
    column_defs.push_back(c + " " + t);
    distinct.push_back(DistinctExpr(c, t));
    current_columns.push_back("t." + c);
  }
  for (const auto& [c, t] : spec.extras) {
    columns.push_back(c);
    column_defs.push_back(c + " " + t);
  }
  std::vector<std::string> table_columns = columns;
  table_columns.push_back("revision");
  table_columns.push_back("batch_id");
  v1::WriteSummary summary;
  absl::flat_hash_set<std::string> changed_set;

  // 0. The bulk-load case: when no key of the batch has a row yet, every
  //    row is revision 1 of a new key and goes straight into the table with
  //    one COPY, inside a savepoint. The unique indexes (the one current
  //    row per key of each revisioned table) reject the COPY at the first
  //    key that has a row (or that a concurrent batch wrote first: the COPY
  //    waits for it to commit); then the savepoint is rolled back, nothing
  //    of the attempt remains, and the batch is merged key by key below. No
  //    staging and no probe: a bulk load costs one COPY per batch.
  absl::Time phase = absl::Now();
  try {
    pqxx::subtransaction new_keys(tx, "new_keys");
    {
      storage::CopyWriter copy(new_keys, spec.table, table_columns);
      for (size_t i = 0; i < rows.count; ++i) rows.store(copy, i, 1, batch_id);
      copy.Complete();
    }
    new_keys.commit();
    for (size_t i = 0; i < rows.count; ++i) changed_set.insert(rows.scope(i));
    summary.set_inserted(static_cast<int>(rows.count));
    changed->assign(changed_set.begin(), changed_set.end());
    std::sort(changed->begin(), changed->end());
    log::Debug("merge", {{"table", spec.table},
                         {"batch_id", batch_id},
                         {"rows", static_cast<int64_t>(rows.count)},
                         {"new_keys_ms", MillisSince(phase)}});
    return summary;
  } catch (const pqxx::unique_violation&) {
    // A key of the batch has a row: the merge below decides each revision.
  }
  const double new_keys_ms = MillisSince(phase);

  // The staging table lives as long as the connection and is emptied at
  // every commit, so batches do not churn the system catalogue.
  phase = absl::Now();
  tx.exec(absl::StrCat("CREATE TEMP TABLE IF NOT EXISTS ", staging, " (", Join(column_defs, ", "),
                       ") ON COMMIT DELETE ROWS"));
  {
    storage::CopyWriter copy(tx, staging, columns);
    for (size_t i = 0; i < rows.count; ++i) rows.stage(copy, i);
    copy.Complete();
  }
  const double stage_ms = MillisSince(phase);

  // 1. The current revision of each staged key, if any, and whether the
  //    staged content differs from it. The LATERAL subquery with LIMIT 1
  //    cannot be flattened into a join, so this is a nested loop of one
  //    lookup per staged row, and every index of a revisioned table begins
  //    with its whole key (migration 0004), so each lookup is one index
  //    descent. Existing keys are few in a bulk load: unchanged ones are
  //    skipped, changed ones get the next revision, every other row
  //    revision 1.
  phase = absl::Now();
  absl::flat_hash_map<std::string, std::pair<int, bool>> existing;
  std::vector<std::string> to_close;                 // row addresses (ctid)
  absl::flat_hash_set<std::string> expected_closed;  // key \x1f revision
  for (const auto& row : tx.exec(absl::StrCat(
           "SELECT concat_ws(chr(31), ", Join(staged_key_text, ", "), "), o.revision, (",
           Join(distinct, " OR "), "), o.ctid FROM ", staging,
           " s CROSS JOIN LATERAL (SELECT t.revision, t.ctid, ", Join(current_columns, ", "),
           " FROM ", spec.table, " t WHERE t.valid_to IS NULL AND ", Join(key_match, " AND "),
           " LIMIT 1) o"))) {
    const std::string key = row[0].as<std::string>();
    const int revision = row[1].as<int>();
    const bool row_changed = row[2].as<bool>();
    existing[key] = {revision, row_changed};
    if (row_changed) {
      to_close.push_back(row[3].as<std::string>());
      expected_closed.insert(absl::StrCat(key, "\x1f", revision));
    }
  }
  const double probe_ms = MillisSince(phase);

  // 2. Close the current revisions whose content changed, by row address:
  //    a TID scan, whatever the statistics. (A `valid_to IS NULL` condition
  //    here lets the planner, which estimates it to match 0.5% of a table
  //    never analysed, read the whole partial index of current rows
  //    instead.) A row a concurrent writer closed first has moved to a new
  //    address and is skipped, and an address since reused holds another
  //    key or revision: the rows closed are checked against those meant and
  //    any difference aborts the batch, which is retried (as does the
  //    unique-index collision of the copy below).
  phase = absl::Now();
  if (!to_close.empty()) {
    size_t closed = 0;
    bool unexpected = false;
    for (const auto& row :
         tx.exec_params(absl::StrCat("UPDATE ", spec.table,
                                     " t SET valid_to = now() WHERE t.ctid = ANY($1::tid[]) "
                                     "RETURNING concat_ws(chr(31), ",
                                     Join(key_text, ", "), ", t.revision::text)"),
                        TextArray(to_close))) {
      if (expected_closed.contains(row[0].as<std::string>())) {
        ++closed;
      } else {
        unexpected = true;
      }
    }
    if (unexpected || closed != to_close.size()) {
      return absl::AbortedError(
          "concurrent write to the same keys: a current revision changed while the batch was "
          "merged");
    }
  }
  const double close_ms = MillisSince(phase);

  // 3. New revisions go in with COPY: the bulk path, as fast as loading the
  //    table directly (valid_from defaults to the transaction's now()).
  phase = absl::Now();
  {
    storage::CopyWriter copy(tx, spec.table, table_columns);
    for (size_t i = 0; i < rows.count; ++i) {
      int revision = 1;
      if (!existing.empty()) {
        auto it = existing.find(rows.key(i));
        if (it != existing.end()) {
          if (!it->second.second) {
            summary.set_unchanged(summary.unchanged() + 1);
            continue;
          }
          revision = it->second.first + 1;
        }
      }
      rows.store(copy, i, revision, batch_id);
      if (revision == 1) {
        summary.set_inserted(summary.inserted() + 1);
      } else {
        summary.set_revised(summary.revised() + 1);
      }
      changed_set.insert(rows.scope(i));
    }
    copy.Complete();
  }
  changed->assign(changed_set.begin(), changed_set.end());
  std::sort(changed->begin(), changed->end());
  log::Debug("merge", {{"table", spec.table},
                       {"batch_id", batch_id},
                       {"rows", static_cast<int64_t>(rows.count)},
                       {"existing", static_cast<int64_t>(existing.size())},
                       {"changed", static_cast<int64_t>(to_close.size())},
                       {"stage_ms", stage_ms},
                       {"new_keys_ms", new_keys_ms},
                       {"probe_ms", probe_ms},
                       {"close_ms", close_ms},
                       {"insert_ms", MillisSince(phase)}});
  return summary;
}

void BumpVersions(pqxx::work& tx, std::vector<std::string> scopes) {
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  if (scopes.empty()) return;
  tx.exec_params(
      "INSERT INTO data_versions (scope, version) "
      "SELECT s, 1 FROM unnest($1::text[]) AS s ORDER BY s "
      "ON CONFLICT (scope) DO UPDATE SET version = data_versions.version + 1, updated_at = now()",
      TextArray(scopes));
}

// The idempotency rule (docs/api.md, "Batch ids"): a batch id names content,
// and a re-sent one is a replay only while that content is still what is
// stored. The merge runs for every batch; when a batch id applied before
// changes nothing (each of its rows equals the current revision of its
// key), the transaction is rolled back and the stored counts are answered
// with replayed = true, so a re-run of an interrupted import writes nothing
// twice. When later writes to the same keys changed them (import A, then
// B, then A again), the rows that differ become new revisions, the batch
// record is updated, and replayed = false: the current values are always
// those of the last batch applied.
absl::StatusOr<WriteResult> ApplyBatch(
    storage::ConnectionPool& pool, const std::string& batch_id, const std::string& kind,
    const std::string& content_hash, const std::string& written_by,
    const std::function<absl::StatusOr<v1::WriteSummary>(pqxx::work&)>& merge,
    const common::CallBudget& budget) {
  WriteResult result;
  absl::Status status = pool.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    // The transaction id first: from here on readers count this writer in
    // their snapshot (TakeSnapshot), whose rows carry this transaction's
    // start as valid_from.
    tx.exec("SELECT pg_current_xact_id()");
    ASSIGN_OR_RETURN(std::optional<WriteResult> previous,
                     FindBatch(tx, batch_id, kind, content_hash));
    absl::StatusOr<v1::WriteSummary> summary;
    try {
      summary = merge(tx);
    } catch (const pqxx::unique_violation& e) {
      // A concurrent batch created the same key first: retry the batch.
      return absl::AbortedError(absl::StrCat("concurrent write to the same keys: ", e.what()));
    }
    if (!summary.ok()) return summary.status();
    if (previous && summary->inserted() == 0 && summary->revised() == 0) {
      tx.abort();  // nothing changed: a true replay
      result = *previous;
      return absl::OkStatus();
    }
    tx.exec_params(previous ? kReapplyBatch : kRecordBatch, batch_id, kind, content_hash,
                   summary->inserted(), summary->revised(), summary->unchanged(), written_by);
    RETURN_IF_ERROR(budget.Check("committing batch " + batch_id));
    tx.commit();
    result = WriteResult{*summary, false};
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

std::string CurrentAt(pqxx::transaction_base& tx, const google::protobuf::Timestamp* as_of,
                      bool include_history) {
  if (include_history) return "true";
  if (as_of == nullptr) return "o.valid_to IS NULL";
  std::string t = tx.quote(TimeUtil::ToString(*as_of));
  return absl::StrCat("o.valid_from <= ", t,
                      "::timestamptz AND (o.valid_to IS NULL OR o.valid_to > ", t,
                      "::timestamptz)");
}

ReadSnapshot TakeSnapshot(pqxx::transaction_base& tx) {
  // Sessions of other roles show no xact_start (NULL), and only this role
  // writes this schema. Only writers count: a transaction that holds a
  // transaction id (ApplyBatch takes its id first, so from its first
  // statement on) may still commit rows stamped with its start; a read-only
  // one never will, so it must not hide writes committed after it began.
  // now() is this statement's own start.
  pqxx::row row = tx.exec1(
      "WITH t AS (SELECT least(now(), min(xact_start)) AS at FROM pg_stat_activity "
      "WHERE datname = current_database() AND backend_type = 'client backend' "
      "AND backend_xid IS NOT NULL) "
      "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
      "(extract(epoch FROM at) * 1000000)::bigint FROM t");
  return ReadSnapshot{tx.quote(row[0].as<std::string>()) + "::timestamptz", row[1].as<int64_t>()};
}

std::string VisibleAt(pqxx::transaction_base& tx, const google::protobuf::Timestamp* as_of,
                      bool include_history, const ReadSnapshot& snapshot) {
  if (include_history) return absl::StrCat("o.valid_from < ", snapshot.literal);
  if (as_of != nullptr && TimeUtil::TimestampToMicroseconds(*as_of) < snapshot.unix_micros) {
    return CurrentAt(tx, as_of, false);
  }
  return absl::StrCat("o.valid_from < ", snapshot.literal,
                      " AND (o.valid_to IS NULL OR o.valid_to >= ", snapshot.literal, ")");
}

}  // namespace innoscope::ingest
