// IngestStore's actors and relations of a relation set: batches merged as
// revisions (revision_merge.h) that bump the set's data version, and
// streamed reads, current or as of a time, with filters on actor kinds.

#include "services/ingest/ingest_store.h"

#include <tuple>
#include <utility>

#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "libs/common/status_macros.h"
#include "libs/storage/paged_read.h"
#include "services/ingest/revision_merge.h"
#include "services/ingest/sql_text.h"
#include "services/ingest/stored_names.h"

namespace innoscope::ingest {
namespace {

// Adds a batch's new keys to its relation set's size; returns the new size.
constexpr char kGrowSet[] =
    "INSERT INTO relation_set_sizes AS t (relation_set, kind, current_rows) VALUES ($1, $2, $3) "
    "ON CONFLICT (relation_set, kind) DO UPDATE SET current_rows = t.current_rows + "
    "EXCLUDED.current_rows RETURNING current_rows";

const RevisionedTable& ActorsTable() {
  static const auto* spec = new RevisionedTable{"actors",
                                                {{"name", "text"},
                                                 {"kind", "text"},
                                                 {"province_code", "text"},
                                                 {"city_code", "text"},
                                                 {"sample", "boolean"},
                                                 {"platform", "boolean"},
                                                 {"is_foreign", "boolean"},
                                                 {"layer", "text"},
                                                 {"attributes", "jsonb"}},
                                                {{"relation_set", "text"}, {"code", "text"}},
                                                {{"written_by", "text"}}};
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
       {"qualifier", "text"}},
      {{"written_by", "text"}}};
  return *spec;
}

// Writes one batch of a relation set's revisioned rows (actors or
// relations): each row's columns are tuple(i), staged for the merge and
// stored with its revision and batch id; any change bumps the set's
// version, which every network result of the set depends on. New keys add
// to the set's size (relation_set_sizes, migration 0006), which may not pass
// max_set_rows: such a batch is RESOURCE_EXHAUSTED and rolled back.
template <typename Tuple>
absl::StatusOr<WriteResult> WriteSetBatch(
    storage::ConnectionPool& pool, const RevisionedTable& table, const std::string& set,
    const std::string& batch_id, const std::string& content_hash, const std::string& written_by,
    int64_t max_set_rows, BatchRows batch, const Tuple& tuple, const common::CallBudget& budget) {
  batch.stage = [&](storage::CopyWriter& copy, size_t i) { copy.Row(tuple(i)); };
  batch.store = [&](storage::CopyWriter& copy, size_t i, int revision, const std::string& id) {
    copy.Row(std::tuple_cat(tuple(i), std::make_tuple(revision, id)));
  };
  batch.scope = [&](size_t) { return set; };
  return ApplyBatch(
      pool, batch_id, table.table, content_hash, written_by,
      [&](pqxx::work& tx) -> absl::StatusOr<v1::WriteSummary> {
        std::vector<std::string> changed;
        ASSIGN_OR_RETURN(v1::WriteSummary summary,
                         MergeRevisions(tx, table, batch, batch_id, &changed));
        if (summary.inserted() > 0) {
          const int64_t size =
              tx.exec_params(kGrowSet, set, table.table, summary.inserted())[0][0].as<int64_t>();
          RETURN_IF_ERROR(CheckLimit(absl::StatusCode::kResourceExhausted, table.table,
                                     absl::StrCat("current ", table.table, " in relation set \"",
                                                  set, "\" with this batch"),
                                     size, max_set_rows, kMaxRelationSetRowsFlag));
        }
        if (!changed.empty()) BumpVersions(tx, {"relations:" + set});
        return summary;
      },
      budget);
}

}  // namespace

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
                                                      const std::vector<v1::Actor>& actors,
                                                      const std::string& written_by,
                                                      const common::CallBudget& budget) {
  auto tuple = [&](size_t i) {
    const v1::Actor& a = actors[i];
    return std::make_tuple(set, a.code(), a.name(), StoredName(a.kind()), a.province_code(),
                           a.city_code(), a.sample(), a.platform(), a.foreign(),
                           StoredLayer(a.layer()), JsonObject(a.attributes()), written_by);
  };
  BatchRows batch;
  batch.count = actors.size();
  batch.key = [&](size_t i) { return absl::StrCat(set, "\x1f", actors[i].code()); };
  return WriteSetBatch(pool_, ActorsTable(), set, batch_id, content_hash, written_by,
                       max_relation_set_rows_, std::move(batch), tuple, budget);
}

absl::StatusOr<WriteResult> IngestStore::WriteRelations(const std::string& set,
                                                        const std::string& batch_id,
                                                        const std::string& content_hash,
                                                        const std::vector<v1::Relation>& relations,
                                                        const std::string& written_by,
                                                        const common::CallBudget& budget) {
  auto tuple = [&](size_t i) {
    const v1::Relation& r = relations[i];
    return std::make_tuple(set, r.source_code(), r.target_code(), r.type(), r.period(),
                           r.qualifier(), OptionalExact(r.has_weight(), r.weight()),
                           OptionalExact(r.has_amount(), r.amount()), JsonObject(r.tags()),
                           written_by);
  };
  BatchRows batch;
  batch.count = relations.size();
  batch.key = [&](size_t i) {
    const v1::Relation& r = relations[i];
    return absl::StrCat(set, "\x1f", r.source_code(), "\x1f", r.target_code(), "\x1f", r.type(),
                        "\x1f", r.period(), "\x1f", r.qualifier());
  };
  return WriteSetBatch(pool_, RelationsTable(), set, batch_id, content_hash, written_by,
                       max_relation_set_rows_, std::move(batch), tuple, budget);
}

