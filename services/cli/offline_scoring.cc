#include "services/cli/offline_scoring.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/index/weights.h"
#include "libs/scoring/random.h"
#include "services/cli/csv_stream.h"

namespace innoscope::cli {
namespace {

// A file's problem, prefixed with the file.
absl::Status InFile(const std::string& path, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
}

absl::StatusOr<double> Fraction(const config::ParsedFlags& flags, const std::string& name) {
  ASSIGN_OR_RETURN(double v, flags.GetDouble(name));
  if (!(v >= 0 && v <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("--", name, " must be between 0 and 1"));
  }
  return v;
}

// A flag's value as a name of a libs/ table (EnumNames); the error names
// the flag and the choices.
template <typename E>
absl::StatusOr<E> NamedFlag(const config::ParsedFlags& flags, const std::string& flag) {
  absl::StatusOr<E> value = ParseEnumIgnoringCase<E>(flags.Get(flag));
  if (!value.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", value.status().message()));
  }
  return value;
}

// --scale "LOWER,UPPER".
absl::Status ParseScale(const std::string& text, index::NormaliseSpec* spec) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ',');
  double lower = 0, upper = 0;
  if (parts.size() != 2 || !absl::SimpleAtod(absl::StripAsciiWhitespace(parts[0]), &lower) ||
      !absl::SimpleAtod(absl::StripAsciiWhitespace(parts[1]), &upper) || !std::isfinite(lower) ||
      !std::isfinite(upper) || !(lower < upper)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--scale must be LOWER,UPPER with LOWER < UPPER, e.g. 0,100; got '", text, "'"));
  }
  spec->lower = lower;
  spec->upper = upper;
  return absl::OkStatus();
}

absl::Status AggregationFromFlags(const config::ParsedFlags& flags,
                                  scoring::AggregationOptions* options) {
  ASSIGN_OR_RETURN(options->spec, ParseAggregation(flags.Get("aggregate")));
  ASSIGN_OR_RETURN(options->by_level, ParseAggregationByLevel(flags.Get("aggregate_by_level")));
  ASSIGN_OR_RETURN(options->non_positive,
                   NamedFlag<scoring::NonPositivePolicy>(flags, "non_positive"));
  ASSIGN_OR_RETURN(options->shift, flags.GetDouble("shift"));
  if (!(options->shift > 0) || !std::isfinite(options->shift)) {
    return absl::InvalidArgumentError("--shift must be a finite number > 0");
  }
  ASSIGN_OR_RETURN(options->missing, NamedFlag<scoring::MissingPolicy>(flags, "missing"));
  ASSIGN_OR_RETURN(bool published, flags.GetBool("published_form"));
  options->scale = published ? scoring::ScoreScale::kGlobalWeighted : scoring::ScoreScale::kMean;
  return absl::OkStatus();
}

// The shared, read-only state of the Monte Carlo model.
struct ModelState {
  index::Framework framework;
  index::DataMatrix treated;      // the nominal run's treated leaves
  scoring::PipelineSpec base;     // the spec without the data preparation
  std::vector<double> local;      // nominal local weights, per node
  std::vector<double> range;      // per node: x of U(1 - x, 1 + x), 0 = fixed
  std::vector<int> weight_nodes;  // per-node mode: node of factor i
  int weight_stream_factor = -1;  // stream mode: the discrete factor
  int normalise_factor = -1;
  int aggregate_factor = -1;
  struct Normalisation {
    index::NormaliseSpec spec;
    std::map<std::string, index::NormaliseSpec> by_indicator;
  };
  std::vector<Normalisation> normalisations;              // [0] = nominal
  std::vector<scoring::AggregationOptions> aggregations;  // [0] = nominal
  std::vector<size_t> rows;  // rows of `treated` with a nominal composite
};

// Choices past this many weights use one seeded stream (a factor per node
// would exceed scoring::kMaxFactors).
constexpr int kWeightStreamChoices = 1 << 30;

