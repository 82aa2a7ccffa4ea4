// The recompute config (libs/recompute/config.h): the agreed format read
// into its settings, defaults, the identity and fingerprint of an entry, and
// errors that name the line and the key. Also: the shipped configs
// (k8s/base/config/recompute.yaml, examples/ai_index/recompute.yaml) parse
// and are identical below their headers.

#include "libs/recompute/config.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innoscope::recompute {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kFull[] =
    "indices:\n"
    "  - framework: ai_competitiveness_2023   # framework code in ingest\n"
    "    version: 2\n"
    "    periods: {first: 2014, last: 2022}\n"
    "    universe: provinces\n"
    "    clusters: [CN-JJJ, CN-YRD, CN-CY]\n"
    "    cluster_aggregate: mean\n"
    "    relation_set: ai_value_network\n"
    "    relation_years: annual\n"
    "    weighting: entropy\n"
    "    presentation: {global_weighted: true, decimals: 2}\n"
    "    tiers: {rank_bands: [6, 10, 20]}\n"
    "    uncertainty:\n"
    "      monte_carlo_runs: 500\n"
    "      weight_fraction: 0.25\n"
    "      seed: 7\n"
    "    derived_indicators:\n"
    "      - indicator: number_of_technology_empowerment_relations\n"
    "        relation_type: technology_empowerment\n"
    "        direction: outgoing\n"
    "        anchor: {sample: only, kinds: [enterprise], layers: [foundation, technology]}\n"
    "        partner: {foreign: exclude}\n"
    "        international: exclude\n"
    "        aggregate: distinct_partners\n"
    "      - indicator: financing_amount\n"
    "        relation_type: financing\n"
    "        direction: incoming\n"
    "        aggregate: sum_amount\n";

std::string ErrorOf(const std::string& text) {
  absl::StatusOr<RecomputeConfig> c = ParseRecomputeConfig(text);
  EXPECT_FALSE(c.ok()) << "accepted:\n" << text;
  return c.ok() ? "" : std::string(c.status().message());
}

// A valid one-entry config with `extra` appended to the entry.
std::string With(const std::string& extra) {
  return "indices:\n  - framework: ai\n    periods: {first: 2021, last: 2022}\n"
         "    universe: provinces\n" +
         extra;
}

TEST(RecomputeConfigTest, ReadsEverySetting) {
  absl::StatusOr<RecomputeConfig> c = ParseRecomputeConfig(kFull);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->indices.size(), 1u);
  const IndexEntry& e = c->indices[0];
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.framework, "ai_competitiveness_2023");
  EXPECT_EQ(e.version, 2);
  EXPECT_EQ(e.first_period, 2014);
  EXPECT_EQ(e.last_period, 2022);
  EXPECT_EQ(e.universe.region_kind, "province");
  EXPECT_EQ(e.universe.cluster_code, "");
  EXPECT_THAT(e.clusters, ElementsAre("CN-JJJ", "CN-YRD", "CN-CY"));
  EXPECT_EQ(e.cluster_aggregate, ClusterAggregate::kMean);
  EXPECT_EQ(e.relation_set, "ai_value_network");
  EXPECT_EQ(e.relation_years, RelationYears::kAnnual);
  EXPECT_EQ(e.weighting, Weighting::kEntropy);
  EXPECT_EQ(e.presentation.global_weighted, true);
  EXPECT_EQ(e.presentation.decimals, 2);
  EXPECT_EQ(e.tiers.kind, TierRule::Kind::kRankBands);
  EXPECT_THAT(e.tiers.rank_bands, ElementsAre(6, 10, 20));
  EXPECT_EQ(e.uncertainty.monte_carlo_runs, 500);
  EXPECT_EQ(e.uncertainty.weight_fraction, 0.25);
  EXPECT_EQ(e.uncertainty.seed, 7u);
  ASSERT_EQ(e.derived_indicators.size(), 2u);
  const DerivedIndicator& r = e.derived_indicators[0];
  EXPECT_EQ(r.line, 18);
  EXPECT_EQ(r.indicator, "number_of_technology_empowerment_relations");
  EXPECT_EQ(r.relation_type, "technology_empowerment");
  EXPECT_EQ(r.direction, Direction::kOutgoing);
  EXPECT_EQ(r.anchor.sample, FlagMode::kOnly);
  EXPECT_EQ(r.anchor.platform, FlagMode::kAny);
  EXPECT_THAT(r.anchor.kinds, ElementsAre("enterprise"));
  EXPECT_THAT(r.anchor.layers, ElementsAre("foundation", "technology"));
  EXPECT_EQ(r.partner.foreign, FlagMode::kExclude);
  EXPECT_EQ(r.international, FlagMode::kExclude);
  EXPECT_EQ(r.aggregate, Aggregate::kDistinctPartners);
  const DerivedIndicator& f = e.derived_indicators[1];
  EXPECT_EQ(f.direction, Direction::kIncoming);
  EXPECT_EQ(f.aggregate, Aggregate::kSumAmount);
  EXPECT_EQ(f.anchor.sample, FlagMode::kAny);
  EXPECT_EQ(EntryKey(e), "ai_competitiveness_2023@2/province/entropy");
  EXPECT_THAT(VersionScopes(e), ElementsAre("framework:ai_competitiveness_2023", "observations",
                                            "regions", "relations:ai_value_network"));
}

