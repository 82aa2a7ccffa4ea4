#pragma once

// GrpcIngestClient: IngestClient over gRPC, what main.cc wires into the
// weighting, scoring and network services and what the recompute job uses.
// Each method is one RPC (ListRegions pages through; the reads drain a
// server stream) with the caller's deadline; statuses come back through
// server::UpstreamStatus ("ingest <Rpc>: ...", the upstream's code).
//
//   GrpcIngestClient ingest(channel);
//   ASSIGN_OR_RETURN(LoadedFramework f, ingest.GetFramework("ai_2023", 0, deadline));

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "libs/clients/ingest_client.h"

namespace innoscope::clients {

class GrpcIngestClient final : public IngestClient {
 public:
  // `address` (HOST:PORT of the channel) names the upstream in errors
  // ("ingest at HOST:PORT GetFramework: ..."); empty = "ingest".
  explicit GrpcIngestClient(std::shared_ptr<grpc::Channel> channel, std::string address = "");

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
  // Converts each message's relations as it arrives; one message held.
  absl::Status StreamRelations(
      const RelationQuery& query, absl::Time deadline,
      const std::function<bool(const RelationRecord&)>& on_relation) override;
  // Reads one message of the relation stream and cancels the rest.
  absl::StatusOr<bool> HasRelationType(const std::string& relation_set, const std::string& type,
                                       absl::Time deadline) override;
  // All batches go on one client-server stream.
  absl::StatusOr<ObservationWriteSummary> WriteObservations(const ObservationWrite& write,
                                                            absl::Time deadline) override;

  // For RPCs the interface does not cover (the recompute job reads several
  // data versions in one GetDataVersions call).
  ingest::v1::IngestService::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<ingest::v1::IngestService::Stub> stub_;
  std::string name_;  // "ingest" or "ingest at HOST:PORT"
};

}  // namespace innoscope::clients
