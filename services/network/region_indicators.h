#pragma once

// Region indicators derived from the value network: per region, counts and
// sums of relations by type, direction and the international flag, under
// the rules of a DeriveRegionIndicatorsRequest (e.g. the technology
// empowerment relations of a province's sample enterprises). Pure: the
// service reads the relations and writes the values to ingest.
//
//   RETURN_IF_ERROR(ValidateRules(request));
//   ASSIGN_OR_RETURN(int32_t period, DerivationPeriod(request));
//   std::vector<v1::RegionIndicatorValue> values = DeriveValues(data, request, period);

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "innoscope/network/v1/network.pb.h"
#include "services/network/graph_selection.h"

namespace innoscope::network {

// Rules are present, name an indicator and a relation type each, use known
// enum values, and no indicator is derived twice; rule types lie within
// selection.relation_types when it is set. INVALID_ARGUMENT names the rule
// ("rules[2].indicator_code: ...").
absl::Status ValidateRules(const v1::DeriveRegionIndicatorsRequest& request);

// request.period, else the selection's up_to or window.last;
// INVALID_ARGUMENT when neither is set.
absl::StatusOr<int32_t> DerivationPeriod(const v1::DeriveRegionIndicatorsRequest& request);

// The relation types the rules need (selection.relation_types when set),
// sorted and distinct.
std::vector<std::string> RuleTypes(const v1::DeriveRegionIndicatorsRequest& request);

// For every rule, every region (at request.level) of an actor passing the
// rule's anchor filter gets a value: the relations of the rule's type that
// the selection admits, that pass the international filter, and whose
// anchor end (source for OUTGOING, target for INCOMING, either for ANY; once
// per region) passes the anchor filter and other end the partner filter,
// aggregated per the rule. Sorted by indicator, then region. Time
// O(rules x (relations + actors)).
std::vector<v1::RegionIndicatorValue> DeriveValues(const NetworkData& data,
                                                   const v1::DeriveRegionIndicatorsRequest& request,
                                                   int32_t period);

}  // namespace innoscope::network
