#pragma once

// Seeded synthetic data for the bundled demo of the AI competitiveness
// index: a value network of actors and dated, typed relations shaped like
// the published 2,200-enterprise network (heavy-tailed degrees, a few
// dominant platform enterprises, relations growing year by year), and the
// index's other indicators per province and year. Pure computation (C++17,
// Abseil, libs/graph's SplitMix64): no gRPC, protobuf, SQL or files; the CLI
// (`innoscope demo generate`, services/cli/demo_files.h) writes the result
// as the CSV files `innoscope import actors|relations|observations` read.
// The model, its parameters and why each was chosen: docs/demo.md.
//
//   SyntheticOptions options;
//   options.seed = 7;
//   ASSIGN_OR_RETURN(SyntheticData data,
//                    GenerateSyntheticData(provinces, framework_leaves, options));
//
// The same inputs and options give the same data on every platform: every
// draw comes from SplitMix64 streams (no std:: distributions), each part of
// the model (actors, relations, observations) from its own stream.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::synth {

// The actor kinds and layers of the ingest data model, as the importers
// spell them (ActorKindName, LayerName).
enum class ActorKind {
  kEnterprise,
  kInvestor,
  kUniversity,
  kResearchInstitute,
  kGovernment,
  kOther
};
enum class Layer { kNone, kFoundation, kTechnology, kApplication };

// "enterprise", "investor", "university", "research_institute",
// "government", "other".
absl::string_view ActorKindName(ActorKind kind);
// "foundation", "technology", "application"; "" for kNone.
absl::string_view LayerName(Layer layer);

// A province the data is generated for (regions of kind province).
struct Province {
  std::string code;  // e.g. "CN-BJ"
  std::string name;
};

struct Actor {
  std::string code;  // "SYN-E00001" (sample enterprises), "SYN-U00001", ...
  std::string name;  // says "synthetic"
  ActorKind kind = ActorKind::kEnterprise;
  std::string province;   // "" for foreign actors
  bool sample = false;    // one of the sample enterprises
  bool platform = false;  // a platform enterprise (a subset of the sample)
  bool foreign = false;
  Layer layer = Layer::kNone;  // sample enterprises only
  // Sample enterprises: the year the enterprise enters the network (its
  // first relation is never earlier); relation nodes: the year of their
  // first relation.
  int32_t first_year = 0;
};

// The built-in relation types the generator uses, in this order.
inline constexpr const char* kRelationTypes[] = {
    "technology_empowerment", "technology_input", "cooperation",
    "human_capital",          "financing",        "investment"};

struct Relation {
  int32_t source = 0;  // index into SyntheticData::actors
  int32_t target = 0;
  std::string type;  // one of kRelationTypes
  int32_t year = 0;
  // "" unless the same (source, target, type, year) occurs again: "n2",
  // "n3", ... (a second financing round in a year, say).
  std::string qualifier;
  std::optional<double> amount;  // financing and investment, million yuan
  bool international = false;    // an end is a foreign actor
};

struct Observation {
  std::string region;
  std::string indicator;
  int32_t period = 0;
  double value = 0;
};

// The indicators of the 2023 AI framework that the network service derives
// from the relations (the recompute config's derived_indicators): number of
// technology-empowerment, financing, investment, international
// technology-input and international technology-empowerment relations, and
// the financing amount. The generator writes no observations for them.
const std::vector<std::string>& DefaultDerivedIndicators();

// Relative size of a province in the model (its share of the sample
// enterprises before normalisation, in percent), shaped like the published
// distribution (docs/demo.md); provinces the table does not know get the
// smallest weight.
double ProvinceWeight(absl::string_view code);

struct SyntheticOptions {
  uint64_t seed = 1;
  int32_t enterprises = 2200;  // sample enterprises; at least one per province
  int32_t first_year = 2014;
  int32_t last_year = 2022;
  // Relations per sample enterprise by the last year (the published
  // network has about 38; the demo keeps it smaller so that exact path
  // statistics stay quick).
  double relations_per_enterprise = 12;
  // Share of the sample enterprises flagged as platforms (200 of 2,200).
  double platform_share = 200.0 / 2200.0;
  // Ratio of the relations added in one year to those of the year before.
  double annual_growth = 1.4;
  // Framework leaves left to the network service (no observations written).
  std::vector<std::string> derived_indicators = DefaultDerivedIndicators();
};

struct SyntheticData {
  std::vector<Actor> actors;        // sample enterprises first, then relation nodes
  std::vector<Relation> relations;  // by year, then in generation order
  // Every province x generated indicator x period first..last_year, in
  // province, period, framework-leaf order.
  std::vector<Observation> observations;
  std::vector<std::string> generated_indicators;  // leaves with observations
  std::vector<std::string> derived_indicators;    // leaves left to the network
};

// Generates the data for `provinces` (at least one) and the framework's
// leaf indicator codes (`leaves`, at least one). INVALID_ARGUMENT names the
// option at fault: fewer enterprises than provinces, first_year after
// last_year or a span over 100 years, a non-positive growth or relation
// rate, a platform share outside (0, 1), a duplicate province or leaf.
absl::StatusOr<SyntheticData> GenerateSyntheticData(const std::vector<Province>& provinces,
                                                    const std::vector<std::string>& leaves,
                                                    const SyntheticOptions& options);

}  // namespace innoscope::synth
