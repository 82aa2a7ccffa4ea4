// The demo's synthetic data generator (libs/synth): determinism for a seed,
// the published network's shapes (heavy-tailed degrees, dominant platforms,
// relations growing every year, provinces weighted like the published
// distribution), consistency between the actors and the observations
// counted from them, and the option checks. Expected counts are worked out
// by hand in the comments from the model's parameters (docs/demo.md).

#include "libs/synth/synthetic_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::synth {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

// The 31 provinces of examples/ai_index/regions.csv.
std::vector<Province> Provinces() {
  std::vector<Province> out;
  for (const char* code : {"CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-NM", "CN-LN", "CN-JL", "CN-HL",
                           "CN-SH", "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ", "CN-JX", "CN-SD", "CN-HA",
                           "CN-HB", "CN-HN", "CN-GD", "CN-GX", "CN-HI", "CN-CQ", "CN-SC", "CN-GZ",
                           "CN-YN", "CN-XZ", "CN-SN", "CN-GS", "CN-QH", "CN-NX", "CN-XJ"}) {
    out.push_back({code, code});
  }
  return out;
}

// The 24 leaves of the 2023 AI framework as `import framework` names them
// (slugs of the English level-3 names).
std::vector<std::string> Leaves() {
  return {"number_of_ai_enterprises",
          "average_enterprise_valuation_market_capitalisation",
          "average_patents_per_enterprise",
          "number_of_foundation_layer_and_technology_layer_enterprises",
          "number_of_technology_empowerment_relations",
          "number_of_ai_universities",
          "average_domestic_papers_ai_universities",
          "average_international_papers_ai_universities",
          "average_patents_ai_universities",
          "number_of_non_university_research_institutions",
          "average_domestic_papers_institutions",
          "average_international_papers_institutions",
          "average_patents_institutions",
          "number_of_financing_relations",
          "financing_amount",
          "number_of_investment_relations",
          "prior_international_study_experience",
          "prior_international_work_experience",
          "number_of_international_technology_input_relations",
          "number_of_international_technology_empowerment_relations",
          "number_of_conferences",
          "number_of_industry_alliances",
          "number_of_industrial_parks",
          "number_of_policies_issued"};
}

SyntheticData Generate(const SyntheticOptions& options) {
  absl::StatusOr<SyntheticData> data = GenerateSyntheticData(Provinces(), Leaves(), options);
  EXPECT_TRUE(data.ok()) << data.status();
  return data.ok() ? *std::move(data) : SyntheticData();
}

const SyntheticData& Default() {
  static const auto* data = new SyntheticData(Generate(SyntheticOptions()));
  return *data;
}

// Relation ends per actor (degree = in + out).
std::map<int32_t, int64_t> Degrees(const SyntheticData& data) {
  std::map<int32_t, int64_t> degree;
  for (const Relation& r : data.relations) {
    ++degree[r.source];
    ++degree[r.target];
  }
  return degree;
}

TEST(SyntheticDataTest, SameSeedSameDataOtherSeedOtherData) {
  SyntheticOptions options;
  options.enterprises = 200;
  const SyntheticData a = Generate(options);
  const SyntheticData b = Generate(options);
  ASSERT_EQ(a.actors.size(), b.actors.size());
  ASSERT_EQ(a.relations.size(), b.relations.size());
  ASSERT_EQ(a.observations.size(), b.observations.size());
  for (size_t i = 0; i < a.actors.size(); ++i) {
    EXPECT_EQ(a.actors[i].code, b.actors[i].code);
    EXPECT_EQ(a.actors[i].province, b.actors[i].province);
    EXPECT_EQ(a.actors[i].first_year, b.actors[i].first_year);
  }
  for (size_t i = 0; i < a.relations.size(); ++i) {
    EXPECT_EQ(std::tie(a.relations[i].source, a.relations[i].target, a.relations[i].type,
                       a.relations[i].year, a.relations[i].amount),
              std::tie(b.relations[i].source, b.relations[i].target, b.relations[i].type,
                       b.relations[i].year, b.relations[i].amount));
  }
  for (size_t i = 0; i < a.observations.size(); ++i) {
    EXPECT_EQ(a.observations[i].value, b.observations[i].value);
  }

  options.seed = 2;
  const SyntheticData c = Generate(options);
  size_t same_ends = 0;
  for (size_t i = 0; i < std::min(a.relations.size(), c.relations.size()); ++i) {
    same_ends += a.relations[i].source == c.relations[i].source &&
                 a.relations[i].target == c.relations[i].target;
  }
  EXPECT_LT(same_ends, a.relations.size() / 2);
  size_t same_values = 0;
  for (size_t i = 0; i < a.observations.size(); ++i) {
    same_values += a.observations[i].value == c.observations[i].value;
  }
  EXPECT_LT(same_values, a.observations.size() / 2);
}

