#include "services/ingest/ingest_store.h"

#include <charconv>
#include <map>
#include <optional>
#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"

namespace innoscope::ingest {
namespace {

// A batch of rows for MergeRevisions, in the table's column order (key,
// values, extras); row i is written by write(copy, i, suffix...) where the
// table copy appends the revision and batch id.
struct BatchRows {
  size_t count = 0;
  // Key columns as text joined by \x1f (integers in decimal), matching
  // concat_ws(chr(31), ...) of the stored key.
  std::function<std::string(size_t)> key;
  // Writes row i to the staging table.
  std::function<void(pqxx::stream_to&, size_t)> stage;
  // Writes row i to the table with its revision and batch id.
  std::function<void(pqxx::stream_to&, size_t, int, const std::string&)> store;
  // The data-version scope value of row i (e.g. its indicator code).
  std::function<std::string(size_t)> scope;
};

std::optional<std::string> OptionalExact(bool has, double value);
using google::protobuf::util::TimeUtil;

// ------------------------------------------------------------ helpers

// A PostgreSQL text[] literal; elements are quoted and escaped.
std::string TextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string JsonObject(const google::protobuf::Map<std::string, std::string>& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) {
    parts.push_back(absl::StrCat("\"", log::JsonEscape(k), "\":\"", log::JsonEscape(v), "\""));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

// SELECT expression turning a jsonb object into "k\x1fv\x1ek\x1fv"; keys and
// values are validated to contain no control characters.
std::string FlatJson(const std::string& column) {
  return absl::StrCat("coalesce((SELECT string_agg(key || chr(31) || value, chr(30) ORDER BY key) "
                      "FROM jsonb_each_text(", column, ")), '')");
}

void ParseFlatJson(const std::string& flat, google::protobuf::Map<std::string, std::string>* out) {
  if (flat.empty()) return;
  for (absl::string_view pair : absl::StrSplit(flat, '\x1e')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('\x1f', 1));
    (*out)[kv.first] = kv.second;
  }
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

double ParseDouble(const char* text) {
  double v = 0;
  absl::SimpleAtod(text, &v);
  return v;
}

// Region kinds, actor kinds, layers and weight conventions are stored as
// their proto names without the enum's prefix, lower case ("province",
// "research_institute"; libs/codecs/enum_codecs.h); a layer may be "".
template <typename P>
std::string StoredName(P value) {
  return codecs::ProtoEnumName(value);
}

std::string StoredLayer(v1::Layer layer) {
  return layer == v1::LAYER_UNSPECIFIED ? "" : StoredName(layer);
}

// A stored name back; INTERNAL for a name this build does not know (written
// by a newer one), rather than some other value.
template <typename P>
absl::StatusOr<P> FromStored(const std::string& text, const char* column) {
  absl::StatusOr<P> value = codecs::ProtoEnumFromName<P>(text);
  if (!value.ok()) {
    return absl::InternalError(
        absl::StrCat(column, ": the stored value '", text, "' is unknown to this build"));
  }
  return *value;
}

absl::StatusOr<v1::Layer> LayerFromStored(const std::string& text) {
  if (text.empty()) return v1::LAYER_UNSPECIFIED;
  return FromStored<v1::Layer>(text, "actors.layer");
}

// ------------------------------------------------------- batches, merge

constexpr char kLockBatch[] = "SELECT pg_advisory_xact_lock(hashtext('ingest.batch:' || $1))";
constexpr char kFindBatch[] =
    "SELECT kind, content_hash, inserted, revised, unchanged FROM batches WHERE batch_id = $1";
constexpr char kRecordBatch[] =
    "INSERT INTO batches (batch_id, kind, content_hash, inserted, revised, unchanged) "
    "VALUES ($1, $2, $3, $4, $5, $6)";

// Serialises writers of one batch id and returns the stored result when the
// batch was applied before.
absl::StatusOr<std::optional<WriteResult>> FindBatch(pqxx::work& tx, const std::string& batch_id,
                                                     const std::string& kind,
                                                     const std::string& content_hash) {
  tx.exec_params(kLockBatch, batch_id);
  pqxx::result r = tx.exec_params(kFindBatch, batch_id);
  if (r.empty()) return std::optional<WriteResult>();
  if (r[0][0].as<std::string>() != kind || r[0][1].as<std::string>() != content_hash) {
    return absl::AlreadyExistsError(absl::StrCat(
        "batch_id ", batch_id, " was already used for a different ", r[0][0].as<std::string>(),
        " batch; choose a new batch id for new content"));
  }
  WriteResult result;
  result.replayed = true;
  result.summary.set_inserted(r[0][2].as<int>());
  result.summary.set_revised(r[0][3].as<int>());
  result.summary.set_unchanged(r[0][4].as<int>());
  return std::optional<WriteResult>(result);
}

// A table with revisions: rows are identified by key columns; value columns
// are compared exactly (doubles by their bits) to tell a change.
struct RevisionedTable {
  std::string table;
  // column -> SQL type: the key, then the compared values.
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<std::pair<std::string, std::string>> key_types;
  // Stored with each revision but not compared (provenance).
  std::vector<std::pair<std::string, std::string>> extras = {};
};

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

// Stages rows with COPY, closes changed current revisions and inserts new
// ones. Returns the summary and the distinct values of `report_column` for
// changed rows (to bump data versions).
//
// Cost (docs/ingest.md, "Performance"): one COPY into the staging table,
// one index lookup per staged row, one COPY into the table, and for
// changed rows one update by row address. No statement joins the staged
// rows to the table in a way the planner could turn into a scan of the
// table: on a table never analysed (the first bulk load) it estimates
// `valid_to IS NULL` to match 0.5% of the rows and chose merge joins over
// every current row, or probes by a partial key, so a batch's cost grew
// with the table.
absl::StatusOr<v1::WriteSummary> MergeRevisions(pqxx::work& tx, const RevisionedTable& spec,
                                                const BatchRows& rows,
                                                const std::string& batch_id,
                                                std::vector<std::string>* changed) {
  const absl::Time start = absl::Now();
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
  // The staging table lives as long as the connection and is emptied at
  // every commit, so batches do not churn the system catalogue.
  tx.exec(absl::StrCat("CREATE TEMP TABLE IF NOT EXISTS ", staging, " (",
                       Join(column_defs, ", "), ") ON COMMIT DELETE ROWS"));
  {
    pqxx::stream_to copy(tx, staging, columns);
    for (size_t i = 0; i < rows.count; ++i) rows.stage(copy, i);
    copy.complete();
  }
  const double stage_ms = MillisSince(start);

  // 1. The current revision of each staged key, if any, and whether the
  //    staged content differs from it. The LATERAL subquery with LIMIT 1
  //    cannot be flattened into a join, so this is a nested loop of one
  //    lookup per staged row, and every index of a revisioned table begins
  //    with its whole key (migration 0004), so each lookup is one index
  //    descent. Existing keys are few in a bulk load: unchanged ones are
  //    skipped, changed ones get the next revision, every other row
  //    revision 1.
  absl::Time phase = absl::Now();
  absl::flat_hash_map<std::string, std::pair<int, bool>> existing;
  std::vector<std::string> to_close;                   // row addresses (ctid)
  absl::flat_hash_set<std::string> expected_closed;    // key \x1f revision
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
  //    primary key collision of the copy below).
  phase = absl::Now();
  if (!to_close.empty()) {
    size_t closed = 0;
    bool unexpected = false;
    for (const auto& row : tx.exec_params(
             absl::StrCat("UPDATE ", spec.table,
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
  std::vector<std::string> table_columns = columns;
  table_columns.push_back("revision");
  table_columns.push_back("batch_id");
  v1::WriteSummary summary;
  absl::flat_hash_set<std::string> changed_set;
  {
    pqxx::stream_to copy(tx, spec.table, table_columns);
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
    copy.complete();
  }
  changed->assign(changed_set.begin(), changed_set.end());
  std::sort(changed->begin(), changed->end());
  log::Debug("merge", {{"table", spec.table},
                       {"batch_id", batch_id},
                       {"rows", static_cast<int64_t>(rows.count)},
                       {"existing", static_cast<int64_t>(existing.size())},
                       {"changed", static_cast<int64_t>(to_close.size())},
                       {"stage_ms", stage_ms},
                       {"probe_ms", probe_ms},
                       {"close_ms", close_ms},
                       {"insert_ms", MillisSince(phase)}});
  return summary;
}

// Increments the data version of each scope (sorted, so concurrent writers
// lock rows in the same order and cannot deadlock).
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

// Runs a batch write: idempotency check, merge, batch record, version bump,
// all in one transaction; retried on serialization conflicts.
absl::StatusOr<WriteResult> ApplyBatch(
    storage::ConnectionPool& pool, const std::string& batch_id, const std::string& kind,
    const std::string& content_hash,
    const std::function<absl::StatusOr<v1::WriteSummary>(pqxx::work&)>& merge) {
  WriteResult result;
  absl::Status status = pool.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    ASSIGN_OR_RETURN(std::optional<WriteResult> previous,
                     FindBatch(tx, batch_id, kind, content_hash));
    if (previous) {
      result = *previous;
      return absl::OkStatus();
    }
    absl::StatusOr<v1::WriteSummary> summary;
    try {
      summary = merge(tx);
    } catch (const pqxx::unique_violation& e) {
      // A concurrent batch created the same key first: retry the batch.
      return absl::AbortedError(absl::StrCat("concurrent write to the same keys: ", e.what()));
    }
    if (!summary.ok()) return summary.status();
    tx.exec_params(kRecordBatch, batch_id, kind, content_hash, summary->inserted(),
                   summary->revised(), summary->unchanged());
    tx.commit();
    result = WriteResult{*summary, false};
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

// ------------------------------------------------------- observations

const RevisionedTable& ObservationsTable() {
  static const auto* spec = new RevisionedTable{
      "observations",
      {{"value", "double precision"}, {"source", "text"}},
      {{"region_code", "text"}, {"indicator_code", "text"}, {"period", "integer"}},
      {{"note", "text"}}};
  return *spec;
}

const RevisionedTable& ActorsTable() {
  static const auto* spec = new RevisionedTable{
      "actors",
      {{"name", "text"},
       {"kind", "text"},
       {"province_code", "text"},
       {"city_code", "text"},
       {"sample", "boolean"},
       {"platform", "boolean"},
       {"is_foreign", "boolean"},
       {"layer", "text"},
       {"attributes", "jsonb"}},
      {{"relation_set", "text"}, {"code", "text"}}};
  return *spec;
}

const RevisionedTable& RelationsTable() {
  static const auto* spec = new RevisionedTable{
      "relations",
      {{"weight", "double precision"}, {"amount", "double precision"}, {"tags", "jsonb"}},
      {{"relation_set", "text"},
       {"source_code", "text"},
       {"target_code", "text"},
       {"type", "text"},
       {"year", "integer"},
       {"qualifier", "text"}}};
  return *spec;
}

// The WHERE clause for as-of reads of a revisioned table aliased `o`.
std::string CurrentAt(pqxx::transaction_base& tx, const google::protobuf::Timestamp* as_of,
                      bool include_history) {
  if (include_history) return "true";
  if (as_of == nullptr) return "o.valid_to IS NULL";
  std::string t = tx.quote(TimeUtil::ToString(*as_of));
  return absl::StrCat("o.valid_from <= ", t, "::timestamptz AND (o.valid_to IS NULL OR o.valid_to > ",
                      t, "::timestamptz)");
}

// Runs a query through a server-side cursor, fetching `chunk` rows at a time.
absl::Status StreamQuery(storage::ConnectionPool& pool, const std::string& query, int chunk,
                         const std::function<bool(const pqxx::result&)>& on_rows) {
  return pool.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    tx.exec("DECLARE ingest_read NO SCROLL CURSOR FOR " + query);
    while (true) {
      pqxx::result r = tx.exec(absl::StrCat("FETCH ", chunk, " FROM ingest_read"));
      if (r.empty()) break;
      if (!on_rows(r)) break;
    }
    return absl::OkStatus();
  });
}

std::string InList(pqxx::transaction_base& tx, const std::string& column,
                   const google::protobuf::RepeatedPtrField<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& v : values) quoted.push_back(tx.quote(v));
  return absl::StrCat(column, " IN (", absl::StrJoin(quoted, ","), ")");
}

}  // namespace

namespace {
std::optional<std::string> OptionalExact(bool has, double value) {
  if (!has) return std::nullopt;
  return ExactDouble(value);
}
}  // namespace

std::string ExactDouble(double value) {
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

absl::StatusOr<Catalog> IngestStore::LoadCatalog() {
  Catalog catalog;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec("SELECT code FROM regions")) {
      catalog.regions.insert(row[0].as<std::string>());
    }
    for (const auto& row : tx.exec("SELECT code, is_count FROM indicators")) {
      catalog.indicators[row[0].as<std::string>()] = row[1].as<bool>();
    }
    for (const auto& row : tx.exec(
             "SELECT DISTINCT n.code FROM framework_nodes n WHERE NOT n.is_leaf "
             "AND NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = n.code)")) {
      catalog.aggregates.insert(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return catalog;
}

absl::StatusOr<FrameworkScope> IngestStore::LoadFrameworkScope(const std::string& code,
                                                               int version) {
  FrameworkScope scope;
  scope.code = code;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result v = tx.exec_params(
        "SELECT max(version) FROM frameworks WHERE code = $1 AND ($2 = 0 OR version = $2)",
        code, version);
    if (v[0][0].is_null()) {
      return absl::NotFoundError(absl::StrCat(
          "framework ", code, version > 0 ? absl::StrCat(" v", version) : "",
          " does not exist; import it first (innoscope import framework)"));
    }
    scope.version = v[0][0].as<int>();
    for (const auto& row : tx.exec_params(
             "SELECT code, is_leaf FROM framework_nodes WHERE framework_code = $1 AND "
             "framework_version = $2",
             code, scope.version)) {
      (row[1].as<bool>() ? scope.leaves : scope.aggregates).insert(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return scope;
}

// ------------------------------------------------------------ regions

absl::StatusOr<UpsertCounts> IngestStore::UpsertRegions(const std::vector<v1::Region>& regions) {
  UpsertCounts counts;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    counts = UpsertCounts();
    pqxx::work tx(c);
    for (const v1::Region& r : regions) {
      pqxx::result res = tx.exec_params(
          "INSERT INTO regions AS t (code, name, name_en, kind, parent_code, attributes) "
          "VALUES ($1, $2, $3, $4, nullif($5, ''), $6::jsonb) "
          "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, "
          "kind = EXCLUDED.kind, parent_code = EXCLUDED.parent_code, "
          "attributes = EXCLUDED.attributes, updated_at = now() "
          "WHERE (t.name, t.name_en, t.kind, t.parent_code, t.attributes) IS DISTINCT FROM "
          "(EXCLUDED.name, EXCLUDED.name_en, EXCLUDED.kind, EXCLUDED.parent_code, "
          "EXCLUDED.attributes) "
          "RETURNING (xmax = 0)",
          r.code(), r.name(), r.name_en(), StoredName(r.kind()), r.parent_code(),
          JsonObject(r.attributes()));
      if (res.empty()) {
        ++counts.unchanged;
      } else if (res[0][0].as<bool>()) {
        ++counts.inserted;
      } else {
        ++counts.updated;
      }
    }
    tx.commit();
    return absl::OkStatus();
  }));
  return counts;
}

absl::StatusOr<std::vector<v1::Region>> IngestStore::ListRegions(v1::RegionKind kind,
                                                                 int64_t offset, int limit,
                                                                 int64_t* total) {
  std::vector<v1::Region> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    std::string kind_name = kind == v1::REGION_KIND_UNSPECIFIED ? "" : StoredName(kind);
    *total = tx.exec_params("SELECT count(*) FROM regions WHERE $1 = '' OR kind = $1", kind_name)[0][0]
                 .as<int64_t>();
    for (const auto& row : tx.exec_params(
             absl::StrCat("SELECT code, name, name_en, kind, coalesce(parent_code, ''), ",
                          FlatJson("attributes"),
                          " FROM regions WHERE $1 = '' OR kind = $1 ORDER BY code "
                          "OFFSET $2 LIMIT $3"),
             kind_name, offset, limit)) {
      v1::Region& r = out.emplace_back();
      r.set_code(row[0].as<std::string>());
      r.set_name(row[1].as<std::string>());
      r.set_name_en(row[2].as<std::string>());
      ASSIGN_OR_RETURN(const v1::RegionKind region_kind,
                       FromStored<v1::RegionKind>(row[3].as<std::string>(), "regions.kind"));
      r.set_kind(region_kind);
      r.set_parent_code(row[4].as<std::string>());
      ParseFlatJson(row[5].as<std::string>(), r.mutable_attributes());
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<bool> IngestStore::SetClusterMembers(
    const std::string& cluster, const std::vector<v1::ClusterMember>& members) {
  bool changed = false;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    pqxx::result k = tx.exec_params("SELECT kind FROM regions WHERE code = $1", cluster);
    if (k.empty()) return absl::NotFoundError(absl::StrCat("cluster_code: unknown region ", cluster));
    if (k[0][0].as<std::string>() != "cluster") {
      return absl::InvalidArgumentError(
          absl::StrCat("cluster_code: ", cluster, " is a ", k[0][0].as<std::string>(),
                       ", not a cluster"));
    }
    std::vector<std::string> before, after;
    for (const auto& row : tx.exec_params(
             "SELECT member_code || ':' || first_year || ':' || last_year FROM cluster_members "
             "WHERE cluster_code = $1 ORDER BY 1",
             cluster)) {
      before.push_back(row[0].as<std::string>());
    }
    tx.exec_params("DELETE FROM cluster_members WHERE cluster_code = $1", cluster);
    for (const v1::ClusterMember& m : members) {
      tx.exec_params(
          "INSERT INTO cluster_members (cluster_code, member_code, first_year, last_year) "
          "VALUES ($1, $2, $3, $4)",
          cluster, m.member_code(), m.first_year(), m.last_year());
      after.push_back(absl::StrCat(m.member_code(), ":", m.first_year(), ":", m.last_year()));
    }
    std::sort(after.begin(), after.end());
    changed = before != after;
    if (changed) BumpVersions(tx, {"regions"});
    tx.commit();
    return absl::OkStatus();
  }));
  return changed;
}

absl::StatusOr<std::vector<v1::ListClusterMembersResponse::Membership>>
IngestStore::ListClusterMembers(const std::string& cluster, int year) {
  std::vector<v1::ListClusterMembersResponse::Membership> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT cluster_code, member_code, first_year, last_year FROM cluster_members "
             "WHERE ($1 = '' OR cluster_code = $1) AND ($2 = 0 OR ((first_year = 0 OR "
             "first_year <= $2) AND (last_year = 0 OR last_year >= $2))) "
             "ORDER BY cluster_code, member_code, first_year",
             cluster, year)) {
      auto& m = out.emplace_back();
      m.set_cluster_code(row[0].as<std::string>());
      m.mutable_member()->set_member_code(row[1].as<std::string>());
      m.mutable_member()->set_first_year(row[2].as<int>());
      m.mutable_member()->set_last_year(row[3].as<int>());
    }
    return absl::OkStatus();
  }));
  return out;
}

