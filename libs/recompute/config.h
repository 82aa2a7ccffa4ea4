#pragma once

// The recompute job's configuration file (`innoscope recompute --config
// FILE`; k8s/base/config/recompute.yaml, examples/ai_index/recompute.yaml),
// read with libs/config/yaml_tree.h (yaml-cpp) and validated here.
// Reference: docs/operations.md, "Recompute configuration".
//
//   indices:
//     - framework: ai_competitiveness_2023
//       version: 0                        # 0 = the latest version
//       periods: {first: 2014, last: 2022}
//       universe: provinces               # region kind or a cluster code
//       clusters: [CN-JJJ, CN-YRD, CN-CY] # optional
//       cluster_aggregate: sum            # sum | mean
//       relation_set: ai_value_network    # needed by derived_indicators
//       relation_years: cumulative        # cumulative | annual
//       weighting: published              # published | ahp | entropy | critic | cv | pca | equal
//       presentation: {global_weighted: true, decimals: 2}
//       tiers: {rank_bands: [6, 10, 20]}  # or quantiles: N | natural_breaks: N | median_split:
//       true uncertainty: {monte_carlo_runs: 0, weight_fraction: 0.2, seed: 1} derived_indicators:
//         - indicator: number_of_technology_empowerment_relations
//           relation_type: technology_empowerment
//           direction: outgoing           # outgoing | incoming | any
//           anchor: {sample: only}        # sample|platform|foreign: any|only|exclude,
//           partner: {}                   #   kinds: [...], layers: [...]
//           international: any            # any | only | exclude
//           aggregate: count              # count | sum_amount | sum_weight | distinct_partners
//
// Every error is INVALID_ARGUMENT naming the line and the key path, and says
// what is accepted: "line 7: indices[0].weighting: 'entropyy' is not one of
// published, ahp, entropy, critic, cv, pca, equal". Unknown keys are errors,
// so a misspelt optional key never silently falls back to its default.
// Pure: no I/O; the job (services/recompute/recompute_job.h) turns it into RPCs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/common/enum_names.h"
#include "libs/scoring/clusters.h"

namespace innoscope::recompute {

// any | only | exclude (network FlagFilter).
enum class FlagMode { kAny, kOnly, kExclude };

// The actor filter of one end of a relation (network ActorFilter).
struct ActorFilterSpec {
  FlagMode sample = FlagMode::kAny;
  FlagMode platform = FlagMode::kAny;
  FlagMode foreign = FlagMode::kAny;
  // enterprise, investor, university, research_institute, government,
  // alliance, other; empty = any kind.
  std::vector<std::string> kinds;
  // foundation, technology, application; empty = any layer.
  std::vector<std::string> layers;
};

enum class Direction { kOutgoing, kIncoming, kAny };
enum class Aggregate { kCount, kSumAmount, kSumWeight, kDistinctPartners };

// One indicator the network service derives from relations
// (DeriveRegionIndicators' IndicatorRule).
struct DerivedIndicator {
  int line = 0;  // of the list item, for errors found later
  std::string indicator;
  std::string relation_type;
  Direction direction = Direction::kOutgoing;
  ActorFilterSpec anchor;
  ActorFilterSpec partner;
  FlagMode international = FlagMode::kAny;
  Aggregate aggregate = Aggregate::kCount;
};

enum class RelationYears { kCumulative, kAnnual };
enum class Weighting { kPublished, kAhp, kEntropy, kCritic, kCv, kPca, kEqual };
// sum | mean: the scoring library's aggregates without the weighted mean
// (which needs a weight indicator the configuration has no key for).
using ClusterAggregate = scoring::ClusterAggregate;

// The regions scored together: every region of a kind, or a cluster's members.
struct Universe {
  std::string region_kind;   // country, province, city, cluster or custom
  std::string cluster_code;  // set instead of region_kind for a cluster
};

struct TierRule {
  enum class Kind { kNone, kRankBands, kQuantiles, kNaturalBreaks, kMedianSplit };
  Kind kind = Kind::kNone;
  std::vector<int> rank_bands;  // last rank of each band, increasing
  int classes = 0;              // quantiles / natural_breaks
};

struct Presentation {
  std::optional<bool> global_weighted;
  std::optional<int> decimals;  // 0-15
};

struct UncertaintySpec {
  int64_t monte_carlo_runs = 0;  // 0 = skip; else 1-100,000 replicates
  double weight_fraction = 0.2;  // weights times U(1 - f, 1 + f), f in (0, 1)
  uint64_t seed = 1;
};

struct IndexEntry {
  int line = 0;  // of the list item
  std::string framework;
  int version = 0;  // 0 = the latest
  int first_period = 0;
  int last_period = 0;
  Universe universe;
  std::vector<std::string> clusters;
  ClusterAggregate cluster_aggregate = ClusterAggregate::kSum;
  std::string relation_set;  // empty = none
  RelationYears relation_years = RelationYears::kCumulative;
  Weighting weighting = Weighting::kPublished;
  Presentation presentation;
  TierRule tiers;
  UncertaintySpec uncertainty;
  std::vector<DerivedIndicator> derived_indicators;
};

struct RecomputeConfig {
  std::vector<IndexEntry> indices;
};

// Parses and validates a configuration file's text.
absl::StatusOr<RecomputeConfig> ParseRecomputeConfig(absl::string_view text);

// The entry's identity across runs, "<framework>/<universe>/<weighting>",
// e.g. "ai_competitiveness_2023/province/published"; unique in a config.
std::string EntryKey(const IndexEntry& entry);

// Every setting of the entry, one "key=value" per line in a fixed order:
// hashed into the config fingerprint, so editing an entry recomputes it.
std::string CanonicalText(const IndexEntry& entry);

// The ingest data-version scopes the entry depends on, sorted:
// "framework:<code>", "observations", "regions" and, with a relation set,
// "relations:<set>".
std::vector<std::string> VersionScopes(const IndexEntry& entry);

}  // namespace innoscope::recompute

