#include "libs/clients/weighting_client.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

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

wv1::ObservationMatrix MatrixToProto(const index::DataMatrix& matrix, int64_t data_version) {
  wv1::ObservationMatrix m;
  m.mutable_region_codes()->Assign(matrix.regions().begin(), matrix.regions().end());
  m.mutable_indicator_codes()->Assign(matrix.indicators().begin(), matrix.indicators().end());
  m.mutable_values()->Reserve(static_cast<int>(matrix.rows() * matrix.cols()));
  for (size_t c = 0; c < matrix.cols(); ++c) {
    for (double v : matrix.Column(c)) m.add_values(v);
  }
  m.set_data_version(data_version);
  return m;
}

index::DataMatrix MatrixFromProto(const wv1::ObservationMatrix& m) {
  index::DataMatrix matrix(
      std::vector<std::string>(m.region_codes().begin(), m.region_codes().end()),
      std::vector<std::string>(m.indicator_codes().begin(), m.indicator_codes().end()));
  for (size_t c = 0; c < matrix.cols(); ++c) {
    absl::Span<double> column = matrix.MutableColumn(c);
    std::copy_n(m.values().begin() + c * matrix.rows(), matrix.rows(), column.begin());
  }
  return matrix;
}

}  // namespace innoscope::clients