// --------------------------------------------------------- indicators

namespace {
constexpr char kUpsertIndicator[] =
    "INSERT INTO indicators AS t (code, name, name_en, unit, description, is_count) "
    "VALUES ($1, $2, $3, $4, $5, $6) "
    "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, name_en = EXCLUDED.name_en, "
    "unit = EXCLUDED.unit, description = EXCLUDED.description, is_count = EXCLUDED.is_count, "
    "updated_at = now() "
    "WHERE (t.name, t.name_en, t.unit, t.description, t.is_count) IS DISTINCT FROM "
    "(EXCLUDED.name, EXCLUDED.name_en, EXCLUDED.unit, EXCLUDED.description, EXCLUDED.is_count) "
    "RETURNING (xmax = 0)";

void UpsertIndicatorRows(pqxx::work& tx, const std::vector<v1::Indicator>& indicators,
                         UpsertCounts* counts) {
  for (const v1::Indicator& ind : indicators) {
    pqxx::result res = tx.exec_params(kUpsertIndicator, ind.code(),
                                      ind.name().empty() ? ind.code() : ind.name(),
                                      ind.name_en(), ind.unit(), ind.description(),
                                      ind.is_count());
    if (res.empty()) {
      ++counts->unchanged;
    } else if (res[0][0].as<bool>()) {
      ++counts->inserted;
    } else {
      ++counts->updated;
    }
  }
}
}  // namespace