TEST(RecomputeConfigTest, DefaultsOfTheOptionalKeys) {
  absl::StatusOr<RecomputeConfig> c = ParseRecomputeConfig(With(""));
  ASSERT_TRUE(c.ok()) << c.status();
  const IndexEntry& e = c->indices[0];
  EXPECT_EQ(e.version, 0);
  EXPECT_EQ(e.weighting, Weighting::kPublished);
  EXPECT_EQ(e.relation_years, RelationYears::kCumulative);
  EXPECT_EQ(e.cluster_aggregate, ClusterAggregate::kSum);
  EXPECT_TRUE(e.clusters.empty());
  EXPECT_EQ(e.tiers.kind, TierRule::Kind::kNone);
  EXPECT_FALSE(e.presentation.global_weighted.has_value());
  EXPECT_FALSE(e.presentation.decimals.has_value());
  EXPECT_EQ(e.uncertainty.monte_carlo_runs, 0);
  EXPECT_EQ(e.uncertainty.weight_fraction, 0.2);
  EXPECT_EQ(e.uncertainty.seed, 1u);
  EXPECT_EQ(EntryKey(e), "ai/province/published");
  EXPECT_THAT(VersionScopes(e), ElementsAre("framework:ai", "observations", "regions"));
}

TEST(RecomputeConfigTest, UniverseIsAKindInEitherNumberOrAClusterCode) {
  for (const auto& [word, kind] :
       std::vector<std::pair<std::string, std::string>>{{"province", "province"},
                                                        {"countries", "country"},
                                                        {"cities", "city"},
                                                        {"city_clusters", "cluster"},
                                                        {"city_cluster", "cluster"},
                                                        {"custom", "custom"}}) {
    absl::StatusOr<RecomputeConfig> c = ParseRecomputeConfig(
        "indices:\n  - {framework: f, periods: {first: 2020, last: 2020}, universe: " + word +
        "}\n");
    ASSERT_TRUE(c.ok()) << word << ": " << c.status();
    EXPECT_EQ(c->indices[0].universe.region_kind, kind) << word;
  }
  absl::StatusOr<RecomputeConfig> c = ParseRecomputeConfig(
      "indices:\n  - {framework: f, periods: {first: 2020, last: 2020}, universe: CN-YRD}\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->indices[0].universe.cluster_code, "CN-YRD");
  EXPECT_EQ(c->indices[0].universe.region_kind, "");
}

TEST(RecomputeConfigTest, FingerprintFollowsEverySetting) {
  absl::StatusOr<RecomputeConfig> base = ParseRecomputeConfig(kFull);
  ASSERT_TRUE(base.ok());
  const std::string text = CanonicalText(base->indices[0]);
  // Comments and layout do not matter ...
  std::string relaid = kFull;
  relaid.replace(relaid.find("   # framework code in ingest"), 29, "");
  EXPECT_EQ(CanonicalText(ParseRecomputeConfig(relaid)->indices[0]), text);
  // ... settings do.
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"last: 2022", "last: 2023"},
           {"[6, 10, 20]", "[6, 10]"},
           {"decimals: 2", "decimals: 3"},
           {"seed: 7", "seed: 8"},
           {"partner: {foreign: exclude}", "partner: {}"},
           {"aggregate: sum_amount", "aggregate: count"},
           {"CN-CY]", "CN-CQ]"}}) {
    std::string changed = kFull;
    changed.replace(changed.find(from), from.size(), to);
    absl::StatusOr<RecomputeConfig> c = ParseRecomputeConfig(changed);
    ASSERT_TRUE(c.ok()) << to << ": " << c.status();
    EXPECT_NE(CanonicalText(c->indices[0]), text) << from << " -> " << to;
  }
}