absl::StatusOr<std::vector<double>> Evaluate(const ModelState& state, absl::Span<const double> f) {
  scoring::PipelineSpec spec = state.base;
  spec.weights = state.local;
  for (size_t i = 0; i < state.weight_nodes.size(); ++i) {
    spec.weights[state.weight_nodes[i]] *= f[i];
  }
  if (state.weight_stream_factor >= 0) {
    const auto choice = static_cast<uint64_t>(f[state.weight_stream_factor]);
    if (choice != 0) {  // choice 0 is the nominal setting
      scoring::UniformStream stream(choice, 0);
      for (size_t node = 0; node < spec.weights.size(); ++node) {
        if (state.range[node] > 0) {
          const double x = state.range[node];
          spec.weights[node] *= 1 - x + 2 * x * stream.Next();
        }
      }
    }
  }
  if (state.normalise_factor >= 0) {
    const auto& n = state.normalisations[static_cast<size_t>(f[state.normalise_factor])];
    spec.normalise = n.spec;
    spec.by_indicator = n.by_indicator;
  }
  if (state.aggregate_factor >= 0) {
    spec.aggregation = state.aggregations[static_cast<size_t>(f[state.aggregate_factor])];
  }
  ASSIGN_OR_RETURN(scoring::PipelineResult r,
                   scoring::RunPipeline({state.framework, state.treated}, spec));
  std::vector<double> out;
  out.reserve(state.rows.size());
  const int root = state.framework.Root();
  for (size_t row : state.rows) {
    const double score = r.scores.Get(row, root);
    if (!std::isfinite(score)) {
      return absl::InvalidArgumentError(absl::StrCat("region '", r.scores.regions()[row],
                                                     "' has no composite score in this setting"));
    }
    out.push_back(score);
  }
  return out;
}

}  // namespace

void AddPipelineFlags(config::FlagSet& flags) {
  flags.Add("data", "", "wide CSV: one row per region, one column per indicator (leaf code)");
  flags.Add("region_column", "",
            "column of region codes (default: region_code, uCode, iso3, code or region, "
            "else the first)");
  flags.Add("normalise", std::string(EnumToName(index::NormaliseMethod::kMinMax)),
            EnumNameList<index::NormaliseMethod>());
  flags.Add("scale", "0,100", "LOWER,UPPER: output scale of the bounded normalisations");
  flags.Add("normalisation_spec", "",
            "CSV indicator,method[,lower,upper,goal_min,goal_max,target,log] overriding "
            "--normalise per indicator");
  flags.Add("aggregate", std::string(EnumToName(scoring::AggregationMethod::kArithmetic)),
            absl::StrCat(EnumNameList<scoring::AggregationMethod>(),
                         " (the generalised mean with its exponent: generalised:P)"));
  flags.Add("aggregate_by_level", "",
            "LEVEL=METHOD,... for the nodes of a level (leaves are level 1), e.g. 3=geometric");
  flags.Add("non_positive", std::string(EnumToName(scoring::NonPositivePolicy::kFail)),
            "a zero or negative value in a geometric/harmonic/generalised mean: fail, shift "
            "(by --shift) or skip");
  flags.Add("shift", "1", "the shift of --non_positive shift");
  flags.Add("missing", std::string(EnumToName(scoring::MissingPolicy::kRenormalise)),
            "a missing child: renormalise (weights over the children present) or propagate");
  flags.Add("weights", "", "CSV node,weight (default: the framework's Weight column), or 'equal'");
  flags.Add("weights_scope", std::string(EnumToName(WeightsScope::kSiblings)),
            "--weights relative to siblings, or all_leaves (leaf weights over all leaves)");
  flags.AddBool("denominate", false,
                "divide leaves by the framework's Denominator column (values from --data)");
  flags.Add("impute", std::string(EnumToName(index::ImputeMethod::kNone)),
            EnumNameList<index::ImputeMethod>());
  flags.Add("group_column", "", "text column of --data grouping regions, for group_*");
  flags.Add("screen_regions", "0", "drop regions with a share of present values below this (0-1)");
  flags.Add("screen_indicators", "0",
            "drop indicators with a share of present values below this (0-1)");
  flags.AddBool("treat_outliers", false,
                "winsorise / log-transform skewed indicators (COINr's rule)");
  flags.Add("rank_decimals", "-1",
            "scores equal to this many decimals tie in the ranks; -1 = unrounded");
  flags.AddBool("published_form", false,
                "report every node's score times its global weight (the composite is then "
                "the sum of the dimensions)");
}

