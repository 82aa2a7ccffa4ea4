#include "libs/clients/ingest_client.h"

#include "libs/common/status_macros.h"

namespace innoscope::clients {

absl::Time UpstreamDeadline(absl::Time incoming, absl::Duration cap) {
  return common::UpstreamDeadline(incoming, absl::Now(), cap);
}

absl::StatusOr<index::Framework> FrameworkFromProto(const ingest::v1::Framework& framework) {
  std::vector<index::FrameworkNode> nodes;
  nodes.reserve(framework.nodes_size());
  for (const ingest::v1::FrameworkNode& n : framework.nodes()) {
    index::FrameworkNode node;
    node.code = n.code();
    node.name = n.name();
    node.name_en = n.name_en();
    node.parent = n.parent_code();
    node.level = n.level();
    node.direction = n.direction() == 0 ? 1 : n.direction();
    if (n.has_weight()) node.weight = n.weight();
    node.unit = n.unit();
    node.denominator = n.denominator_code();
    if (n.has_goal_min()) node.goal_min = n.goal_min();
    if (n.has_goal_max()) node.goal_max = n.goal_max();
    if (n.has_target()) node.target = n.target();
    node.measurement = n.measurement();
    nodes.push_back(std::move(node));
  }
  return index::Framework::Create(std::move(nodes));
}

absl::Status IngestClient::StreamRelations(
    const RelationQuery& query, absl::Time deadline,
    const std::function<bool(const RelationRecord&)>& on_relation) {
  ASSIGN_OR_RETURN(std::vector<RelationRecord> relations, ReadRelations(query, deadline));
  for (const RelationRecord& r : relations) {
    if (!on_relation(r)) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<index::DataMatrix> IngestClient::ReadMatrix(const LoadedFramework& framework,
                                                           int period,
                                                           const std::vector<std::string>& regions,
                                                           absl::Time deadline,
                                                           std::optional<absl::Time> as_of) {
  return ReadIndicators(framework.tree.LeafCodes(), period, regions, deadline, as_of);
}

}  // namespace innoscope::clients
