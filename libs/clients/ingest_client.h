#pragma once

// IngestClient: what the weighting, scoring and network services (and the
// CLI's online commands) read from and write to the ingest service, as the
// plain types of libs/index and plain structs. An interface: the services
// take it by reference, main.cc wires GrpcIngestClient
// (grpc_ingest_client.h, the RPC plumbing, deadlines and conversions), and
// unit tests pass the in-memory fake of tests/mocks/clients.
//
//   GrpcIngestClient grpc_ingest(channel);
//   IngestClient& ingest = grpc_ingest;
//   ASSIGN_OR_RETURN(LoadedFramework f, ingest.GetFramework("ai_2023", 0, deadline));
//   ASSIGN_OR_RETURN(index::DataMatrix m,
//                    ingest.ReadMatrix(f, 2022, /*regions=*/{}, deadline));
//   RelationQuery query;
//   query.relation_set = "default";
//   ASSIGN_OR_RETURN(std::vector<RelationRecord> relations,
//                    ingest.ReadRelations(query, deadline));
//
// Errors are the upstream's status with its code and the message prefixed
// by who said it ("ingest ReadObservations: ..."; server::UpstreamStatus),
// so an ingest that is down reaches the caller as UNAVAILABLE naming ingest.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/common/call_budget.h"
#include "libs/index/data_matrix.h"
#include "libs/index/framework.h"

namespace innoscope::clients {

// A framework version as stored, and as the validated tree the methods use.
struct LoadedFramework {
  ingest::v1::Framework proto;
  index::Framework tree;
};

// Converts a stored framework into the library's tree (leaf directions,
// weights, goalposts, denominators).
absl::StatusOr<index::Framework> FrameworkFromProto(const ingest::v1::Framework& framework);

// An actor of a relation set (ingest.v1.Actor without its free attributes).
struct ActorRecord {
  std::string code;
  std::string name;
  ingest::v1::ActorKind kind = ingest::v1::ACTOR_KIND_UNSPECIFIED;
  std::string province_code;
  std::string city_code;
  bool sample = false;
  bool platform = false;
  bool foreign = false;
  ingest::v1::Layer layer = ingest::v1::LAYER_UNSPECIFIED;
};

// A relation (ingest.v1.Relation); absent weight and amount stay absent.
struct RelationRecord {
  std::string source;
  std::string target;
  std::string type;
  int32_t year = 0;
  std::string qualifier;
  std::optional<double> weight;
  std::optional<double> amount;
  std::map<std::string, std::string> tags;
};

// Which relations ReadRelations returns.
struct RelationQuery {
  std::string relation_set;        // "" = "default"
  std::vector<std::string> types;  // empty = every type
  std::optional<int32_t> first_year;
  std::optional<int32_t> last_year;
  std::optional<absl::Time> as_of;  // current rows at that time, not the latest
};

// Observations to write in batches (WriteObservations).
struct ObservationWrite {
  std::vector<ingest::v1::Observation> observations;
  std::string source;        // default source of the rows
  std::string note;          // kept as provenance
  std::string batch_prefix;  // batch ids are "<prefix>-<hash of the batch>"
  int batch_size = 5000;
};

// What ingest did with a WriteObservations call.
struct ObservationWriteSummary {
  int batches = 0;
  int replayed_batches = 0;       // applied before: nothing written
  ingest::v1::WriteSummary rows;  // summed over the batches (replayed ones included)
};

class IngestClient {
 public:
  virtual ~IngestClient() = default;

  // version 0 = latest. NOT_FOUND names the framework.
  virtual absl::StatusOr<LoadedFramework> GetFramework(const std::string& code, int version,
                                                       absl::Time deadline) = 0;

  // Regions x leaf indicators (Leaves() order) of one period, current values
  // or those at as_of. regions empty = every region with data in the period,
  // sorted by code. Missing cells stay missing (NaN in memory). ReadIndicators
  // of the framework's leaf codes.
  absl::StatusOr<index::DataMatrix> ReadMatrix(const LoadedFramework& framework, int period,
                                               const std::vector<std::string>& regions,
                                               absl::Time deadline,
                                               std::optional<absl::Time> as_of = std::nullopt);

  // The same for arbitrary indicator codes (e.g. denominators); as_of
  // nullopt = current values.
  virtual absl::StatusOr<index::DataMatrix> ReadIndicators(
      const std::vector<std::string>& indicators, int period,
      const std::vector<std::string>& regions, absl::Time deadline,
      std::optional<absl::Time> as_of) = 0;

  // Every region of `kind` (UNSPECIFIED = all), sorted by code.
  virtual absl::StatusOr<std::vector<ingest::v1::Region>> ListRegions(ingest::v1::RegionKind kind,
                                                                      absl::Time deadline) = 0;

  // The member codes of `cluster` in `year` (0 = any year), sorted and
  // unique; empty for an unknown cluster or none set for the year.
  // INVALID_ARGUMENT for an empty code (which would list every cluster).
  virtual absl::StatusOr<std::vector<std::string>> ClusterMemberCodes(const std::string& cluster,
                                                                      int year,
                                                                      absl::Time deadline) = 0;

  // Current version of a data scope ("framework:<code>"), 0 if never changed.
  virtual absl::StatusOr<int64_t> DataVersion(const std::string& scope, absl::Time deadline) = 0;

  // Every actor of a relation set, sorted by code; as_of nullopt = current.
  virtual absl::StatusOr<std::vector<ActorRecord>> ReadActors(const std::string& relation_set,
                                                              absl::Time deadline,
                                                              std::optional<absl::Time> as_of) = 0;

  // Relations in ingest's order (year, type, source, target, qualifier).
  virtual absl::StatusOr<std::vector<RelationRecord>> ReadRelations(const RelationQuery& query,
                                                                    absl::Time deadline) = 0;

  // The same relations, handed to `on_relation` one at a time as ingest's
  // pages arrive, so a caller that keeps only what it needs (the network
  // service's graph) never holds every record: memory O(one page). The
  // record is reused between calls; on_relation returns false to stop the
  // read early (then OK). This default reads everything with ReadRelations
  // first (for in-memory fakes); GrpcIngestClient streams.
  virtual absl::Status StreamRelations(
      const RelationQuery& query, absl::Time deadline,
      const std::function<bool(const RelationRecord&)>& on_relation);

  // Whether the relation set holds at least one relation of `type` (any
  // year).
  virtual absl::StatusOr<bool> HasRelationType(const std::string& relation_set,
                                               const std::string& type, absl::Time deadline) = 0;

  // Writes observations in batches of write.batch_size. Each batch id is
  // derived from the batch's content (rows, source, note), so writing the
  // same observations again replays every batch and changes nothing. A
  // rejected batch stops the write with its status; batches answered before
  // it stay committed.
  virtual absl::StatusOr<ObservationWriteSummary> WriteObservations(const ObservationWrite& write,
                                                                    absl::Time deadline) = 0;
};

// The deadline of a call to an upstream service made now for an incoming RPC
// whose deadline is `incoming` (InfiniteFuture = none): the caller's
// remaining time less a margin, at most `cap` from now
// (common::UpstreamDeadline, libs/common/call_budget.h), so calls to upstream
// services never outlive the request that made them.
absl::Time UpstreamDeadline(absl::Time incoming,
                            absl::Duration cap = common::kDefaultUpstreamBudget);

}  // namespace innoscope::clients