scoring::PipelineInputs OfflineScoring::Inputs() const {
  scoring::PipelineInputs inputs{framework.framework, data.leaves};
  if (data.denominators) inputs.denominators = &*data.denominators;
  inputs.groups = data.groups;
  return inputs;
}

absl::StatusOr<scoring::PipelineSpec> PipelineSpecFromFlags(const config::ParsedFlags& flags) {
  scoring::PipelineSpec spec;
  ASSIGN_OR_RETURN(spec.normalise.method, NamedFlag<index::NormaliseMethod>(flags, "normalise"));
  RETURN_IF_ERROR(ParseScale(flags.Get("scale"), &spec.normalise));
  RETURN_IF_ERROR(AggregationFromFlags(flags, &spec.aggregation));
  ASSIGN_OR_RETURN(spec.impute, NamedFlag<index::ImputeMethod>(flags, "impute"));
  ASSIGN_OR_RETURN(spec.denominate, flags.GetBool("denominate"));
  ASSIGN_OR_RETURN(spec.screen_region_threshold, Fraction(flags, "screen_regions"));
  ASSIGN_OR_RETURN(spec.screen_indicator_threshold, Fraction(flags, "screen_indicators"));
  ASSIGN_OR_RETURN(spec.treat_outliers, flags.GetBool("treat_outliers"));
  ASSIGN_OR_RETURN(int64_t decimals, flags.GetInt("rank_decimals", -1, 15));
  spec.ranking.decimals = static_cast<int>(decimals);
  return spec;
}

absl::StatusOr<OfflineScoring> LoadOfflineScoring(const config::ParsedFlags& flags) {
  OfflineScoring out;
  scoring::PipelineSpec& spec = out.spec;
  // Flags first, so a typo is reported before a large file is read.
  ASSIGN_OR_RETURN(spec, PipelineSpecFromFlags(flags));
  ASSIGN_OR_RETURN(WeightsScope weights_scope, NamedFlag<WeightsScope>(flags, "weights_scope"));
  if (index::IsGroupImputation(spec.impute) && flags.Get("group_column").empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--impute ", flags.Get("impute"),
                     " needs --group_column: the column of --data whose labels group the regions"));
  }

  const std::string& framework_path = flags.Get("framework");
  ASSIGN_OR_RETURN(std::string framework_text, ReadFileText(framework_path));
  absl::StatusOr<FrameworkFile> framework = ParseFrameworkFile(framework_text);
  if (!framework.ok()) return InFile(framework_path, framework.status());
  out.framework = *std::move(framework);
  const index::Framework& f = out.framework.framework;

  const std::string& data_path = flags.Get("data");
  ASSIGN_OR_RETURN(std::string data_text, ReadFileText(data_path));
  ScoringDataOptions data_options;
  data_options.region_column = flags.Get("region_column");
  data_options.denominators = spec.denominate;
  data_options.group_column = flags.Get("group_column");
  absl::StatusOr<ScoringData> data = ParseScoringData(data_text, out.framework, data_options);
  if (!data.ok()) return InFile(data_path, data.status());
  out.data = *std::move(data);

  const std::string& normalisation_path = flags.Get("normalisation_spec");
  if (!normalisation_path.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFileText(normalisation_path));
    absl::StatusOr<std::map<std::string, index::NormaliseSpec>> by_indicator =
        ParseNormalisationCsv(text, f, spec.normalise);
    if (!by_indicator.ok()) return InFile(normalisation_path, by_indicator.status());
    spec.by_indicator = *std::move(by_indicator);
  }
  const std::string& weights_path = flags.Get("weights");
  if (weights_path == "equal") {
    spec.weights = index::EqualWeights(f);
  } else if (!weights_path.empty()) {
    ASSIGN_OR_RETURN(std::string text, ReadFileText(weights_path));
    absl::StatusOr<std::vector<double>> weights = ParseWeightsCsv(text, f, weights_scope);
    if (!weights.ok()) return InFile(weights_path, weights.status());
    spec.weights = *std::move(weights);
  } else {
    absl::StatusOr<std::vector<double>> fixed = index::FixedWeights(f);
    if (!fixed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          framework_path, ": ", fixed.status().message(),
          "; give weights in the framework, or pass --weights W.csv or --weights equal"));
    }
  }
  return out;
}

