#pragma once

// The ingest service's core: validation and the write/read rules of
// docs/ingest.md on top of IngestStore. Returns absl::Status; the gRPC
// adapter (ingest_grpc.h) only converts.
//
//   IngestService core(store);
//   auto writer = core.NewBatchWriter(written_by);
//   absl::StatusOr<v1::WriteObservationsResponse> r = writer->WriteObservations(batch);

#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "services/ingest/ingest_store.h"

namespace innoscope::ingest {

class IngestService {
 public:
  // `limits`: the caps every request is checked against (ingest_limits.h).
  explicit IngestService(IngestStore& store, IngestLimits limits = IngestLimits())
      : store_(store), limits_(limits) {}

  // The writes take the caller's deadline and cancellation (`budget`,
  // checked last before each commit: DEADLINE_EXCEEDED / CANCELLED commit
  // nothing).
  absl::StatusOr<v1::UpsertRegionsResponse> UpsertRegions(
      const v1::UpsertRegionsRequest& request,
      const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<v1::ListRegionsResponse> ListRegions(const v1::ListRegionsRequest& request);
  absl::StatusOr<v1::SetClusterMembersResponse> SetClusterMembers(
      const v1::SetClusterMembersRequest& request,
      const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<v1::ListClusterMembersResponse> ListClusterMembers(
      const v1::ListClusterMembersRequest& request);
  absl::StatusOr<v1::UpsertIndicatorsResponse> UpsertIndicators(
      const v1::UpsertIndicatorsRequest& request,
      const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<v1::ListIndicatorsResponse> ListIndicators(
      const v1::ListIndicatorsRequest& request);
  absl::StatusOr<v1::CreateFrameworkResponse> CreateFramework(
      const v1::CreateFrameworkRequest& request,
      const common::CallBudget& budget = common::CallBudget());
  absl::StatusOr<v1::GetFrameworkResponse> GetFramework(const v1::GetFrameworkRequest& request);
  absl::StatusOr<v1::ListFrameworksResponse> ListFrameworks(
      const v1::ListFrameworksRequest& request);
  absl::StatusOr<v1::GetDataVersionsResponse> GetDataVersions(
      const v1::GetDataVersionsRequest& request);

  // One per write stream: caches the catalogue across the stream's batches
  // (reloaded once when a batch names something unknown to the cache).
  // Every row it writes records `written_by`, the caller's identity; every
  // batch checks `budget` (the stream's deadline and cancellation) last
  // before its commit.
  class BatchWriter {
   public:
    BatchWriter(IngestStore& store, std::string written_by, IngestLimits limits = IngestLimits(),
                common::CallBudget budget = common::CallBudget())
        : store_(store),
          written_by_(std::move(written_by)),
          limits_(limits),
          budget_(std::move(budget)) {}
    absl::StatusOr<v1::WriteObservationsResponse> WriteObservations(
        const v1::WriteObservationsRequest& request);
    absl::StatusOr<v1::UpsertActorsResponse> UpsertActors(const v1::UpsertActorsRequest& request);
    absl::StatusOr<v1::WriteRelationsResponse> WriteRelations(
        const v1::WriteRelationsRequest& request);

   private:
    // Runs validate() against the cached catalogue, and once more against a
    // fresh one if it fails.
    template <typename T>
    absl::StatusOr<T> WithCatalog(const std::function<absl::StatusOr<T>(const Catalog&)>& validate);
    absl::StatusOr<const absl::flat_hash_set<std::string>*> Actors(const std::string& set,
                                                                   bool reload);

    IngestStore& store_;
    const std::string written_by_;
    const IngestLimits limits_;
    const common::CallBudget budget_;
    std::optional<Catalog> catalog_;
    std::string actors_set_;
    std::optional<absl::flat_hash_set<std::string>> actors_;
  };
  // `written_by`: the caller's identity (the adapter's CallerIdentity).
  std::unique_ptr<BatchWriter> NewBatchWriter(const std::string& written_by,
                                              common::CallBudget budget = common::CallBudget()) {
    return std::make_unique<BatchWriter>(store_, written_by, limits_, std::move(budget));
  }

  // Streams results in chunks; on_message returns false when the client
  // has gone away.
  absl::Status ReadObservations(
      const v1::ReadObservationsRequest& request,
      const std::function<bool(const v1::ReadObservationsResponse&)>& on_message);
  absl::Status ReadActors(const v1::ReadActorsRequest& request,
                          const std::function<bool(const v1::ReadActorsResponse&)>& on_message);
  absl::Status ReadRelations(
      const v1::ReadRelationsRequest& request,
      const std::function<bool(const v1::ReadRelationsResponse&)>& on_message);

 private:
  IngestStore& store_;
  const IngestLimits limits_;
};

// Page tokens are offsets; returns INVALID_ARGUMENT for a malformed token.

}  // namespace innoscope::ingest
