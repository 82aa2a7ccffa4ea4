#pragma once

// The revision machinery of the ingest store (internal to IngestStore):
// idempotent batches (a batch id replays only while its content is
// current), the merge of a batch of rows into a table with revisions
// (staging with COPY, closing changed current revisions, new revisions with
// COPY), data-version bumps, and the as-of conditions of reads of such
// tables, including the snapshot time that keeps a paged stream
// (libs/storage/paged_read.h) on one state. The per-entity files (ingest_store*.cc)
// describe their tables and rows; this file knows nothing of observations,
// actors or relations.
//
//   BatchRows batch = ...;  // key, stage, store and scope of row i
//   return ApplyBatch(pool_, batch_id, "observations", content_hash, written_by,
//                     [&](pqxx::work& tx) -> absl::StatusOr<v1::WriteSummary> {
//                       std::vector<std::string> changed;
//                       ASSIGN_OR_RETURN(v1::WriteSummary summary,
//                                        MergeRevisions(tx, table, batch, batch_id, &changed));
//                       BumpVersions(tx, scopes_of(changed));
//                       return summary;
//                     });

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/storage/copy_writer.h"
#include "libs/storage/pool.h"
#include "services/ingest/ingest_store.h"

namespace innoscope::ingest {

// A batch of rows for MergeRevisions, in the table's column order (key,
// values, extras); row i is written by write(copy, i, suffix...) where the
// table copy appends the revision and batch id.
struct BatchRows {
  size_t count = 0;
  // Key columns as text joined by \x1f (integers in decimal), matching
  // concat_ws(chr(31), ...) of the stored key.
  std::function<std::string(size_t)> key;
  // Writes row i to the staging table.
  std::function<void(storage::CopyWriter&, size_t)> stage;
  // Writes row i to the table with its revision and batch id.
  std::function<void(storage::CopyWriter&, size_t, int, const std::string&)> store;
  // The data-version scope value of row i (e.g. its indicator code).
  std::function<std::string(size_t)> scope;
};

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

// Stages rows with COPY, closes changed current revisions and inserts new
// ones. Returns the summary and the distinct values of `report_column` for
// changed rows (to bump data versions).
absl::StatusOr<v1::WriteSummary> MergeRevisions(pqxx::work& tx, const RevisionedTable& spec,
                                                const BatchRows& rows, const std::string& batch_id,
                                                std::vector<std::string>* changed);

// Increments the data version of each scope (sorted, so concurrent writers
// lock rows in the same order and cannot deadlock).
void BumpVersions(pqxx::work& tx, std::vector<std::string> scopes);

// Runs a batch write: merge, batch record (with the identity that wrote it),
// version bump, all in one transaction; retried on serialization conflicts.
// A batch id applied before is a replay (nothing written, the stored counts,
// replayed = true) only while its rows are still the current values of
// their keys; otherwise the rows that differ are written again (the last
// write wins) and the record updated. The same id with other content is
// ALREADY_EXISTS. `budget` is checked last before the commit: a call past
// its deadline or cancelled commits nothing.
absl::StatusOr<WriteResult> ApplyBatch(
    storage::ConnectionPool& pool, const std::string& batch_id, const std::string& kind,
    const std::string& content_hash, const std::string& written_by,
    const std::function<absl::StatusOr<v1::WriteSummary>(pqxx::work&)>& merge,
    const common::CallBudget& budget = common::CallBudget());

// The WHERE clause for as-of reads of a revisioned table aliased `o`.
std::string CurrentAt(pqxx::transaction_base& tx, const google::protobuf::Timestamp* as_of,
                      bool include_history);

// The moment a paged stream reads as of (docs/api.md, "Lists and streams"):
// the start of the oldest transaction of this service's role open when the
// stream starts (its own included). Every write whose transaction began
// before it has committed, so the rows valid just before it are final:
// later pages, read in later transactions, see the same state.
struct ReadSnapshot {
  std::string literal;  // a quoted timestamptz literal
  int64_t unix_micros = 0;
};
ReadSnapshot TakeSnapshot(pqxx::transaction_base& tx);

// CurrentAt for a paged stream: the rows valid just before `snapshot`
// (valid_from < T, valid_to NULL or >= T); with include_history every
// revision written before T; with an as_of earlier than T, CurrentAt(as_of).
std::string VisibleAt(pqxx::transaction_base& tx, const google::protobuf::Timestamp* as_of,
                      bool include_history, const ReadSnapshot& snapshot);

}  // namespace innoscope::ingest
