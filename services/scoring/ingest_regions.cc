#include "services/scoring/ingest_regions.h"

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace innoscope::scoring {

absl::StatusOr<std::vector<std::string>> ClusterMembers(clients::IngestClient& ingest,
                                                        const std::string& cluster, int year,
                                                        const std::string& field,
                                                        absl::Time deadline) {
  if (cluster.empty()) return absl::InvalidArgumentError(field + ": empty cluster code");
  ASSIGN_OR_RETURN(std::vector<std::string> members,
                   ingest.ClusterMemberCodes(cluster, year, deadline));
  if (members.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cluster \"", cluster, "\" has no members in ", year,
                     " (unknown cluster, or no membership set for that year)"));
  }
  return members;
}

}  // namespace innoscope::scoring
