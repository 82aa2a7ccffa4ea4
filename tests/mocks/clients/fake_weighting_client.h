#pragma once

// FakeWeightingClient: an in-memory weighting service for the scoring
// service's unit tests: stored weight sets by id, one answer for
// ComputeWeights with the requests recorded, any method made to fail with
// a given status.
//
//   FakeWeightingClient weighting;
//   weighting.AddWeightSet(set);  // GetWeightSet(set.id())
//   weighting.FailWith("GetWeightSet", UpstreamUnavailable("weighting", "GetWeightSet"));
//   ScoringService core(ingest, weighting, store, options);

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "libs/clients/weighting_client.h"

namespace innoscope::clients::testing {

class FakeWeightingClient final : public WeightingClient {
 public:
  void AddWeightSet(weighting::v1::WeightSet set);
  // What ComputeWeights returns (UNIMPLEMENTED until set).
  void SetComputed(weighting::v1::WeightSet set);
  // Every later call of `method` ("GetWeightSet", "ComputeWeights") returns
  // `status`.
  void FailWith(const std::string& method, absl::Status status);

  const std::vector<weighting::v1::ComputeWeightsRequest>& compute_requests() const {
    return compute_requests_;
  }

  // NOT_FOUND names the id ("weighting GetWeightSet: ...").
  absl::StatusOr<weighting::v1::WeightSet> GetWeightSet(const std::string& id,
                                                        absl::Time deadline) override;
  absl::StatusOr<weighting::v1::WeightSet> ComputeWeights(
      const weighting::v1::ComputeWeightsRequest& request, absl::Time deadline) override;

 private:
  absl::Status Failure(const std::string& method) const;

  std::map<std::string, weighting::v1::WeightSet> sets_;
  std::optional<weighting::v1::WeightSet> computed_;
  std::map<std::string, absl::Status> failures_;
  std::vector<weighting::v1::ComputeWeightsRequest> compute_requests_;
};

}  // namespace innoscope::clients::testing