absl::StatusOr<UpsertCounts> IngestStore::UpsertIndicators(
    const std::vector<v1::Indicator>& indicators) {
  UpsertCounts counts;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    counts = UpsertCounts();
    pqxx::work tx(c);
    UpsertIndicatorRows(tx, indicators, &counts);
    tx.commit();
    return absl::OkStatus();
  }));
  return counts;
}

absl::StatusOr<std::vector<v1::Indicator>> IngestStore::ListIndicators(int64_t offset, int limit,
                                                                       int64_t* total) {
  std::vector<v1::Indicator> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    *total = tx.exec("SELECT count(*) FROM indicators")[0][0].as<int64_t>();
    for (const auto& row : tx.exec_params(
             "SELECT code, name, name_en, unit, description, is_count FROM indicators "
             "ORDER BY code OFFSET $1 LIMIT $2",
             offset, limit)) {
      v1::Indicator& ind = out.emplace_back();
      ind.set_code(row[0].as<std::string>());
      ind.set_name(row[1].as<std::string>());
      ind.set_name_en(row[2].as<std::string>());
      ind.set_unit(row[3].as<std::string>());
      ind.set_description(row[4].as<std::string>());
      ind.set_is_count(row[5].as<bool>());
    }
    return absl::OkStatus();
  }));
  return out;
}

