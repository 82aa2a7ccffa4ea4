#include "services/scoring/ingest_regions.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "libs/common/status_macros.h"
#include "libs/server/grpc_status.h"

namespace innoscope::scoring {
namespace {

namespace iv1 = ingest::v1;

}  // namespace

absl::StatusOr<std::vector<iv1::Region>> ListAllRegions(clients::IngestClient& ingest,
                                                        iv1::RegionKind kind, absl::Time deadline) {
  std::vector<iv1::Region> out;
  iv1::ListRegionsRequest request;
  request.set_kind(kind);
  request.mutable_page()->set_page_size(1000);
  do {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(deadline));
    iv1::ListRegionsResponse response;
    RETURN_IF_ERROR(
        server::UpstreamStatus("ingest", ingest.stub().ListRegions(&context, request, &response), "ListRegions"));
    for (iv1::Region& r : *response.mutable_regions()) out.push_back(std::move(r));
    request.mutable_page()->set_page_token(response.page().next_page_token());
  } while (!request.page().page_token().empty());
  std::sort(out.begin(), out.end(),
            [](const iv1::Region& a, const iv1::Region& b) { return a.code() < b.code(); });
  return out;
}

absl::StatusOr<std::vector<std::string>> ClusterMembers(clients::IngestClient& ingest,
                                                        const std::string& cluster, int year,
                                                        const std::string& field,
                                                        absl::Time deadline) {
  // An empty code would list every cluster's members.
  if (cluster.empty()) return absl::InvalidArgumentError(field + ": empty cluster code");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  iv1::ListClusterMembersRequest request;
  request.set_cluster_code(cluster);
  request.set_year(year);
  iv1::ListClusterMembersResponse response;
  RETURN_IF_ERROR(server::UpstreamStatus("ingest", ingest.stub().ListClusterMembers(&context, request, &response),
                           "ListClusterMembers"));
  std::vector<std::string> members;
  for (const auto& m : response.memberships()) members.push_back(m.member().member_code());
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  if (members.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cluster \"", cluster, "\" has no members in ", year,
                     " (unknown cluster, or no membership set for that year)"));
  }
  return members;
}

}  // namespace innoscope::scoring
