#include "services/cli/offline_scoring.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/index/csv_stream.h"
#include "libs/index/weights.h"

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
  ASSIGN_OR_RETURN(std::string framework_text, index::ReadFileText(framework_path));
  absl::StatusOr<FrameworkFile> framework = ParseFrameworkFile(framework_text);
  if (!framework.ok()) return InFile(framework_path, framework.status());
  out.framework = *std::move(framework);
  const index::Framework& f = out.framework.framework;

  const std::string& data_path = flags.Get("data");
  ASSIGN_OR_RETURN(std::string data_text, index::ReadFileText(data_path));
  ScoringDataOptions data_options;
  data_options.region_column = flags.Get("region_column");
  data_options.denominators = spec.denominate;
  data_options.group_column = flags.Get("group_column");
  absl::StatusOr<ScoringData> data = ParseScoringData(data_text, out.framework, data_options);
  if (!data.ok()) return InFile(data_path, data.status());
  out.data = *std::move(data);

  const std::string& normalisation_path = flags.Get("normalisation_spec");
  if (!normalisation_path.empty()) {
    ASSIGN_OR_RETURN(std::string text, index::ReadFileText(normalisation_path));
    absl::StatusOr<std::map<std::string, index::NormaliseSpec>> by_indicator =
        ParseNormalisationCsv(text, f, spec.normalise);
    if (!by_indicator.ok()) return InFile(normalisation_path, by_indicator.status());
    spec.by_indicator = *std::move(by_indicator);
  }
  const std::string& weights_path = flags.Get("weights");
  if (weights_path == "equal") {
    spec.weights = index::EqualWeights(f);
  } else if (!weights_path.empty()) {
    ASSIGN_OR_RETURN(std::string text, index::ReadFileText(weights_path));
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

std::shared_ptr<const scoring::UncertaintyInputs> UncertaintyInputsOf(
    const OfflineScoring& offline, const scoring::PipelineResult& nominal) {
  auto inputs = std::make_shared<scoring::UncertaintyInputs>();
  inputs->framework = offline.framework.framework;
  inputs->data = offline.data.leaves;
  inputs->denominators = offline.data.denominators;
  inputs->groups = offline.data.groups;
  inputs->nominal = offline.spec;
  inputs->nominal.weights = nominal.local_weights;
  return inputs;
}

}  // namespace innoscope::cli