TEST(RecomputeConfigTest, ErrorsNameTheLineAndTheKey) {
  EXPECT_EQ(ErrorOf(With("    weighting: entropyy\n")),
            "line 5: indices[0].weighting: 'entropyy' is not one of published, ahp, entropy, "
            "critic, cv, pca, equal");
  EXPECT_EQ(ErrorOf(With("    weigthing: entropy\n")),
            "line 5: indices[0]: unknown key 'weigthing' (known: framework, version, periods, "
            "universe, clusters, cluster_aggregate, relation_set, relation_years, weighting, "
            "presentation, tiers, uncertainty, derived_indicators)");
  EXPECT_EQ(ErrorOf(With("    version: latest\n")),
            "line 5: indices[0].version: expected a whole number, got 'latest'");
  EXPECT_EQ(ErrorOf(With("    presentation: {global_weighted: yes}\n")),
            "line 5: indices[0].presentation.global_weighted: expected true or false, got 'yes'");
  EXPECT_EQ(ErrorOf(With("    clusters: CN-JJJ\n")),
            "line 5: indices[0].clusters: expected a list of cluster codes, e.g. [CN-JJJ], got a "
            "value");
  EXPECT_EQ(ErrorOf("indices:\n  - framework: ai\n    universe: provinces\n"),
            "line 2: indices[0]: missing required key 'periods'");
  EXPECT_EQ(ErrorOf("indices:\n  - framework: ai\n    periods: {first: 2022, last: 2021}\n"
                    "    universe: provinces\n"),
            "line 3: indices[0].periods: first (2022) is after last (2021)");
  EXPECT_EQ(ErrorOf(With("    derived_indicators:\n      - indicator: x\n"
                         "        relation_type: financing\n")),
            "line 5: indices[0].derived_indicators: needs relation_set: the relation set the "
            "indicators are derived from");
  EXPECT_EQ(ErrorOf(With("    relation_set: net\n    derived_indicators:\n"
                         "      - {indicator: x, relation_type: financing}\n"
                         "      - {indicator: x, relation_type: investment}\n")),
            "line 8: indices[0].derived_indicators[1]: indicator 'x' is already derived on line 7");
  EXPECT_EQ(ErrorOf(With("    relation_set: net\n    derived_indicators:\n"
                         "      - indicator: x\n        relation_type: financing\n"
                         "        anchor: {kinds: [enterprise, bank]}\n")),
            "line 9: indices[0].derived_indicators[0].anchor.kinds[1]: 'bank' is not one of "
            "enterprise, investor, university, research_institute, government, alliance, other");
  EXPECT_EQ(ErrorOf(With("    relation_set: net\n    derived_indicators:\n"
                         "      - indicator: x\n        direction: out\n")),
            "line 8: indices[0].derived_indicators[0].direction: 'out' is not one of outgoing, "
            "incoming, any");
  EXPECT_EQ(ErrorOf(With("    relation_set: net\n    derived_indicators:\n      - indicator: x\n")),
            "line 7: indices[0].derived_indicators[0]: missing required key 'relation_type'");
  EXPECT_EQ(ErrorOf(With("    tiers: {quantiles: 4, median_split: true}\n")),
            "line 5: indices[0].tiers: give exactly one of rank_bands, quantiles, natural_breaks, "
            "median_split");
  EXPECT_EQ(ErrorOf(With("    tiers: {rank_bands: [6, 6]}\n")),
            "line 5: indices[0].tiers.rank_bands: last ranks must increase strictly, e.g. [6, 10, "
            "20]");
  EXPECT_EQ(ErrorOf(With("    uncertainty: {monte_carlo_runs: 10, weight_fraction: 1.5}\n")),
            "line 5: indices[0].uncertainty.weight_fraction: must be in (0, 1): weights are "
            "scaled by U(1 - f, 1 + f)");
  EXPECT_EQ(ErrorOf(With("    uncertainty: {monte_carlo_runs: 200000}\n")),
            "line 5: indices[0].uncertainty.monte_carlo_runs: 200000 is outside 0..100000");
  EXPECT_EQ(ErrorOf(With("    universe: cities\n")),
            "line 5: duplicate key 'universe' (first on line 4)");
  EXPECT_EQ(ErrorOf("indices:\n  - {framework: f, periods: {first: 2020, last: 2020}, "
                    "universe: 'two words'}\n"),
            "line 2: indices[0].universe: 'two words' is neither a region kind (country, "
            "province, city, city_cluster, custom; plural accepted) nor a cluster code");
  EXPECT_EQ(ErrorOf("indices: []\n"),
            "line 1: indices: expected a list with at least one entry ('- framework: ...')");
  EXPECT_EQ(ErrorOf("index:\n  - framework: f\n"),
            "line 1: (top level): unknown key 'index' (known: indices)");
  EXPECT_THAT(ErrorOf(""), HasSubstr("the file is empty"));
  EXPECT_EQ(ErrorOf(With("  - framework: ai\n    periods: {first: 2020, last: 2020}\n"
                         "    universe: province\n")),
            "line 5: indices[1]: same framework, universe and weighting as indices[0] (line 2); "
            "merge the two entries");
  // Errors of the YAML itself keep their line (libs/config/yaml_tree.h).
  EXPECT_EQ(ErrorOf(With("    clusters: [CN-JJJ\n")),
            "line 5: '[' is never closed (not valid YAML: end of sequence flow not found at line "
            "6)");
  EXPECT_EQ(ErrorOf(With("    weighting: &w entropy\n")),
            "line 5: anchors (&) are not supported in Innoscope configuration files; write the "
            "value out (quote it if it starts with that character)");
  // What yaml-cpp reads leniently the schema still refuses: an empty item
  // of a flow list is null, a key without ':' has a null value.
  EXPECT_EQ(ErrorOf(With("    tiers: {rank_bands: [6, , 20]}\n")),
            "line 5: indices[0].tiers.rank_bands[1]: expected a value, got nothing");
  EXPECT_EQ(ErrorOf(With("    weighting\n")),
            "line 5: indices[0].weighting: expected a value, got nothing");
}

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(INNOSCOPE_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RecomputeConfigTest, ShippedConfigsParseAndAgree) {
  const std::string k8s = ReadSource("k8s/base/config/recompute.yaml");
  const std::string demo = ReadSource("examples/ai_index/recompute.yaml");
  ASSERT_FALSE(k8s.empty());
  ASSERT_FALSE(demo.empty());
  // Identical from "indices:" on; only the header comments differ.
  ASSERT_NE(k8s.find("\nindices:\n"), std::string::npos);
  EXPECT_EQ(k8s.substr(k8s.find("\nindices:\n")), demo.substr(demo.find("\nindices:\n")));
  absl::StatusOr<RecomputeConfig> c = ParseRecomputeConfig(k8s);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->indices.size(), 1u);
  const IndexEntry& e = c->indices[0];
  EXPECT_EQ(EntryKey(e), "ai_competitiveness_2023/province/published");
  EXPECT_THAT(e.clusters, ElementsAre("CN-JJJ", "CN-YRD", "CN-CY"));
  EXPECT_EQ(e.presentation.global_weighted, true);
  std::vector<std::string> derived;
  for (const DerivedIndicator& r : e.derived_indicators) derived.push_back(r.indicator);
  // The relation-count leaves of the imported framework (SlugCode of the
  // English level-3 names of ai_competitiveness_2023.csv).
  EXPECT_THAT(derived, ElementsAre("number_of_technology_empowerment_relations",
                                   "number_of_financing_relations", "financing_amount",
                                   "number_of_investment_relations",
                                   "number_of_international_technology_input_relations",
                                   "number_of_international_technology_empowerment_relations"));
}

}  // namespace
}  // namespace innoscope::recompute