TEST(SyntheticDataTest, DegreesAreHeavyTailedAndPlatformsDominate) {
  const SyntheticData& data = Default();
  std::map<int32_t, int64_t> degree = Degrees(data);
  std::vector<int64_t> degrees;
  int64_t ends = 0;
  for (const auto& [actor, d] : degree) {
    degrees.push_back(d);
    ends += d;
  }
  std::sort(degrees.rbegin(), degrees.rend());
  const int64_t median = degrees[degrees.size() / 2];
  EXPECT_GT(degrees.front(), 20 * median) << "max " << degrees.front() << " median " << median;
  // The top 1% of the nodes hold more than 20% of the relation ends.
  int64_t top = 0;
  for (size_t i = 0; i < degrees.size() / 100; ++i) top += degrees[i];
  EXPECT_GT(static_cast<double>(top), 0.20 * static_cast<double>(ends));
  // Platforms: 200 of 2,200 (9.1%), yet most of the ten highest degrees.
  std::vector<std::pair<int64_t, int32_t>> by_degree;
  for (const auto& [actor, d] : degree) by_degree.push_back({d, actor});
  std::sort(by_degree.rbegin(), by_degree.rend());
  int platforms_in_top10 = 0, platforms = 0;
  for (int i = 0; i < 10; ++i) platforms_in_top10 += data.actors[by_degree[i].second].platform;
  for (const Actor& a : data.actors) platforms += a.platform;
  EXPECT_EQ(platforms, 200);
  EXPECT_GE(platforms_in_top10, 6);
}

TEST(SyntheticDataTest, RelationsGrowEveryYearAndAreValid) {
  const SyntheticData& data = Default();
  // 12 relations per enterprise x 2,200 = 26,400 relations, split over
  // 2014-2022 in proportion to 1.4^k: 26,400 / sum_{k=0..8} 1.4^k
  // = 26,400 / 49.15 = 537.1 in 2014, then x1.4 each year.
  EXPECT_EQ(data.relations.size(), 26400u);
  std::map<int32_t, int64_t> per_year;
  for (const Relation& r : data.relations) ++per_year[r.year];
  ASSERT_EQ(per_year.size(), 9u);
  EXPECT_EQ(per_year.begin()->first, 2014);
  EXPECT_NEAR(static_cast<double>(per_year[2014]), 537.1, 1.0);
  int64_t previous = 0;
  for (const auto& [year, n] : per_year) {
    EXPECT_GT(n, previous) << year;
    previous = n;
  }
  std::set<std::tuple<int32_t, int32_t, std::string, int32_t, std::string>> keys;
  std::set<std::string> types;
  for (const Relation& r : data.relations) {
    EXPECT_NE(r.source, r.target);
    EXPECT_TRUE(keys.insert({r.source, r.target, r.type, r.year, r.qualifier}).second);
    types.insert(r.type);
    // Sample enterprises only relate from the year they enter the network.
    for (int32_t end : {r.source, r.target}) {
      EXPECT_LE(data.actors[end].first_year, r.year);
    }
    EXPECT_EQ(r.international, data.actors[r.source].foreign || data.actors[r.target].foreign);
    EXPECT_EQ(r.amount.has_value(), r.type == "financing" || r.type == "investment");
  }
  EXPECT_EQ(types.size(), 6u);
}

TEST(SyntheticDataTest, ActorsOfEveryKindInEveryProvinceShapedLikeThePublishedShares) {
  const SyntheticData& data = Default();
  std::map<std::string, int64_t> sample;
  std::set<ActorKind> kinds;
  std::set<std::string> codes;
  int64_t foreign = 0;
  std::set<Layer> layers;
  for (const Actor& a : data.actors) {
    EXPECT_TRUE(codes.insert(a.code).second) << a.code;
    EXPECT_EQ(a.name.rfind("Synthetic", 0), 0u) << a.name;
    kinds.insert(a.kind);
    foreign += a.foreign;
    EXPECT_EQ(a.foreign, a.province.empty()) << a.code;
    if (a.sample) {
      ++sample[a.province];
      layers.insert(a.layer);
    }
  }
  EXPECT_EQ(kinds.size(), 6u);
  EXPECT_EQ(layers, (std::set<Layer>{Layer::kFoundation, Layer::kTechnology, Layer::kApplication}));
  EXPECT_GT(foreign, 0);
  EXPECT_EQ(sample.size(), 31u);  // every province has at least one
  // One each, the other 2,169 by weight (the weights sum to 99.25):
  // Beijing 1 + 2,169 x 28 / 99.25 = 1 + 611.9 -> 613 (largest remainder),
  // Tibet 1 + 2,169 x 0.05 / 99.25 = 1 + 1.09 -> 2.
  EXPECT_EQ(sample["CN-BJ"], 613);
  EXPECT_EQ(sample["CN-XZ"], 2);
  // The five largest hold about 85% (published: 84.6%).
  const int64_t top5 =
      sample["CN-BJ"] + sample["CN-GD"] + sample["CN-SH"] + sample["CN-ZJ"] + sample["CN-JS"];
  EXPECT_NEAR(static_cast<double>(top5) / 2200, 0.846, 0.01);
}