absl::Status IngestStore::ReadActors(const v1::ReadActorsRequest& request, const std::string& set,
                                     const std::function<bool(std::vector<v1::Actor>&)>& on_chunk) {
  storage::PagedQuery query;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    std::vector<std::string> where = {
        absl::StrCat("o.relation_set = ", tx.quote(set)),
        VisibleAt(tx, request.has_as_of() ? &request.as_of() : nullptr, false, TakeSnapshot(tx))};
    if (request.kinds_size() > 0) {
      google::protobuf::RepeatedPtrField<std::string> kinds;
      for (int k : request.kinds()) *kinds.Add() = StoredName(static_cast<v1::ActorKind>(k));
      where.push_back(InList(tx, "o.kind", kinds));
    }
    query.select = absl::StrCat(
        "SELECT o.code, o.name, o.kind, o.province_code, o.city_code, o.sample, o.platform, "
        "o.is_foreign, o.layer, ",
        FlatJson("o.attributes"), " FROM actors o WHERE ", absl::StrJoin(where, " AND "));
    query.key = {"o.code"};  // one revision per code at one time
    query.key_columns = {0};
    query.ordered_index = true;  // actors_pkey (relation_set, code, revision)
    return absl::OkStatus();
  }));
  absl::Status stored = absl::OkStatus();  // an unknown stored kind or layer stops the read
  RETURN_IF_ERROR(storage::StreamPages(pool_, query, page_rows_, [&](const pqxx::result& r) {
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
    const std::function<bool(std::vector<v1::Relation>&, std::vector<common::v1::Provenance>&)>&
        on_chunk) {
  storage::PagedQuery query;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const ReadSnapshot snapshot = TakeSnapshot(tx);
    const google::protobuf::Timestamp* as_of = request.has_as_of() ? &request.as_of() : nullptr;
    std::vector<std::string> where = {absl::StrCat("o.relation_set = ", tx.quote(set)),
                                      VisibleAt(tx, as_of, false, snapshot)};
    if (request.types_size() > 0) where.push_back(InList(tx, "o.type", request.types()));
    // Actor kinds of either end, from the actors current at the same time.
    auto kinds = [&](const google::protobuf::RepeatedField<int>& list, const char* end) {
      google::protobuf::RepeatedPtrField<std::string> names;
      for (int k : list) *names.Add() = StoredName(static_cast<v1::ActorKind>(k));
      return absl::StrCat(
          "EXISTS (SELECT 1 FROM actors a WHERE a.relation_set = o.relation_set "
          "AND a.code = o.",
          end, " AND ", absl::StrReplaceAll(VisibleAt(tx, as_of, false, snapshot), {{"o.", "a."}}),
          " AND ", InList(tx, "a.kind", names), ")");
    };
    if (request.source_kinds_size() > 0)
      where.push_back(kinds(request.source_kinds(), "source_code"));
    if (request.target_kinds_size() > 0)
      where.push_back(kinds(request.target_kinds(), "target_code"));
    if (request.has_periods()) {
      where.push_back(absl::StrCat("o.year BETWEEN ", request.periods().first(), " AND ",
                                   request.periods().last()));
    }
    query.select = absl::StrCat(
        "SELECT o.source_code, o.target_code, o.type, o.year, o.qualifier, o.weight, o.amount, ",
        FlatJson("o.tags"),
        ", o.batch_id, (extract(epoch FROM o.valid_from) * 1000000)::bigint, o.written_by "
        "FROM relations o WHERE ",
        absl::StrJoin(where, " AND "));
    // One revision per relation key at one time.
    query.key = {"o.year", "o.type", "o.source_code", "o.target_code", "o.qualifier"};
    query.key_columns = {3, 2, 0, 1, 4};
    query.ordered_index = true;  // relations_pkey (migration 0009)
    return absl::OkStatus();
  }));
  return storage::StreamPages(pool_, query, page_rows_, [&](const pqxx::result& r) {
    std::vector<v1::Relation> chunk;
    std::vector<common::v1::Provenance> provenance;
    chunk.reserve(r.size());
    for (const auto& row : r) {
      if (request.include_provenance()) {
        common::v1::Provenance& p = provenance.emplace_back();
        p.set_batch_id(row[8].as<std::string>());
        *p.mutable_ingested_at() = FromMicros(row[9].as<int64_t>());
        p.set_written_by(row[10].as<std::string>());
      }
      v1::Relation& rel = chunk.emplace_back();
      rel.set_source_code(row[0].as<std::string>());
      rel.set_target_code(row[1].as<std::string>());
      rel.set_type(row[2].as<std::string>());
      rel.set_period(row[3].as<int>());
      rel.set_qualifier(row[4].as<std::string>());
      if (!row[5].is_null()) rel.set_weight(ParseDouble(row[5].c_str()));
      if (!row[6].is_null()) rel.set_amount(ParseDouble(row[6].c_str()));
      ParseFlatJson(row[7].as<std::string>(), rel.mutable_tags());
    }
    return on_chunk(chunk, provenance);
  });
}

}  // namespace innoscope::ingest