absl::StatusOr<std::map<int, double>> ParseWeightRange(const std::string& text, int max_level) {
  std::map<int, double> out;
  auto check = [&](double x) -> absl::Status {
    if (!(x >= 0 && x < 1)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--weight_range: ", x, " is outside [0, 1); weights are scaled by U(1 - x, 1 + x)"));
    }
    return absl::OkStatus();
  };
  double all = 0;
  if (absl::SimpleAtod(text, &all)) {
    RETURN_IF_ERROR(check(all));
    for (int level = 1; level < max_level; ++level) out[level] = all;
    return out;
  }
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    const size_t eq = item.find('=');
    int level = 0;
    double x = 0;
    if (eq == absl::string_view::npos ||
        !absl::SimpleAtoi(absl::StripAsciiWhitespace(item.substr(0, eq)), &level) ||
        !absl::SimpleAtod(absl::StripAsciiWhitespace(item.substr(eq + 1)), &x) || level < 1 ||
        level >= max_level) {
      return absl::InvalidArgumentError(
          absl::StrCat("--weight_range: '", item, "' is not X or LEVEL=X with LEVEL in 1..",
                       max_level - 1, " (leaves are level 1; the root has no weight to vary)"));
    }
    RETURN_IF_ERROR(check(x));
    out[level] = x;
  }
  return out;
}