TEST(SyntheticDataTest, ObservationsCoverTheNonNetworkLeavesAndMatchTheActors) {
  const SyntheticData& data = Default();
  // 24 leaves - 6 derived = 18, x 31 provinces x 9 years.
  EXPECT_EQ(data.generated_indicators.size(), 18u);
  EXPECT_EQ(data.derived_indicators, DefaultDerivedIndicators());
  EXPECT_EQ(data.observations.size(), 18u * 31u * 9u);
  const std::set<std::string> derived(data.derived_indicators.begin(),
                                      data.derived_indicators.end());
  std::map<std::tuple<std::string, std::string, int32_t>, double> value;
  for (const Observation& o : data.observations) {
    EXPECT_EQ(derived.count(o.indicator), 0u) << o.indicator;
    EXPECT_TRUE(std::isfinite(o.value) && o.value >= 0) << o.indicator;
    value[{o.region, o.indicator, o.period}] = o.value;
  }
  auto at = [&](const std::string& region, const std::string& indicator, int32_t period) {
    return value[{region, indicator, period}];
  };
  // Enterprise counts are the sample enterprises entered by the period,
  // counted here from the actors.
  for (int32_t period : {2014, 2018, 2022}) {
    std::map<std::string, int64_t> all, core;
    for (const Actor& a : data.actors) {
      if (!a.sample || a.first_year > period) continue;
      ++all[a.province];
      if (a.layer == Layer::kFoundation || a.layer == Layer::kTechnology) ++core[a.province];
    }
    for (const char* p : {"CN-BJ", "CN-SC", "CN-XZ"}) {
      EXPECT_EQ(at(p, "number_of_ai_enterprises", period), all[p]) << p << period;
      EXPECT_EQ(at(p, "number_of_foundation_layer_and_technology_layer_enterprises", period),
                core[p])
          << p << period;
    }
  }
  // Every enterprise has entered by 2022 (the entry curve reaches 100% at
  // three quarters of the span).
  EXPECT_EQ(at("CN-BJ", "number_of_ai_enterprises", 2022), 613);
  // The drawn indicators grow (the summed values of the last year exceed
  // the first year's) and follow province size (Beijing above Tibet).
  for (const std::string& code : data.generated_indicators) {
    double first = 0, last = 0;
    for (const Province& p : Provinces()) {
      first += at(p.code, code, 2014);
      last += at(p.code, code, 2022);
    }
    EXPECT_GT(last, first) << code;
    EXPECT_GT(at("CN-BJ", code, 2022), at("CN-XZ", code, 2022)) << code;
  }
}

TEST(SyntheticDataTest, LeavesTheModelDoesNotKnowGetTheDefaultRecipe) {
  SyntheticOptions options;
  options.enterprises = 40;
  options.first_year = 2020;
  options.last_year = 2021;
  absl::StatusOr<SyntheticData> data =
      GenerateSyntheticData(Provinces(), {"my_indicator", "financing_amount"}, options);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->generated_indicators, std::vector<std::string>{"my_indicator"});
  EXPECT_EQ(data->derived_indicators, std::vector<std::string>{"financing_amount"});
  EXPECT_EQ(data->observations.size(), 31u * 2u);
}

TEST(SyntheticDataTest, RejectsBadOptions) {
  SyntheticOptions options;
  options.enterprises = 30;  // fewer than the 31 provinces
  EXPECT_THAT(GenerateSyntheticData(Provinces(), Leaves(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("enterprises: 30")));
  options = SyntheticOptions();
  options.first_year = 2023;
  EXPECT_THAT(GenerateSyntheticData(Provinces(), Leaves(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("first_year 2023")));
  options = SyntheticOptions();
  EXPECT_THAT(GenerateSyntheticData({}, Leaves(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("kind province")));
  EXPECT_THAT(GenerateSyntheticData(Provinces(), {}, options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("no leaf")));
  options.relations_per_enterprise = 0;
  EXPECT_THAT(GenerateSyntheticData(Provinces(), Leaves(), options),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("relations_per_enterprise")));
}

}  // namespace
}  // namespace innoscope::synth