// --------------------------------------------------------- frameworks

absl::StatusOr<v1::CreateFrameworkResponse> IngestStore::CreateFramework(
    const v1::CreateFrameworkRequest& request, const std::string& content_hash) {
  v1::CreateFrameworkResponse response;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    response.Clear();
    pqxx::work tx(c);
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('ingest.framework:' || $1))",
                   request.code());
    response.mutable_framework()->set_code(request.code());
    if (request.version() > 0) {
      pqxx::result existing = tx.exec_params(
          "SELECT content_hash FROM frameworks WHERE code = $1 AND version = $2",
          request.code(), request.version());
      if (!existing.empty()) {
        if (existing[0][0].as<std::string>() != content_hash) {
          return absl::AlreadyExistsError(absl::StrCat(
              "framework ", request.code(), " v", request.version(),
              " exists with other content; versions are immutable, create a new version"));
        }
        response.mutable_framework()->set_version(request.version());
        return absl::OkStatus();
      }
    } else {
      pqxx::result latest = tx.exec_params(
          "SELECT version, content_hash FROM frameworks WHERE code = $1 "
          "ORDER BY version DESC LIMIT 1",
          request.code());
      if (!latest.empty() && latest[0][1].as<std::string>() == content_hash) {
        response.mutable_framework()->set_version(latest[0][0].as<int>());
        return absl::OkStatus();  // identical to the latest: a replay
      }
    }
    int version = request.version() > 0
                      ? request.version()
                      : tx.exec_params("SELECT coalesce(max(version), 0) + 1 FROM frameworks "
                                       "WHERE code = $1",
                                       request.code())[0][0]
                            .as<int>();
    // Register the indicators the request declares.
    std::vector<v1::Indicator> indicators(request.indicators().begin(),
                                          request.indicators().end());
    UpsertCounts counts;
    UpsertIndicatorRows(tx, indicators, &counts);
    tx.exec_params(
        "INSERT INTO frameworks (code, version, name, description, weight_convention, "
        "content_hash) VALUES ($1, $2, $3, $4, $5, $6)",
        request.code(), version, request.name(), request.description(),
        StoredName(request.weight_convention()),
        content_hash);
    absl::flat_hash_set<std::string> parents;
    for (const v1::FrameworkNode& n : request.nodes()) parents.insert(n.parent_code());
    int position = 0;
    for (const v1::FrameworkNode& n : request.nodes()) {
      tx.exec_params(
          "INSERT INTO framework_nodes (framework_code, framework_version, position, code, name, "
          "name_en, parent_code, level, is_leaf, direction, weight, unit, denominator_code, "
          "goal_min, goal_max, target, measurement) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
          "$10, $11::float8, $12, $13, $14::float8, $15::float8, $16::float8, $17)",
          request.code(), version, position++, n.code(), n.name(), n.name_en(), n.parent_code(),
          n.level(), !parents.contains(n.code()), n.direction() == 0 ? 1 : n.direction(),
          OptionalExact(n.has_weight(), n.weight()), n.unit(), n.denominator_code(),
          OptionalExact(n.has_goal_min(), n.goal_min()),
          OptionalExact(n.has_goal_max(), n.goal_max()),
          OptionalExact(n.has_target(), n.target()), n.measurement());
    }
    BumpVersions(tx, {"framework:" + request.code()});
    tx.commit();
    response.mutable_framework()->set_version(version);
    response.set_created(true);
    response.set_indicators_registered(counts.inserted);
    return absl::OkStatus();
  }));
  return response;
}

