#pragma once

// IngestStore: every SQL statement of the ingest service, against its own
// schema `ingest`. Each method is one transaction; write batches are applied
// atomically together with their idempotency record, so a batch is either
// fully stored with its batch row or not at all.
//
// The methods are defined by concern: ingest_store.cc (catalogue, regions,
// clusters, indicators, frameworks, data versions),
// ingest_store_observations.cc and ingest_store_relations.cc (the revisioned
// tables), on top of revision_merge.h (idempotent batches, the merge of
// revisions, as-of reads) and sql_text.h (value literals).
//
// Revisions (docs/ingest.md): a key's current row has valid_to NULL; a new
// value closes it (valid_to = now) and inserts revision + 1. A unique
// index guarantees one current row per key even under concurrency:
// a conflicting concurrent writer gets ABORTED and is retried.
//
//   IngestStore store(pool);
//   absl::StatusOr<WriteResult> r = store.WriteObservations(id, hash, rows, note, written_by);

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/common/call_budget.h"
#include "libs/storage/pool.h"
#include "services/ingest/ingest_validation.h"

namespace innoscope::ingest {

struct WriteResult {
  v1::WriteSummary summary;
  bool replayed = false;
};

struct UpsertCounts {
  int inserted = 0;
  int updated = 0;
  int unchanged = 0;
};

class IngestStore {
 public:
  // `max_relation_set_rows`: the most current actors, and the most current
  // relations, a relation set may hold (--max_relation_set_rows). Streams
  // read `page_rows` rows per page, one short transaction each
  // (libs/storage/paged_read.h).
  explicit IngestStore(storage::ConnectionPool& pool,
                       int64_t max_relation_set_rows = IngestLimits().max_relation_set_rows,
                       int page_rows = 5000)
      : pool_(pool), max_relation_set_rows_(max_relation_set_rows), page_rows_(page_rows) {}

  absl::StatusOr<Catalog> LoadCatalog();
  // Resolves version 0 to the latest; NOT_FOUND for an unknown framework.
  absl::StatusOr<FrameworkScope> LoadFrameworkScope(const std::string& code, int version);

  absl::StatusOr<UpsertCounts> UpsertRegions(
      const std::vector<v1::Region>& regions,
      const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<std::vector<v1::Region>> ListRegions(v1::RegionKind kind, int64_t offset,
                                                      int limit, int64_t* total);
  absl::StatusOr<bool> SetClusterMembers(const std::string& cluster,
                                         const std::vector<v1::ClusterMember>& members,
                                         const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<std::vector<v1::ListClusterMembersResponse::Membership>> ListClusterMembers(
      const std::string& cluster, int year);

  absl::StatusOr<UpsertCounts> UpsertIndicators(
      const std::vector<v1::Indicator>& indicators,
      const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<std::vector<v1::Indicator>> ListIndicators(int64_t offset, int limit,
                                                            int64_t* total);

  // Creates the framework version, or finds an identical one (created =
  // false). ALREADY_EXISTS for an explicit version with other content.
  absl::StatusOr<v1::CreateFrameworkResponse> CreateFramework(
      const v1::CreateFrameworkRequest& request, const std::string& content_hash,
      const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<v1::Framework> GetFramework(const std::string& code, int version);
  absl::StatusOr<std::vector<v1::Framework>> ListFrameworks(const std::string& code);

  // rows are validated and deduplicated. A batch id applied before whose
  // rows are still current is a replay (the stored result, nothing
  // written); one whose keys changed since is written again
  // (revision_merge.h, ApplyBatch); a batch id already used for other
  // content is ALREADY_EXISTS.
  // `written_by` (the caller's identity) is stored with the batch and with
  // every revision it writes, like `note`. Every write checks `budget` (the
  // caller's deadline and cancellation) last before its commit: a call past
  // its deadline or cancelled commits nothing (DEADLINE_EXCEEDED / CANCELLED).
  absl::StatusOr<WriteResult> WriteObservations(
      const std::string& batch_id, const std::string& content_hash,
      const std::vector<v1::Observation>& rows, const std::string& note,
      const std::string& written_by, const common::CallBudget& budget = common::CallBudget());
  // Streams matching rows in pages of page_rows (one short transaction each,
  // as of one snapshot: revision_merge.h); on_chunk returns false to stop.
  absl::Status ReadObservations(
      const v1::ReadObservationsRequest& request, const FrameworkScope* framework,
      const std::function<bool(std::vector<v1::StoredObservation>&)>& on_chunk);

  absl::StatusOr<absl::flat_hash_set<std::string>> ActorCodes(const std::string& set);
  absl::StatusOr<WriteResult> UpsertActors(const std::string& set, const std::string& batch_id,
                                           const std::string& content_hash,
                                           const std::vector<v1::Actor>& actors,
                                           const std::string& written_by,
                                           const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<WriteResult> WriteRelations(
      const std::string& set, const std::string& batch_id, const std::string& content_hash,
      const std::vector<v1::Relation>& relations, const std::string& written_by,
      const common::CallBudget& budget = common::CallBudget());
  absl::Status ReadActors(const v1::ReadActorsRequest& request, const std::string& set,
                          const std::function<bool(std::vector<v1::Actor>&)>& on_chunk);
  // With request.include_provenance, provenance[i] is that of relations[i];
  // otherwise provenance stays empty.
  absl::Status ReadRelations(
      const v1::ReadRelationsRequest& request, const std::string& set,
      const std::function<bool(std::vector<v1::Relation>&, std::vector<common::v1::Provenance>&)>&
          on_chunk);

  // The stored versions of `scopes` (all when empty) in scope order, then
  // the requested scopes never changed, at version 0, in request order.
  // O(S + V log V) for S requested scopes and V stored (a hash join).
  absl::StatusOr<std::vector<common::v1::DataVersion>> GetDataVersions(
      const std::vector<std::string>& scopes);

 private:
  storage::ConnectionPool& pool_;
  const int64_t max_relation_set_rows_;
  const int page_rows_;
};

// Formats a double so that PostgreSQL parses back the identical bits.
std::string ExactDouble(double value);

}  // namespace innoscope::ingest
