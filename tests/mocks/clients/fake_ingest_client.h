#pragma once

// FakeIngestClient: an in-memory ingest for the unit tests of the services
// that call it (weighting, scoring, network): frameworks, current
// observations, regions, cluster members, data versions, actors and
// relations set up by the test; observation writes recorded and applied;
// any method made to fail with a given status. It follows IngestClient's
// contract (orders, "every region with data" when no region is asked for,
// the empty-cluster check); it keeps no history, so as_of reads return the
// current values, and it never replays a batch.
//
//   FakeIngestClient ingest;
//   ingest.AddFramework(framework_proto);
//   ingest.AddObservation("R1", "x", 2022, 10);
//   ingest.FailWith("ReadIndicators", UpstreamUnavailable("ingest", "ReadObservations"));
//   WeightingService core(ingest, store);
//
// Integration tests do not use it: they run the real services
// (tests/integration/harness.h).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "libs/clients/ingest_client.h"

namespace innoscope::clients::testing {

// The status a gRPC client of ours returns when `service` is down during
// `rpc` (UNAVAILABLE, "ingest ReadObservations: ..."), made by the same
// mapping (server::UpstreamStatus).
absl::Status UpstreamUnavailable(const std::string& service, const std::string& rpc);

class FakeIngestClient final : public IngestClient {
 public:
  // ---- set-up
  // Stored under its code and version (version 0 is read as 1).
  void AddFramework(ingest::v1::Framework framework);
  // The current value of (region, indicator, period).
  void AddObservation(const std::string& region, const std::string& indicator, int period,
                      double value);
  void AddRegion(ingest::v1::Region region);
  // Members of `cluster` in every year.
  void SetClusterMembers(const std::string& cluster, std::vector<std::string> members);
  void SetDataVersion(const std::string& scope, int64_t version);
  void AddActor(ActorRecord actor, const std::string& relation_set = "default");
  void AddRelation(RelationRecord relation, const std::string& relation_set = "default");
  // Every later call of `method` (an IngestClient method name, e.g.
  // "ReadIndicators"; ReadMatrix calls ReadIndicators) returns `status`.
  void FailWith(const std::string& method, absl::Status status);

  // ---- what the code under test did
  const std::vector<ObservationWrite>& writes() const { return writes_; }
  int calls(const std::string& method) const;
  // The current value of (region, indicator, period), written or added.
  std::optional<double> Value(const std::string& region, const std::string& indicator,
                              int period) const;

  // ---- IngestClient
  absl::StatusOr<LoadedFramework> GetFramework(const std::string& code, int version,
                                               absl::Time deadline) override;
  absl::StatusOr<index::DataMatrix> ReadIndicators(const std::vector<std::string>& indicators,
                                                   int period,
                                                   const std::vector<std::string>& regions,
                                                   absl::Time deadline,
                                                   std::optional<absl::Time> as_of) override;
  absl::StatusOr<std::vector<ingest::v1::Region>> ListRegions(ingest::v1::RegionKind kind,
                                                              absl::Time deadline) override;
  absl::StatusOr<std::vector<std::string>> ClusterMemberCodes(const std::string& cluster, int year,
                                                              absl::Time deadline) override;
  absl::StatusOr<int64_t> DataVersion(const std::string& scope, absl::Time deadline) override;
  absl::StatusOr<std::vector<ActorRecord>> ReadActors(const std::string& relation_set,
                                                      absl::Time deadline,
                                                      std::optional<absl::Time> as_of) override;
  absl::StatusOr<std::vector<RelationRecord>> ReadRelations(const RelationQuery& query,
                                                            absl::Time deadline) override;
  absl::StatusOr<bool> HasRelationType(const std::string& relation_set, const std::string& type,
                                       absl::Time deadline) override;
  // Applies the rows (the write's source where a row has none) and counts
  // them as ingest does: inserted (new key), revised (other value or
  // source), unchanged. Batches of write.batch_size, none replayed.
  absl::StatusOr<ObservationWriteSummary> WriteObservations(const ObservationWrite& write,
                                                            absl::Time deadline) override;

 private:
  struct Stored {
    double value = 0;
    std::string source;
  };
  using Key = std::tuple<std::string, std::string, int>;  // region, indicator, period

  // Counts the call; the status set by FailWith, if any.
  absl::Status Enter(const std::string& method);

  std::map<std::pair<std::string, int>, ingest::v1::Framework> frameworks_;  // (code, version)
  std::map<Key, Stored> observations_;
  std::map<std::string, ingest::v1::Region> regions_;
  std::map<std::string, std::vector<std::string>> clusters_;
  std::map<std::string, int64_t> versions_;
  std::map<std::string, std::map<std::string, ActorRecord>> actors_;  // set -> code -> actor
  std::map<std::string, std::vector<RelationRecord>> relations_;
  std::map<std::string, absl::Status> failures_;
  std::map<std::string, int> calls_;
  std::vector<ObservationWrite> writes_;
};

}  // namespace innoscope::clients::testing