absl::StatusOr<v1::Framework> IngestStore::GetFramework(const std::string& code, int version) {
  v1::Framework framework;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result f = tx.exec_params(
        "SELECT code, version, name, description, weight_convention, "
        "(extract(epoch FROM created_at) * 1000000)::bigint FROM frameworks WHERE code = $1 "
        "AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1",
        code, version);
    if (f.empty()) {
      return absl::NotFoundError(absl::StrCat("framework ", code,
                                              version > 0 ? absl::StrCat(" v", version) : "",
                                              " does not exist"));
    }
    framework.set_code(f[0][0].as<std::string>());
    framework.set_version(f[0][1].as<int>());
    framework.set_name(f[0][2].as<std::string>());
    framework.set_description(f[0][3].as<std::string>());
    ASSIGN_OR_RETURN(const v1::WeightConvention convention,
                     FromStored<v1::WeightConvention>(f[0][4].as<std::string>(),
                                                      "frameworks.weight_convention"));
    framework.set_weight_convention(convention);
    *framework.mutable_created_at() = FromMicros(f[0][5].as<int64_t>());
    for (const auto& row : tx.exec_params(
             "SELECT code, name, name_en, parent_code, level, direction, weight, unit, "
             "denominator_code, goal_min, goal_max, target, measurement FROM framework_nodes "
             "WHERE framework_code = $1 AND framework_version = $2 ORDER BY position",
             framework.code(), framework.version())) {
      v1::FrameworkNode* n = framework.add_nodes();
      n->set_code(row[0].as<std::string>());
      n->set_name(row[1].as<std::string>());
      n->set_name_en(row[2].as<std::string>());
      n->set_parent_code(row[3].as<std::string>());
      n->set_level(row[4].as<int>());
      n->set_direction(row[5].as<int>());
      if (!row[6].is_null()) n->set_weight(ParseDouble(row[6].c_str()));
      n->set_unit(row[7].as<std::string>());
      n->set_denominator_code(row[8].as<std::string>());
      if (!row[9].is_null()) n->set_goal_min(ParseDouble(row[9].c_str()));
      if (!row[10].is_null()) n->set_goal_max(ParseDouble(row[10].c_str()));
      if (!row[11].is_null()) n->set_target(ParseDouble(row[11].c_str()));
      n->set_measurement(row[12].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return framework;
}

absl::StatusOr<std::vector<v1::Framework>> IngestStore::ListFrameworks(const std::string& code) {
  std::vector<v1::Framework> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT code, version, name, description, "
             "(extract(epoch FROM created_at) * 1000000)::bigint FROM frameworks "
             "WHERE $1 = '' OR code = $1 ORDER BY code, version",
             code)) {
      v1::Framework& f = out.emplace_back();
      f.set_code(row[0].as<std::string>());
      f.set_version(row[1].as<int>());
      f.set_name(row[2].as<std::string>());
      f.set_description(row[3].as<std::string>());
      *f.mutable_created_at() = FromMicros(row[4].as<int64_t>());
    }
    return absl::OkStatus();
  }));
  return out;
}

