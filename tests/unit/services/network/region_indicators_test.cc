// Region indicators on the small test network (test_network.h), with the
// values read off the relation list in the comments.

#include "services/network/region_indicators.h"

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_macros.h"  // needed by status_matchers.h
#include "libs/common/status_matchers.h"
#include "tests/unit/services/network/test_network.h"

namespace innoscope::network {
namespace {

using ::innoscope::network::testing::SmallNetwork;
using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

v1::IndicatorRule* AddRule(v1::DeriveRegionIndicatorsRequest& request, const char* indicator,
                           const char* type, v1::RelationDirection direction,
                           v1::Aggregate aggregate) {
  v1::IndicatorRule* rule = request.add_rules();
  rule->set_indicator_code(indicator);
  rule->set_relation_type(type);
  rule->set_direction(direction);
  rule->set_aggregate(aggregate);
  return rule;
}

std::map<std::string, double> Values(const v1::DeriveRegionIndicatorsRequest& request) {
  auto data = SmallNetwork();
  std::map<std::string, double> out;
  for (const auto& v : DeriveValues(*data, request, 2022)) {
    out[absl::StrCat(v.indicator_code(), "/", v.region_code())] = v.value();
  }
  return out;
}

TEST(RegionIndicatorsTest, CountsBySampleEnterprisesOfAProvince) {
  v1::DeriveRegionIndicatorsRequest request;
  AddRule(request, "emp", "technology_empowerment", v1::RELATION_DIRECTION_OUTGOING,
          v1::AGGREGATE_COUNT)
      ->mutable_anchor()
      ->set_sample(v1::FLAG_FILTER_ONLY);
  // e1 (P1): r1 r2 r3; e3 (P2): r9.
  EXPECT_EQ(Values(request), (std::map<std::string, double>{{"emp/P1", 3}, {"emp/P2", 1}}));
  // Up to 2021: r1 r2 r3 only; P2 still has a sample enterprise: 0.
  request.mutable_selection()->mutable_periods()->set_up_to(2021);
  EXPECT_EQ(Values(request), (std::map<std::string, double>{{"emp/P1", 3}, {"emp/P2", 0}}));
}

TEST(RegionIndicatorsTest, InternationalAmountsPartnersAndCities) {
  v1::DeriveRegionIndicatorsRequest request;
  request.set_level(v1::REGION_LEVEL_CITY);
  // International empowerment: r3 (foreign f1) from C1, r9 (tag yes) from C2.
  AddRule(request, "intl", "technology_empowerment", v1::RELATION_DIRECTION_OUTGOING,
          v1::AGGREGATE_COUNT)
      ->set_international(v1::FLAG_FILTER_ONLY);
  // Domestic empowerment: r1 r2 from C1.
  AddRule(request, "domestic", "technology_empowerment", v1::RELATION_DIRECTION_OUTGOING,
          v1::AGGREGATE_COUNT)
      ->set_international(v1::FLAG_FILTER_EXCLUDE);
  // Financing received: e3 in C2, 50 + 30.
  AddRule(request, "fin", "financing", v1::RELATION_DIRECTION_INCOMING, v1::AGGREGATE_SUM_AMOUNT);
  // Distinct financiers: v1 once for two rounds.
  AddRule(request, "financiers", "financing", v1::RELATION_DIRECTION_INCOMING,
          v1::AGGREGATE_DISTINCT_PARTNERS);
  const auto values = Values(request);
  EXPECT_EQ(values.at("intl/C1"), 1);
  EXPECT_EQ(values.at("intl/C2"), 1);
  EXPECT_EQ(values.at("domestic/C1"), 2);
  EXPECT_EQ(values.at("domestic/C2"), 0);
  EXPECT_EQ(values.at("fin/C2"), 80);
  EXPECT_EQ(values.at("fin/C1"), 0);
  EXPECT_EQ(values.at("financiers/C2"), 1);
  EXPECT_EQ(values.count("fin/"), 0u);  // f1 has no region
}

TEST(RegionIndicatorsTest, AnyDirectionCountsARelationOncePerRegion) {
  v1::DeriveRegionIndicatorsRequest request;
  // Cooperation r8 e2 -> e1, both in P1: once for P1, not twice.
  AddRule(request, "coop", "cooperation", v1::RELATION_DIRECTION_ANY, v1::AGGREGATE_COUNT);
  // Empowerment either way with a partner in P2: r2 (e1->e3) credits P1,
  // r9 (e3->e2) credits P1 (e2's end, partner e3 in P2).
  v1::IndicatorRule* rule = AddRule(request, "emp_with_p2", "technology_empowerment",
                                    v1::RELATION_DIRECTION_ANY, v1::AGGREGATE_COUNT);
  rule->mutable_partner()->add_region_codes("P2");
  const auto values = Values(request);
  EXPECT_EQ(values.at("coop/P1"), 1);
  EXPECT_EQ(values.at("coop/P2"), 0);
  EXPECT_EQ(values.at("emp_with_p2/P1"), 2);
  EXPECT_EQ(values.at("emp_with_p2/P2"), 0);
}

TEST(RegionIndicatorsTest, RulesPeriodAndTypesAreChecked) {
  v1::DeriveRegionIndicatorsRequest request;
  EXPECT_THAT(ValidateRules(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rules: empty")));
  AddRule(request, "a", "investment", v1::RELATION_DIRECTION_INCOMING, v1::AGGREGATE_COUNT);
  AddRule(request, "a", "financing", v1::RELATION_DIRECTION_INCOMING, v1::AGGREGATE_COUNT);
  EXPECT_THAT(ValidateRules(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rules[1].indicator_code")));
  request.mutable_rules(1)->set_indicator_code("b");
  ASSERT_OK(ValidateRules(request));
  {
    // Numbers no value has: named, not counted as AGGREGATE_COUNT.
    v1::DeriveRegionIndicatorsRequest bad = request;
    bad.mutable_rules(1)->set_aggregate(static_cast<v1::Aggregate>(7));
    EXPECT_THAT(ValidateRules(bad), StatusIs(absl::StatusCode::kInvalidArgument,
                                             HasSubstr("rules[1].aggregate: unknown value 7")));
    bad = request;
    bad.mutable_rules(0)->mutable_partner()->set_platform(static_cast<v1::FlagFilter>(5));
    EXPECT_THAT(ValidateRules(bad),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("rules[0].partner.platform: unknown value 5")));
  }
  request.mutable_selection()->add_relation_types("investment");
  EXPECT_THAT(ValidateRules(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("rules[1].relation_type")));
  request.mutable_selection()->clear_relation_types();
  EXPECT_EQ(RuleTypes(request), (std::vector<std::string>{"financing", "investment"}));

  EXPECT_THAT(DerivationPeriod(request),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("period: required")));
  request.mutable_selection()->mutable_periods()->set_up_to(2021);
  EXPECT_EQ(*DerivationPeriod(request), 2021);
  request.set_period(2020);
  EXPECT_EQ(*DerivationPeriod(request), 2020);
}

}  // namespace
}  // namespace innoscope::network
