// IngestStore's observations: batches merged as revisions (revision_merge.h)
// that bump the data versions of the frameworks using the changed
// indicators, and streamed reads, current or as of a time.

#include "services/ingest/ingest_store.h"

#include <pqxx/pqxx>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "libs/storage/paged_read.h"
#include "services/ingest/revision_merge.h"
#include "services/ingest/sql_text.h"

namespace innoscope::ingest {
namespace {

const RevisionedTable& ObservationsTable() {
  static const auto* spec = new RevisionedTable{
      "observations",
      {{"value", "double precision"}, {"source", "text"}},
      {{"region_code", "text"}, {"indicator_code", "text"}, {"period", "integer"}},
      {{"note", "text"}, {"written_by", "text"}}};
  return *spec;
}

// The last column of observations_key (migration 0010): a closed row's
// revision, and for the current row the largest integer, so one index
// keeps one current row per key and orders revisions as the primary key
// did. Written exactly as in the index, so the planner matches it.
constexpr char kRevisionSlot[] =
    "(CASE WHEN o.valid_to IS NULL THEN 2147483647 ELSE o.revision END)";

// The references of a batch's rows, in place of foreign keys (migration
// 0007): every distinct region and indicator code must be registered. Runs
// after the rows are written, so the transaction holds ROW EXCLUSIVE on
// observations and a concurrent deletion of a code (whose trigger takes
// SHARE on observations) either committed before this check or waits for
// this batch and then sees its rows.
absl::Status CheckReferences(pqxx::work& tx, const std::vector<v1::Observation>& rows) {
  absl::flat_hash_set<std::string> region_set, indicator_set;
  for (const v1::Observation& o : rows) {
    region_set.insert(o.region_code());
    indicator_set.insert(o.indicator_code());
  }
  const pqxx::result missing = tx.exec_params(
      "SELECT 'region_code', c FROM unnest($1::text[]) AS c "
      "WHERE NOT EXISTS (SELECT 1 FROM regions r WHERE r.code = c) "
      "UNION ALL SELECT 'indicator_code', c FROM unnest($2::text[]) AS c "
      "WHERE NOT EXISTS (SELECT 1 FROM indicators i WHERE i.code = c) LIMIT 1",
      TextArray(std::vector<std::string>(region_set.begin(), region_set.end())),
      TextArray(std::vector<std::string>(indicator_set.begin(), indicator_set.end())));
  if (missing.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(missing[0][0].as<std::string>(), " ",
                                                 missing[0][1].as<std::string>(),
                                                 " is not registered; nothing was written"));
}

}  // namespace

absl::StatusOr<WriteResult> IngestStore::WriteObservations(const std::string& batch_id,
                                                           const std::string& content_hash,
                                                           const std::vector<v1::Observation>& rows,
                                                           const std::string& note,
                                                           const std::string& written_by,
                                                           const common::CallBudget& budget) {
  BatchRows batch;
  batch.count = rows.size();
  batch.key = [&](size_t i) {
    return absl::StrCat(rows[i].region_code(), "\x1f", rows[i].indicator_code(), "\x1f",
                        rows[i].period());
  };
  // The columns of ObservationsTable(): key, values, extras (then revision
  // and batch id in the table).
  auto fields = [&](storage::CopyWriter& copy, size_t i) -> storage::CopyWriter& {
    const v1::Observation& o = rows[i];
    return copy.Text(o.region_code())
        .Text(o.indicator_code())
        .Int(o.period())
        .Double(o.value())
        .Text(o.source())
        .Text(note)
        .Text(written_by);
  };
  batch.stage = [&](storage::CopyWriter& copy, size_t i) { fields(copy, i).EndRow(); };
  batch.store = [&](storage::CopyWriter& copy, size_t i, int revision, const std::string& id) {
    fields(copy, i).Int(revision).Text(id).EndRow();
  };
  batch.scope = [&](size_t i) { return rows[i].indicator_code(); };
  return ApplyBatch(
      pool_, batch_id, "observations", content_hash, written_by,
      [&](pqxx::work& tx) -> absl::StatusOr<v1::WriteSummary> {
        std::vector<std::string> changed;
        ASSIGN_OR_RETURN(v1::WriteSummary summary,
                         MergeRevisions(tx, ObservationsTable(), batch, batch_id, &changed));
        if (summary.inserted() > 0 || summary.revised() > 0) {
          RETURN_IF_ERROR(CheckReferences(tx, rows));
        }
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
      },
      budget);
}

absl::Status IngestStore::ReadObservations(
    const v1::ReadObservationsRequest& request, const FrameworkScope* framework,
    const std::function<bool(std::vector<v1::StoredObservation>&)>& on_chunk) {
  storage::PagedQuery query;
  {
    // Quoting needs a connection; build the query inside one.
    absl::Status s = pool_.WithConnection([&](pqxx::connection& c) {
      pqxx::nontransaction tx(c);
      std::vector<std::string> where = {VisibleAt(tx,
                                                  request.has_as_of() ? &request.as_of() : nullptr,
                                                  request.include_history(), TakeSnapshot(tx))};
      // The indicator lists lead the key: each page lists only the
      // indicators from the last one seen on (storage::PagedQuery::condition).
      std::vector<std::string> lists;
      if (framework != nullptr) {
        if (framework->leaves.empty()) {
          where.push_back("false");
        } else {
          lists.push_back(QuotedList(tx, framework->leaves));
        }
      }
      if (request.indicator_codes_size() > 0) {
        lists.push_back(QuotedList(tx, request.indicator_codes()));
      }
      if (!lists.empty()) {
        query.condition = [lists](pqxx::transaction_base& page_tx,
                                  const std::vector<std::string>* last) {
          std::vector<std::string> conditions;
          for (const std::string& list : lists) {
            conditions.push_back(
                last == nullptr
                    ? absl::StrCat("o.indicator_code IN (", list, ")")
                    : absl::StrCat("o.indicator_code = ANY(ARRAY(SELECT c FROM unnest(ARRAY[", list,
                                   "]::text[]) AS c WHERE c >= ", page_tx.quote((*last)[0]), "))"));
          }
          return absl::StrJoin(conditions, " AND ");
        };
      }
      if (request.region_codes_size() > 0) {
        where.push_back(InList(tx, "o.region_code", request.region_codes()));
      }
      if (request.has_periods()) {
        where.push_back(absl::StrCat("o.period BETWEEN ", request.periods().first(), " AND ",
                                     request.periods().last()));
      }
      query.select = absl::StrCat(
          "SELECT o.region_code, o.indicator_code, o.period, o.value, ",
          request.values_only() ? "'', " : "o.source, ", "o.revision, ", kRevisionSlot,
          request.values_only()
              ? " "
              : ", o.batch_id, o.note, (extract(epoch FROM o.valid_from) * 1000000)::bigint, "
                "o.written_by ",
          "FROM observations o WHERE ", absl::StrJoin(where, " AND "));
      // The order of observations_key (migration 0010), so pages are index
      // ranges: by key, then revision (the current row, highest, last).
      query.key = {"o.indicator_code", "o.region_code", "o.period", kRevisionSlot};
      query.key_columns = {1, 0, 2, 6};
      query.ordered_index = true;  // also on a table not yet analysed
      return absl::OkStatus();
    });
    if (!s.ok()) return s;
  }
  return storage::StreamPages(pool_, query, page_rows_, [&](const pqxx::result& r) {
    std::vector<v1::StoredObservation> chunk;
    chunk.reserve(r.size());
    for (const auto& row : r) {
      v1::StoredObservation& s = chunk.emplace_back();
      v1::Observation* o = s.mutable_observation();
      o->set_region_code(row[0].as<std::string>());
      o->set_indicator_code(row[1].as<std::string>());
      o->set_period(row[2].as<int>());
      o->set_value(ParseDouble(row[3].c_str()));
      if (request.values_only()) continue;
      o->set_source(row[4].as<std::string>());
      s.set_revision(row[5].as<int>());
      s.mutable_provenance()->set_batch_id(row[7].as<std::string>());
      s.mutable_provenance()->set_note(row[8].as<std::string>());
      s.mutable_provenance()->set_source(o->source());
      *s.mutable_provenance()->mutable_ingested_at() = FromMicros(row[9].as<int64_t>());
      s.mutable_provenance()->set_written_by(row[10].as<std::string>());
    }
    return on_chunk(chunk);
  });
}

}  // namespace innoscope::ingest