// ------------------------------------------------------- observations

absl::StatusOr<WriteResult> IngestStore::WriteObservations(
    const std::string& batch_id, const std::string& content_hash,
    const std::vector<v1::Observation>& rows, const std::string& note) {
  BatchRows batch;
  batch.count = rows.size();
  batch.key = [&](size_t i) {
    return absl::StrCat(rows[i].region_code(), "\x1f", rows[i].indicator_code(), "\x1f",
                        rows[i].period());
  };
  batch.stage = [&](pqxx::stream_to& copy, size_t i) {
    const v1::Observation& o = rows[i];
    copy << std::make_tuple(o.region_code(), o.indicator_code(), o.period(),
                            ExactDouble(o.value()), o.source(), note);
  };
  batch.store = [&](pqxx::stream_to& copy, size_t i, int revision, const std::string& id) {
    const v1::Observation& o = rows[i];
    copy << std::make_tuple(o.region_code(), o.indicator_code(), o.period(),
                            ExactDouble(o.value()), o.source(), note, revision, id);
  };
  batch.scope = [&](size_t i) { return rows[i].indicator_code(); };
  return ApplyBatch(pool_, batch_id, "observations", content_hash, [&](pqxx::work& tx)
                        -> absl::StatusOr<v1::WriteSummary> {
    std::vector<std::string> changed;
    ASSIGN_OR_RETURN(v1::WriteSummary summary,
                     MergeRevisions(tx, ObservationsTable(), batch, batch_id, &changed));
    if (!changed.empty()) {
      std::vector<std::string> scopes = {"observations"};
      for (const auto& row : tx.exec_params(
               "SELECT DISTINCT framework_code FROM framework_nodes WHERE "
               "(is_leaf AND code = ANY($1::text[])) OR denominator_code = ANY($1::text[])",
               TextArray(changed))) {
        scopes.push_back("framework:" + row[0].as<std::string>());
      }
      BumpVersions(tx, scopes);
    }
    return summary;
  });
}

