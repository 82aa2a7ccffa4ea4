#include "libs/clients/weighting_client.h"

#include <map>

#include "absl/strings/str_cat.h"

namespace innoscope::clients {
namespace {

namespace wv1 = weighting::v1;

}  // namespace

absl::StatusOr<std::vector<double>> LocalWeightsFor(const wv1::WeightSet& set,
                                                    const LoadedFramework& framework) {
  const auto& ref = set.framework();
  if (ref.code() != framework.proto.code() || ref.version() != framework.proto.version()) {
    return absl::FailedPreconditionError(
        absl::StrCat("weight set ", set.id(), " is for framework ", ref.code(), " v", ref.version(),
                     ", not ", framework.proto.code(), " v", framework.proto.version(),
                     "; compute weights for the version scored"));
  }
  std::map<std::string, double> by_code;
  for (const wv1::NodeWeight& w : set.weights()) by_code[w.code()] = w.local_weight();
  const index::Framework& tree = framework.tree;
  std::vector<double> local;
  local.reserve(tree.Nodes().size());
  for (const index::FrameworkNode& node : tree.Nodes()) {
    auto it = by_code.find(node.code);
    if (it == by_code.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("weight set ", set.id(), " has no weight for node \"", node.code, "\""));
    }
    local.push_back(it->second);
  }
  return local;
}

}  // namespace innoscope::clients