absl::StatusOr<UncertaintyModel> BuildUncertaintyModel(const OfflineScoring& offline,
                                                       const scoring::PipelineResult& nominal,
                                                       const UncertaintyAssumptions& assumptions) {
  auto state = std::make_shared<ModelState>();
  const index::Framework& f = offline.framework.framework;
  state->framework = f;
  state->treated = nominal.treated;
  state->base = offline.spec;
  state->base.denominate = false;
  state->base.impute = index::ImputeMethod::kNone;
  state->base.screen_region_threshold = 0;
  state->base.screen_indicator_threshold = 0;
  state->base.treat_outliers = false;
  state->local = nominal.local_weights;

  UncertaintyModel out;
  for (size_t row = 0; row < nominal.scores.rows(); ++row) {
    if (std::isfinite(nominal.scores.Get(row, f.Root()))) {
      state->rows.push_back(row);
      out.regions.push_back(nominal.scores.regions()[row]);
    } else {
      out.unscored.push_back(nominal.scores.regions()[row]);
    }
  }
  if (out.regions.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("only ", out.regions.size(),
                     " region(s) have a composite score; rank intervals need "
                     "at least 2"));
  }

  // Weights: nodes whose weight can move the scores (a sibling with weight).
  state->range.assign(f.Nodes().size(), 0.0);
  std::vector<int> varied;
  for (size_t node = 0; node < f.Nodes().size(); ++node) {
    const int parent = f.Parent(static_cast<int>(node));
    if (parent < 0 || f.Children(parent).size() < 2 || !(state->local[node] > 0)) continue;
    auto it = assumptions.weight_range.find(f.Node(static_cast<int>(node)).level);
    if (it == assumptions.weight_range.end() || it->second == 0) continue;
    state->range[node] = it->second;
    varied.push_back(static_cast<int>(node));
  }

  // Discrete alternatives, nominal first; an alternative equal to the
  // nominal setting is not repeated.
  state->normalisations.push_back({offline.spec.normalise, offline.spec.by_indicator});
  for (index::NormaliseMethod method : assumptions.normalisations) {
    bool same = offline.spec.normalise.method == method;
    for (const auto& [code, spec] : offline.spec.by_indicator) same = same && spec.method == method;
    if (same) continue;
    ModelState::Normalisation alt = state->normalisations[0];
    alt.spec.method = method;
    for (auto& [code, spec] : alt.by_indicator) spec.method = method;
    state->normalisations.push_back(std::move(alt));
  }
  state->aggregations.push_back(offline.spec.aggregation);
  for (const scoring::AggregationSpec& spec : assumptions.aggregations) {
    const scoring::AggregationOptions& nominal_options = offline.spec.aggregation;
    if (nominal_options.by_level.empty() && nominal_options.spec.method == spec.method &&
        nominal_options.spec.power == spec.power) {
      continue;
    }
    scoring::AggregationOptions alt = nominal_options;
    alt.spec = spec;
    alt.by_level.clear();
    state->aggregations.push_back(std::move(alt));
  }
  const size_t discrete =
      (state->normalisations.size() > 1 ? 1 : 0) + (state->aggregations.size() > 1 ? 1 : 0);

  if (varied.size() + discrete <= scoring::kMaxFactors) {
    for (int node : varied) {
      const double x = state->range[node];
      out.factors.push_back(scoring::UncertainFactor::Uniform(
          absl::StrCat("weight:", f.Node(node).code), 1 - x, 1 + x, 1.0));
      state->weight_nodes.push_back(node);
    }
  } else {
    state->weight_stream_factor = static_cast<int>(out.factors.size());
    out.factors.push_back(scoring::UncertainFactor::Discrete("weights", kWeightStreamChoices, 0));
  }
  if (!varied.empty()) {
    std::map<int, int> per_level;
    for (int node : varied) ++per_level[f.Node(node).level];
    for (const auto& [level, count] : per_level) {
      const double x = assumptions.weight_range.at(level);
      out.description.push_back(absl::StrFormat("weights: %d node(s) at level %d x U(%g, %g)",
                                                count, level, 1 - x, 1 + x));
    }
  }
  if (state->normalisations.size() > 1) {
    state->normalise_factor = static_cast<int>(out.factors.size());
    out.factors.push_back(scoring::UncertainFactor::Discrete(
        "normalisation", static_cast<int>(state->normalisations.size()), 0));
    std::string names;
    for (const auto& n : state->normalisations) {
      absl::StrAppend(&names, names.empty() ? "" : ", ", EnumToName(n.spec.method));
    }
    out.description.push_back(absl::StrCat("normalisation: one of ", names));
  }
  if (state->aggregations.size() > 1) {
    state->aggregate_factor = static_cast<int>(out.factors.size());
    out.factors.push_back(scoring::UncertainFactor::Discrete(
        "aggregation", static_cast<int>(state->aggregations.size()), 0));
    std::string names;
    for (size_t i = 0; i < state->aggregations.size(); ++i) {
      absl::StrAppend(&names, i == 0 ? "" : ", ",
                      i == 0 && !state->aggregations[0].by_level.empty()
                          ? "nominal (by level)"
                          : AggregationName(state->aggregations[i].spec));
    }
    out.description.push_back(absl::StrCat("aggregation: one of ", names));
  }

  // Every discrete combination once, at nominal weights.
  std::vector<double> values;
  for (const scoring::UncertainFactor& factor : out.factors) values.push_back(factor.nominal);
  for (size_t n = 0; n < state->normalisations.size(); ++n) {
    for (size_t a = 0; a < state->aggregations.size(); ++a) {
      if (state->normalise_factor >= 0) values[state->normalise_factor] = static_cast<double>(n);
      if (state->aggregate_factor >= 0) values[state->aggregate_factor] = static_cast<double>(a);
      absl::StatusOr<std::vector<double>> scores = Evaluate(*state, values);
      if (!scores.ok()) {
        return absl::Status(
            scores.status().code(),
            absl::StrCat("normalisation ",
                         EnumToName(state->normalisations[n].spec.method),
                         " with aggregation ",
                         a == 0 && !state->aggregations[0].by_level.empty()
                             ? std::string("as nominal")
                             : AggregationName(state->aggregations[a].spec),
                         " cannot score the data: ", scores.status().message(),
                         ". Drop one of them from --normalisations/--aggregations, or pass "
                         "--non_positive shift (with --shift larger than the most negative "
                         "score) or --non_positive skip"));
      }
    }
  }
  out.model = [state](absl::Span<const double> setting) { return Evaluate(*state, setting); };
  return out;
}

}  // namespace innoscope::cli
