#pragma once

// IngestClient: what the weighting, scoring and network services (and the
// CLI's online commands) read from the ingest service, as the plain types of
// libs/index. One place for the RPC plumbing, deadlines and conversions.
//
//   IngestClient ingest(channel);
//   ASSIGN_OR_RETURN(LoadedFramework f, ingest.GetFramework("ai_2023", 0, deadline));
//   ASSIGN_OR_RETURN(index::DataMatrix m,
//                    ingest.ReadMatrix(f, 2022, /*regions=*/{}, deadline));

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
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

class IngestClient {
 public:
  explicit IngestClient(std::shared_ptr<grpc::Channel> channel);

  // version 0 = latest. NOT_FOUND names the framework.
  absl::StatusOr<LoadedFramework> GetFramework(const std::string& code, int version,
                                               absl::Time deadline);

  // Regions x leaf indicators (Leaves() order) of one period, current values
  // or those at as_of. regions empty = every region with data in the period,
  // sorted by code. Missing cells stay missing (NaN in memory).
  absl::StatusOr<index::DataMatrix> ReadMatrix(const LoadedFramework& framework, int period,
                                               const std::vector<std::string>& regions,
                                               absl::Time deadline,
                                               std::optional<absl::Time> as_of = std::nullopt);

  // The same for arbitrary indicator codes (e.g. denominators).
  absl::StatusOr<index::DataMatrix> ReadIndicators(const std::vector<std::string>& indicators,
                                                   int period,
                                                   const std::vector<std::string>& regions,
                                                   absl::Time deadline,
                                                   std::optional<absl::Time> as_of = std::nullopt);

  // Current version of a data scope ("framework:<code>"), 0 if never changed.
  absl::StatusOr<int64_t> DataVersion(const std::string& scope, absl::Time deadline);

  ingest::v1::IngestService::Stub& stub() { return *stub_; }

 private:
  std::unique_ptr<ingest::v1::IngestService::Stub> stub_;
};

// The earlier of `deadline` and the deadline of an incoming RPC (if any),
// so calls to upstream services never outlive the request that made them.
absl::Time UpstreamDeadline(absl::Time incoming, absl::Duration cap = absl::Seconds(60));

}  // namespace innoscope::clients
