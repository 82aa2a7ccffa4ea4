#pragma once

// WeightingClient: what the scoring service (and the CLI's online commands)
// reads from the weighting service -- stored weight sets and new ones
// computed on request -- and their conversion into the local node weights
// libs/scoring aggregates with. An interface: the scoring service takes it
// by reference, main.cc wires GrpcWeightingClient
// (grpc_weighting_client.h), unit tests the fake of tests/mocks/clients.
//
//   GrpcWeightingClient grpc_weighting(channel);
//   WeightingClient& weighting = grpc_weighting;
//   ASSIGN_OR_RETURN(weighting::v1::WeightSet set,
//                    weighting.GetWeightSet("ws-0123456789abcdef", deadline));
//   ASSIGN_OR_RETURN(std::vector<double> local, LocalWeightsFor(set, framework));
//
// Errors are the upstream's status prefixed by who said it ("weighting
// GetWeightSet: ..."; server::UpstreamStatus).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/weighting/v1/weighting.pb.h"
#include "libs/clients/ingest_client.h"
#include "libs/index/data_matrix.h"

namespace innoscope::clients {

class WeightingClient {
 public:
  virtual ~WeightingClient() = default;

  // NOT_FOUND names the id.
  virtual absl::StatusOr<weighting::v1::WeightSet> GetWeightSet(const std::string& id,
                                                                absl::Time deadline) = 0;

  // Computes (or finds, when it exists) the weight set for `request`.
  virtual absl::StatusOr<weighting::v1::WeightSet> ComputeWeights(
      const weighting::v1::ComputeWeightsRequest& request, absl::Time deadline) = 0;
};

// The set's local weight of every node of `framework` (Nodes() order).
// FAILED_PRECONDITION when the set belongs to another framework or another
// version of it (node codes and weights would not match the tree);
// FAILED_PRECONDITION also when the set lacks one of the framework's nodes.
absl::StatusOr<std::vector<double>> LocalWeightsFor(const weighting::v1::WeightSet& set,
                                                    const LoadedFramework& framework);

// The matrix a run read, as DataSelection.observations carries it to
// ComputeWeights (column-major, NaN = no observation), read at
// `data_version` of the framework's data scope; and back. The receiver
// checks the shape against its request before MatrixFromProto (it requires
// values_size() == rows x columns).
weighting::v1::ObservationMatrix MatrixToProto(const index::DataMatrix& matrix,
                                               int64_t data_version);
index::DataMatrix MatrixFromProto(const weighting::v1::ObservationMatrix& proto);

}  // namespace innoscope::clients
