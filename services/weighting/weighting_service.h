#pragma once

// The weighting service's core: turns a ComputeWeightsRequest into weights
// with libs/index, reading the framework and observations from ingest, and
// persists the result. absl::Status throughout; weighting_grpc.h converts.
//
//   WeightingService core(ingest_client, store);
//   ASSIGN_OR_RETURN(v1::ComputeWeightsResponse r,
//                    core.ComputeWeights(request, budget, written_by));

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/weighting/v1/weighting.pb.h"
#include "libs/clients/ingest_client.h"
#include "libs/index/ahp.h"
#include "services/weighting/weighting_store.h"

namespace innoscope::weighting {

class WeightingService {
 public:
  WeightingService(clients::IngestClient& ingest, WeightSetStore& store)
      : ingest_(ingest), store_(store) {}

  // `written_by`: the caller's identity, recorded with a new weight set.
  absl::StatusOr<v1::ComputeWeightsResponse> ComputeWeights(
      const v1::ComputeWeightsRequest& request, const common::CallBudget& budget,
      const std::string& written_by);
  absl::StatusOr<v1::CheckConsistencyResponse> CheckConsistency(
      const v1::CheckConsistencyRequest& request);
  absl::StatusOr<v1::GetWeightSetResponse> GetWeightSet(const v1::GetWeightSetRequest& request);
  absl::StatusOr<v1::ListWeightSetsResponse> ListWeightSets(
      const v1::ListWeightSetsRequest& request);

 private:
  clients::IngestClient& ingest_;
  WeightSetStore& store_;
};

// Pure parts, exposed for unit tests.

// The proto matrix as a square matrix; INVALID_ARGUMENT when values do not
// fill n x n.
absl::StatusOr<index::JudgementMatrix> ToMatrix(const v1::JudgementMatrix& matrix);

// AHP options from the request's enums; an unknown value is INVALID_ARGUMENT
// naming the field (`prefix` + "random_index" or "priority_method").
absl::StatusOr<index::AhpOptions> ToAhpOptions(v1::RandomIndexTable table,
                                               v1::PriorityMethod method, absl::string_view prefix);

// Diagnostics of one AHP result; deviations name the items.
v1::MatrixDiagnostics Diagnose(const std::string& node, const std::vector<std::string>& items,
                               const index::AhpResult& result, double cr_threshold);

// The content-derived id of a weight set ("ws-" + 16 hex digits).
std::string WeightSetId(const v1::ComputeWeightsRequest& request, int framework_version,
                        int64_t data_version);

}  // namespace innoscope::weighting
