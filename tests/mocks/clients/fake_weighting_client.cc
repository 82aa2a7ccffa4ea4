#include "tests/mocks/clients/fake_weighting_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace innoscope::clients::testing {

void FakeWeightingClient::AddWeightSet(weighting::v1::WeightSet set) {
  std::string id = set.id();
  sets_[id] = std::move(set);
}

void FakeWeightingClient::SetComputed(weighting::v1::WeightSet set) { computed_ = std::move(set); }

void FakeWeightingClient::FailWith(const std::string& method, absl::Status status) {
  failures_[method] = std::move(status);
}

absl::Status FakeWeightingClient::Failure(const std::string& method) const {
  auto it = failures_.find(method);
  return it == failures_.end() ? absl::OkStatus() : it->second;
}

absl::StatusOr<weighting::v1::WeightSet> FakeWeightingClient::GetWeightSet(const std::string& id,
                                                                           absl::Time) {
  RETURN_IF_ERROR(Failure("GetWeightSet"));
  auto it = sets_.find(id);
  if (it == sets_.end()) {
    return absl::NotFoundError(
        absl::StrCat("weighting GetWeightSet: weight set ", id, " does not exist"));
  }
  return it->second;
}

absl::StatusOr<weighting::v1::WeightSet> FakeWeightingClient::ComputeWeights(
    const weighting::v1::ComputeWeightsRequest& request, absl::Time) {
  compute_requests_.push_back(request);
  RETURN_IF_ERROR(Failure("ComputeWeights"));
  if (!computed_) return absl::UnimplementedError("FakeWeightingClient: no SetComputed answer");
  return *computed_;
}

}  // namespace innoscope::clients::testing