absl::Status IngestStore::ReadObservations(
    const v1::ReadObservationsRequest& request, const FrameworkScope* framework,
    const std::function<bool(std::vector<v1::StoredObservation>&)>& on_chunk) {
  std::string query;
  {
    // Quoting needs a connection; build the query inside one.
    absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      std::vector<std::string> where = {CurrentAt(
          tx, request.has_as_of() ? &request.as_of() : nullptr, request.include_history())};
      if (framework != nullptr) {
        google::protobuf::RepeatedPtrField<std::string> leaves(framework->leaves.begin(),
                                                               framework->leaves.end());
        where.push_back(leaves.empty() ? "false" : InList(tx, "o.indicator_code", leaves));
      }
      if (request.indicator_codes_size() > 0) {
        where.push_back(InList(tx, "o.indicator_code", request.indicator_codes()));
      }
      if (request.region_codes_size() > 0) {
        where.push_back(InList(tx, "o.region_code", request.region_codes()));
      }
      if (request.has_periods()) {
        where.push_back(absl::StrCat("o.period BETWEEN ", request.periods().first(), " AND ",
                                     request.periods().last()));
      }
      query = absl::StrCat(
          "SELECT o.region_code, o.indicator_code, o.period, o.value, o.source, o.revision, "
          "o.batch_id, o.note, (extract(epoch FROM o.valid_from) * 1000000)::bigint "
          "FROM observations o WHERE ",
          absl::StrJoin(where, " AND "),
          " ORDER BY o.indicator_code, o.region_code, o.period, o.revision");
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return StreamQuery(pool_, query, 5000, [&](const pqxx::result& r) {
    std::vector<v1::StoredObservation> chunk;
    chunk.reserve(r.size());
    for (const auto& row : r) {
      v1::StoredObservation& s = chunk.emplace_back();
      v1::Observation* o = s.mutable_observation();
      o->set_region_code(row[0].as<std::string>());
      o->set_indicator_code(row[1].as<std::string>());
      o->set_period(row[2].as<int>());
      o->set_value(ParseDouble(row[3].c_str()));
      o->set_source(row[4].as<std::string>());
      s.set_revision(row[5].as<int>());
      s.mutable_provenance()->set_batch_id(row[6].as<std::string>());
      s.mutable_provenance()->set_note(row[7].as<std::string>());
      s.mutable_provenance()->set_source(o->source());
      *s.mutable_provenance()->mutable_ingested_at() = FromMicros(row[8].as<int64_t>());
    }
    return on_chunk(chunk);
  });
}

// ------------------------------------------------- actors, relations

absl::StatusOr<absl::flat_hash_set<std::string>> IngestStore::ActorCodes(const std::string& set) {
  absl::flat_hash_set<std::string> codes;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT code FROM actors WHERE relation_set = $1 AND valid_to IS NULL", set)) {
      codes.insert(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return codes;
}

absl::StatusOr<WriteResult> IngestStore::UpsertActors(const std::string& set,
                                                      const std::string& batch_id,
                                                      const std::string& content_hash,
                                                      const std::vector<v1::Actor>& actors) {
  auto tuple = [&](size_t i) {
    const v1::Actor& a = actors[i];
    return std::make_tuple(set, a.code(), a.name(), StoredName(a.kind()), a.province_code(),
                           a.city_code(), a.sample(), a.platform(), a.foreign(),
                           StoredLayer(a.layer()), JsonObject(a.attributes()));
  };
  BatchRows batch;
  batch.count = actors.size();
  batch.key = [&](size_t i) { return absl::StrCat(set, "\x1f", actors[i].code()); };
  batch.stage = [&](pqxx::stream_to& copy, size_t i) { copy << tuple(i); };
  batch.store = [&](pqxx::stream_to& copy, size_t i, int revision, const std::string& id) {
    copy << std::tuple_cat(tuple(i), std::make_tuple(revision, id));
  };
  batch.scope = [&](size_t) { return set; };
  return ApplyBatch(pool_, batch_id, "actors", content_hash,
                    [&](pqxx::work& tx) -> absl::StatusOr<v1::WriteSummary> {
                      std::vector<std::string> changed;
                      ASSIGN_OR_RETURN(v1::WriteSummary summary,
                                       MergeRevisions(tx, ActorsTable(), batch, batch_id, &changed));
                      if (!changed.empty()) BumpVersions(tx, {"relations:" + set});
                      return summary;
                    });
}

absl::StatusOr<WriteResult> IngestStore::WriteRelations(
    const std::string& set, const std::string& batch_id, const std::string& content_hash,
    const std::vector<v1::Relation>& relations) {
  auto tuple = [&](size_t i) {
    const v1::Relation& r = relations[i];
    return std::make_tuple(set, r.source_code(), r.target_code(), r.type(), r.year(),
                           r.qualifier(), OptionalExact(r.has_weight(), r.weight()),
                           OptionalExact(r.has_amount(), r.amount()), JsonObject(r.tags()));
  };
  BatchRows batch;
  batch.count = relations.size();
  batch.key = [&](size_t i) {
    const v1::Relation& r = relations[i];
    return absl::StrCat(set, "\x1f", r.source_code(), "\x1f", r.target_code(), "\x1f", r.type(),
                        "\x1f", r.year(), "\x1f", r.qualifier());
  };
  batch.stage = [&](pqxx::stream_to& copy, size_t i) { copy << tuple(i); };
  batch.store = [&](pqxx::stream_to& copy, size_t i, int revision, const std::string& id) {
    copy << std::tuple_cat(tuple(i), std::make_tuple(revision, id));
  };
  batch.scope = [&](size_t) { return set; };
  return ApplyBatch(pool_, batch_id, "relations", content_hash,
                    [&](pqxx::work& tx) -> absl::StatusOr<v1::WriteSummary> {
                      std::vector<std::string> changed;
                      ASSIGN_OR_RETURN(v1::WriteSummary summary,
                                       MergeRevisions(tx, RelationsTable(), batch, batch_id, &changed));
                      if (!changed.empty()) BumpVersions(tx, {"relations:" + set});
                      return summary;
                    });
}

absl::Status IngestStore::ReadActors(const v1::ReadActorsRequest& request, const std::string& set,
                                     const std::function<bool(std::vector<v1::Actor>&)>& on_chunk) {
  std::string query;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<std::string> where = {
        absl::StrCat("o.relation_set = ", tx.quote(set)),
        CurrentAt(tx, request.has_as_of() ? &request.as_of() : nullptr, false)};
    if (request.kinds_size() > 0) {
      google::protobuf::RepeatedPtrField<std::string> kinds;
      for (int k : request.kinds()) *kinds.Add() = StoredName(static_cast<v1::ActorKind>(k));
      where.push_back(InList(tx, "o.kind", kinds));
    }
    query = absl::StrCat(
        "SELECT o.code, o.name, o.kind, o.province_code, o.city_code, o.sample, o.platform, "
        "o.is_foreign, o.layer, ", FlatJson("o.attributes"), " FROM actors o WHERE ",
        absl::StrJoin(where, " AND "), " ORDER BY o.code");
    return absl::OkStatus();
  }));
  absl::Status stored = absl::OkStatus();  // an unknown stored kind or layer stops the read
  RETURN_IF_ERROR(StreamQuery(pool_, query, 5000, [&](const pqxx::result& r) {
    std::vector<v1::Actor> chunk;
    chunk.reserve(r.size());
    for (const auto& row : r) {
      v1::Actor& a = chunk.emplace_back();
      a.set_code(row[0].as<std::string>());
      a.set_name(row[1].as<std::string>());
      absl::StatusOr<v1::ActorKind> kind =
          FromStored<v1::ActorKind>(row[2].as<std::string>(), "actors.kind");
      absl::StatusOr<v1::Layer> layer = LayerFromStored(row[8].as<std::string>());
      if (!kind.ok() || !layer.ok()) {
        stored = kind.ok() ? layer.status() : kind.status();
        return false;
      }
      a.set_kind(*kind);
      a.set_province_code(row[3].as<std::string>());
      a.set_city_code(row[4].as<std::string>());
      a.set_sample(row[5].as<bool>());
      a.set_platform(row[6].as<bool>());
      a.set_foreign(row[7].as<bool>());
      a.set_layer(*layer);
      ParseFlatJson(row[9].as<std::string>(), a.mutable_attributes());
    }
    return on_chunk(chunk);
  }));
  return stored;
}

