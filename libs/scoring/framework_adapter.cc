#include "libs/scoring/framework_adapter.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace innoscope::scoring {

absl::StatusOr<AggregationTree> AggregationTreeFromFramework(const index::Framework& framework,
                                                             absl::Span<const double> weights) {
  const size_t n = framework.Nodes().size();
  if (weights.size() != n) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected one weight per framework node (", n, "), got ", weights.size()));
  }
  std::vector<AggregationNode> nodes(n);
  for (size_t id = 0; id < n; ++id) {
    const int node_id = static_cast<int>(id);
    nodes[id].code = framework.Node(node_id).code;
    nodes[id].children = framework.Children(node_id);
    nodes[id].weight = weights[id];
    nodes[id].level = framework.Node(node_id).level;
  }
  return AggregationTree::Create(std::move(nodes));
}

}  // namespace innoscope::scoring
