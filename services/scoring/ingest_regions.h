#pragma once

// Regions and cluster memberships read from ingest (ListRegions,
// ListClusterMembers) through IngestClient's stub. IngestClient has no
// methods for them yet; these belong there once a second caller needs them.
//
//   ASSIGN_OR_RETURN(std::vector<ingest::v1::Region> provinces,
//                    ListAllRegions(ingest, ingest::v1::REGION_KIND_PROVINCE, deadline));
//   ASSIGN_OR_RETURN(std::vector<std::string> yrd,
//                    ClusterMembers(ingest, "YRD", 2023, deadline));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/clients/ingest_client.h"

namespace innoscope::scoring {

// Every region of `kind` (UNSPECIFIED = all), sorted by code; pages through
// ListRegions.
absl::StatusOr<std::vector<ingest::v1::Region>> ListAllRegions(clients::IngestClient& ingest,
                                                               ingest::v1::RegionKind kind,
                                                               absl::Time deadline);

// The members of `cluster` in `year`, sorted. INVALID_ARGUMENT (naming
// `field`) when it has none: an unknown cluster, or none set for the year.
absl::StatusOr<std::vector<std::string>> ClusterMembers(clients::IngestClient& ingest,
                                                        const std::string& cluster, int year,
                                                        const std::string& field,
                                                        absl::Time deadline);

}  // namespace innoscope::scoring