absl::Status IngestStore::ReadRelations(
    const v1::ReadRelationsRequest& request, const std::string& set,
    const std::function<bool(std::vector<v1::Relation>&)>& on_chunk) {
  std::string query;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<std::string> where = {
        absl::StrCat("o.relation_set = ", tx.quote(set)),
        CurrentAt(tx, request.has_as_of() ? &request.as_of() : nullptr, false)};
    if (request.types_size() > 0) where.push_back(InList(tx, "o.type", request.types()));
    // Actor kinds of either end, from the actors current at the same time.
    auto kinds = [&](const google::protobuf::RepeatedField<int>& list, const char* end) {
      google::protobuf::RepeatedPtrField<std::string> names;
      for (int k : list) *names.Add() = StoredName(static_cast<v1::ActorKind>(k));
      return absl::StrCat("EXISTS (SELECT 1 FROM actors a WHERE a.relation_set = o.relation_set "
                          "AND a.code = o.", end, " AND ",
                          absl::StrReplaceAll(CurrentAt(tx, request.has_as_of() ? &request.as_of()
                                                                                : nullptr,
                                                        false),
                                              {{"o.", "a."}}),
                          " AND ", InList(tx, "a.kind", names), ")");
    };
    if (request.source_kinds_size() > 0) where.push_back(kinds(request.source_kinds(), "source_code"));
    if (request.target_kinds_size() > 0) where.push_back(kinds(request.target_kinds(), "target_code"));
    if (request.has_years()) {
      where.push_back(absl::StrCat("o.year BETWEEN ", request.years().first(), " AND ",
                                   request.years().last()));
    }
    query = absl::StrCat(
        "SELECT o.source_code, o.target_code, o.type, o.year, o.qualifier, o.weight, o.amount, ",
        FlatJson("o.tags"), " FROM relations o WHERE ", absl::StrJoin(where, " AND "),
        " ORDER BY o.year, o.type, o.source_code, o.target_code, o.qualifier");
    return absl::OkStatus();
  }));
  return StreamQuery(pool_, query, 5000, [&](const pqxx::result& r) {
    std::vector<v1::Relation> chunk;
    chunk.reserve(r.size());
    for (const auto& row : r) {
      v1::Relation& rel = chunk.emplace_back();
      rel.set_source_code(row[0].as<std::string>());
      rel.set_target_code(row[1].as<std::string>());
      rel.set_type(row[2].as<std::string>());
      rel.set_year(row[3].as<int>());
      rel.set_qualifier(row[4].as<std::string>());
      if (!row[5].is_null()) rel.set_weight(ParseDouble(row[5].c_str()));
      if (!row[6].is_null()) rel.set_amount(ParseDouble(row[6].c_str()));
      ParseFlatJson(row[7].as<std::string>(), rel.mutable_tags());
    }
    return on_chunk(chunk);
  });
}

absl::StatusOr<std::vector<common::v1::DataVersion>> IngestStore::GetDataVersions(
    const std::vector<std::string>& scopes) {
  std::vector<common::v1::DataVersion> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(
             "SELECT scope, version FROM data_versions WHERE cardinality($1::text[]) = 0 OR "
             "scope = ANY($1::text[]) ORDER BY scope",
             TextArray(scopes))) {
      common::v1::DataVersion& v = out.emplace_back();
      v.set_scope(row[0].as<std::string>());
      v.set_version(row[1].as<int64_t>());
    }
    // Scopes asked for but never changed are at version 0.
    for (const std::string& scope : scopes) {
      bool found = false;
      for (const auto& v : out) found = found || v.scope() == scope;
      if (!found) {
        common::v1::DataVersion& v = out.emplace_back();
        v.set_scope(scope);
        v.set_version(0);
      }
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace innoscope::ingest
