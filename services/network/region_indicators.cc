#include "services/network/region_indicators.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"

namespace innoscope::network {
namespace {

using clients::ActorRecord;
using clients::RelationRecord;

// One region's running aggregate.
struct Tally {
  double sum = 0;
  std::set<std::string> partners;  // AGGREGATE_DISTINCT_PARTNERS
};

}  // namespace

absl::Status ValidateRules(const v1::DeriveRegionIndicatorsRequest& request) {
  if (request.rules_size() == 0) {
    return absl::InvalidArgumentError(
        "rules: empty; give at least one (indicator_code, relation_type, direction, aggregate)");
  }
  RETURN_IF_ERROR(codecs::CheckProtoEnum(request.level(), "level"));
  const auto& selected = request.selection().relation_types();
  std::set<std::string> indicators;
  for (int i = 0; i < request.rules_size(); ++i) {
    const v1::IndicatorRule& rule = request.rules(i);
    const std::string at = absl::StrCat("rules[", i, "]");
    if (rule.indicator_code().empty()) {
      return absl::InvalidArgumentError(at + ".indicator_code: required");
    }
    if (!indicators.insert(rule.indicator_code()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".indicator_code: \"", rule.indicator_code(),
                       "\" is derived by an earlier rule too; one rule per indicator"));
    }
    if (rule.relation_type().empty()) {
      return absl::InvalidArgumentError(at + ".relation_type: required");
    }
    if (!selected.empty() &&
        std::find(selected.begin(), selected.end(), rule.relation_type()) == selected.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".relation_type: \"", rule.relation_type(),
          "\" is not among selection.relation_types; add it there or leave them empty"));
    }
    RETURN_IF_ERROR(codecs::CheckProtoEnum(rule.direction(), at + ".direction"));
    RETURN_IF_ERROR(codecs::CheckProtoEnum(rule.aggregate(), at + ".aggregate"));
    RETURN_IF_ERROR(codecs::CheckProtoEnum(rule.international(), at + ".international"));
    RETURN_IF_ERROR(ValidateActorFilter(rule.anchor(), at + ".anchor"));
    RETURN_IF_ERROR(ValidateActorFilter(rule.partner(), at + ".partner"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> DerivationPeriod(const v1::DeriveRegionIndicatorsRequest& request) {
  if (request.period() != 0) return request.period();
  const YearBounds years = YearsOf(request.selection().periods());
  if (years.last) return *years.last;
  return absl::InvalidArgumentError(
      "period: required when selection.periods is unset (the year the values are observed for)");
}

std::vector<std::string> RuleTypes(const v1::DeriveRegionIndicatorsRequest& request) {
  std::set<std::string> types(request.selection().relation_types().begin(),
                              request.selection().relation_types().end());
  if (types.empty()) {
    for (const v1::IndicatorRule& rule : request.rules()) types.insert(rule.relation_type());
  }
  return {types.begin(), types.end()};
}

std::vector<v1::RegionIndicatorValue> DeriveValues(const NetworkData& data,
                                                   const v1::DeriveRegionIndicatorsRequest& request,
                                                   int32_t period) {
  const v1::GraphSelection& selection = request.selection();
  const YearBounds years = YearsOf(selection.periods());
  const ActorMask selected(selection.actors(), data);
  std::vector<v1::RegionIndicatorValue> out;
  for (const v1::IndicatorRule& rule : request.rules()) {
    const ActorMask anchor(rule.anchor(), data);
    const ActorMask partner(rule.partner(), data);
    std::map<std::string, Tally> regions;  // sorted by code
    for (const ActorRecord& a : data.actors()) {
      const std::string& region = RegionCodeOf(&a, request.level());
      if (!region.empty() && anchor(&a)) regions.try_emplace(region);
    }
    for (const RelationRecord& r : data.relations()) {
      if (r.type != rule.relation_type()) continue;
      const ActorRecord* source = data.FindActor(r.source);
      const ActorRecord* target = data.FindActor(r.target);
      if (!RelationSelected(selection, years, selected(source), selected(target), r) ||
          !FlagPasses(rule.international(), IsInternational(r, source, target))) {
        continue;
      }
      // The (anchor, partner) orientations the rule's direction allows.
      struct Ends {
        const ActorRecord* anchor;
        const ActorRecord* partner;
        const std::string* partner_code;
      };
      std::vector<Ends> orientations;
      // RELATION_DIRECTION_UNSPECIFIED is the default, OUTGOING.
      const bool outgoing_only = rule.direction() == v1::RELATION_DIRECTION_UNSPECIFIED ||
                                 rule.direction() == v1::RELATION_DIRECTION_OUTGOING;
      if (rule.direction() != v1::RELATION_DIRECTION_INCOMING) {
        orientations.push_back({source, target, &r.target});
      }
      if (!outgoing_only) {
        orientations.push_back({target, source, &r.source});
      }
      absl::flat_hash_set<std::string> credited;  // a relation counts once per region
      for (const Ends& e : orientations) {
        const std::string& region = RegionCodeOf(e.anchor, request.level());
        if (region.empty() || !anchor(e.anchor) || !partner(e.partner) ||
            !credited.insert(region).second) {
          continue;
        }
        Tally& tally = regions[region];
        switch (rule.aggregate()) {
          case v1::AGGREGATE_UNSPECIFIED:  // the default, COUNT
          case v1::AGGREGATE_COUNT:
            tally.sum += 1;
            break;
          case v1::AGGREGATE_SUM_AMOUNT:
            tally.sum += r.amount.value_or(0.0);
            break;
          case v1::AGGREGATE_SUM_WEIGHT:
            tally.sum += r.weight.value_or(1.0);
            break;
          case v1::AGGREGATE_DISTINCT_PARTNERS:
            tally.partners.insert(*e.partner_code);
            break;
          case v1::Aggregate_INT_MIN_SENTINEL_DO_NOT_USE_:
          case v1::Aggregate_INT_MAX_SENTINEL_DO_NOT_USE_:
            break;  // not values: ValidateRules rejects unknown ones
        }
      }
    }
    for (const auto& [region, tally] : regions) {
      v1::RegionIndicatorValue& v = out.emplace_back();
      v.set_region_code(region);
      v.set_indicator_code(rule.indicator_code());
      v.set_period(period);
      v.set_value(rule.aggregate() == v1::AGGREGATE_DISTINCT_PARTNERS
                      ? static_cast<double>(tally.partners.size())
                      : tally.sum);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.indicator_code(), a.region_code()) <
           std::tie(b.indicator_code(), b.region_code());
  });
  return out;
}

}  // namespace innoscope::network