namespace innoscope {

// The config words, for parsing, messages and logs (EnumToName).
template <>
struct EnumNames<recompute::FlagMode> {
  static constexpr absl::string_view kWhat = "flag filter";
  static constexpr EnumName<recompute::FlagMode> kRows[] = {
      {recompute::FlagMode::kAny, "any"},
      {recompute::FlagMode::kOnly, "only"},
      {recompute::FlagMode::kExclude, "exclude"},
  };
};

template <>
struct EnumNames<recompute::Direction> {
  static constexpr absl::string_view kWhat = "direction";
  static constexpr EnumName<recompute::Direction> kRows[] = {
      {recompute::Direction::kOutgoing, "outgoing"},
      {recompute::Direction::kIncoming, "incoming"},
      {recompute::Direction::kAny, "any"},
  };
};

template <>
struct EnumNames<recompute::Aggregate> {
  static constexpr absl::string_view kWhat = "aggregate";
  static constexpr EnumName<recompute::Aggregate> kRows[] = {
      {recompute::Aggregate::kCount, "count"},
      {recompute::Aggregate::kSumAmount, "sum_amount"},
      {recompute::Aggregate::kSumWeight, "sum_weight"},
      {recompute::Aggregate::kDistinctPartners, "distinct_partners"},
  };
};

template <>
struct EnumNames<recompute::RelationYears> {
  static constexpr absl::string_view kWhat = "relation years";
  static constexpr EnumName<recompute::RelationYears> kRows[] = {
      {recompute::RelationYears::kCumulative, "cumulative"},
      {recompute::RelationYears::kAnnual, "annual"},
  };
};

template <>
struct EnumNames<recompute::Weighting> {
  static constexpr absl::string_view kWhat = "weighting";
  static constexpr EnumName<recompute::Weighting> kRows[] = {
      {recompute::Weighting::kPublished, "published"},
      {recompute::Weighting::kAhp, "ahp"},
      {recompute::Weighting::kEntropy, "entropy"},
      {recompute::Weighting::kCritic, "critic"},
      {recompute::Weighting::kCv, "cv"},
      {recompute::Weighting::kPca, "pca"},
      {recompute::Weighting::kEqual, "equal"},
  };
};

}  // namespace innoscope
