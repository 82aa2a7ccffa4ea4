#pragma once

// A cluster's members as a scoring universe or cluster needs them, with
// errors naming the request field (IngestClient::ClusterMemberCodes reads
// them).
//
//   ASSIGN_OR_RETURN(std::vector<std::string> yrd,
//                    ClusterMembers(ingest, "YRD", 2023, "spec.universe.cluster_code", deadline));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/clients/ingest_client.h"

namespace innoscope::scoring {

// The members of `cluster` in `year`, sorted. INVALID_ARGUMENT (naming
// `field`) when it has none: an unknown cluster, or none set for the year.
absl::StatusOr<std::vector<std::string>> ClusterMembers(clients::IngestClient& ingest,
                                                        const std::string& cluster, int year,
                                                        const std::string& field,
                                                        absl::Time deadline);

}  // namespace innoscope::scoring
