#include "services/scoring/run_spec.h"

#include <cmath>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/scoring/tiers.h"
#include "libs/server/content_hash.h"

namespace innoscope::scoring {
namespace {

absl::Status Invalid(const std::string& field, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

bool Finite(double x) { return std::isfinite(x); }

absl::Status ValidateNormalisation(const v1::Normalisation& n, const std::string& field) {
  RETURN_IF_ERROR(codecs::FromProto(n.method(), field + ".method").status());
  const double lower = n.has_lower() ? n.lower() : 0;
  const double upper = n.has_upper() ? n.upper() : 100;
  if (!Finite(lower) || !Finite(upper) || !(lower < upper)) {
    return Invalid(field, absl::StrCat("the scale needs finite lower < upper, got [", lower, ", ",
                                       upper, "]"));
  }
  if (n.has_goal_min() != n.has_goal_max()) {
    return Invalid(field, "give both goal_min and goal_max, or neither");
  }
  if (n.has_goal_min() &&
      !(Finite(n.goal_min()) && Finite(n.goal_max()) && n.goal_min() < n.goal_max())) {
    return Invalid(field, "goalposts need finite goal_min < goal_max");
  }
  if (n.has_target() && !Finite(n.target())) return Invalid(field + ".target", "not finite");
  return absl::OkStatus();
}

absl::Status ValidateStep(const v1::AggregationStep& step, const std::string& field) {
  RETURN_IF_ERROR(codecs::FromProto(step.method(), field + ".method").status());
  if (!Finite(step.exponent())) return Invalid(field + ".exponent", "not finite");
  return absl::OkStatus();
}

absl::Status ValidateTiers(const v1::Tiers& tiers) {
  switch (tiers.rule_case()) {
    case v1::Tiers::kQuantiles:
      if (tiers.quantiles() < 1 || tiers.quantiles() > 100) {
        return Invalid("spec.tiers.quantiles",
                       absl::StrCat("must be 1-100, got ", tiers.quantiles()));
      }
      break;
    case v1::Tiers::kNaturalBreaks:
      if (tiers.natural_breaks() < 1 || tiers.natural_breaks() > kMaxJenksClasses) {
        return Invalid("spec.tiers.natural_breaks", absl::StrCat("must be 1-", kMaxJenksClasses,
                                                                 ", got ", tiers.natural_breaks()));
      }
      break;
    case v1::Tiers::kRankBands: {
      const auto& bands = tiers.rank_bands().last_ranks();
      if (bands.empty()) return Invalid("spec.tiers.rank_bands.last_ranks", "required");
      for (int i = 0; i < bands.size(); ++i) {
        if (bands[i] < 1 || (i > 0 && bands[i] <= bands[i - 1])) {
          return Invalid("spec.tiers.rank_bands.last_ranks",
                         "must be strictly increasing ranks >= 1 (e.g. 6, 10, 20)");
        }
      }
      break;
    }
    case v1::Tiers::kThresholds: {
      const auto& cutoffs = tiers.thresholds().cutoffs();
      if (cutoffs.empty()) return Invalid("spec.tiers.thresholds.cutoffs", "required");
      for (double c : cutoffs) {
        if (!Finite(c)) return Invalid("spec.tiers.thresholds.cutoffs", "not finite");
      }
      break;
    }
    case v1::Tiers::kMedianSplit:
      break;
    case v1::Tiers::RULE_NOT_SET:
      if (tiers.node_codes_size() > 0) {
        return Invalid("spec.tiers", "node_codes given without a rule");
      }
      break;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRunSpec(const v1::RunSpec& spec) {
  if (spec.framework().code().empty()) return Invalid("spec.framework.code", "required");
  if (spec.framework().version() < 0) return Invalid("spec.framework.version", "must be >= 0");
  if (spec.period() == 0) return Invalid("spec.period", "required");
  if (spec.period() < kMinPeriod || spec.period() > kMaxPeriod) {
    return Invalid("spec.period",
                   absl::StrCat(spec.period(), " is outside ", kMinPeriod, "-", kMaxPeriod));
  }
  const v1::Universe& u = spec.universe();
  if (u.selection_case() == v1::Universe::kRegions && u.regions().codes().empty()) {
    return Invalid("spec.universe.regions.codes",
                   "empty; leave the universe unset for all regions");
  }
  if (u.selection_case() == v1::Universe::kClusterCode && u.cluster_code().empty()) {
    return Invalid("spec.universe.cluster_code", "empty");
  }
  if (u.selection_case() == v1::Universe::kKind &&
      (u.kind() == ingest::v1::REGION_KIND_UNSPECIFIED ||
       !ingest::v1::RegionKind_IsValid(u.kind()))) {
    return Invalid("spec.universe.kind", "must be a region kind");
  }

  const v1::Pipeline& p = spec.pipeline();
  ASSIGN_OR_RETURN(const index::ImputeMethod impute,
                   codecs::FromProto(p.imputation().method(), "spec.pipeline.imputation.method"));
  if (index::IsGroupImputation(impute) && p.imputation().group_attribute().empty()) {
    return Invalid("spec.pipeline.imputation.group_attribute",
                   "required by group imputation (the region attribute holding the group)");
  }
  for (const auto& [field, value] :
       {std::pair<const char*, double>{"region_threshold", p.screening().region_threshold()},
        {"indicator_threshold", p.screening().indicator_threshold()}}) {
    if (!(value >= 0 && value <= 1)) {
      return Invalid(absl::StrCat("spec.pipeline.screening.", field),
                     absl::StrCat("must be in [0, 1], got ", value));
    }
  }
  const v1::OutlierTreatment& o = p.outliers();
  if ((o.has_skew_threshold() && !(Finite(o.skew_threshold()) && o.skew_threshold() >= 0)) ||
      (o.has_kurtosis_threshold() &&
       !(Finite(o.kurtosis_threshold()) && o.kurtosis_threshold() >= 0)) ||
      (o.has_max_winsorised() && o.max_winsorised() < 0)) {
    return Invalid("spec.pipeline.outliers",
                   "thresholds must be finite and >= 0, max_winsorised >= 0");
  }
  RETURN_IF_ERROR(ValidateNormalisation(p.normalisation(), "spec.pipeline.normalisation"));
  for (const auto& [code, n] : p.normalisation_by_indicator()) {
    RETURN_IF_ERROR(ValidateNormalisation(
        n, absl::StrCat("spec.pipeline.normalisation_by_indicator[", code, "]")));
  }

  if (spec.weights().source_case() == v1::Weights::kWeightSetId &&
      spec.weights().weight_set_id().empty()) {
    return Invalid("spec.weights.weight_set_id", "empty");
  }

  const v1::Aggregation& a = spec.aggregation();
  RETURN_IF_ERROR(ValidateStep(a.method(), "spec.aggregation.method"));
  for (const auto& [level, step] : a.by_level()) {
    RETURN_IF_ERROR(ValidateStep(step, absl::StrCat("spec.aggregation.by_level[", level, "]")));
  }
  RETURN_IF_ERROR(codecs::FromProto(a.zero_policy(), "spec.aggregation.zero_policy").status());
  RETURN_IF_ERROR(codecs::FromProto(a.missing(), "spec.aggregation.missing").status());
  RETURN_IF_ERROR(
      codecs::FromProto(a.topsis_normalisation(), "spec.aggregation.topsis_normalisation")
          .status());
  if (a.has_shift() && !(Finite(a.shift()) && a.shift() > 0)) {
    return Invalid("spec.aggregation.shift",
                   absl::StrCat("must be finite and > 0, got ", a.shift()));
  }
  if (a.has_topsis_scale() && !(Finite(a.topsis_scale()) && a.topsis_scale() > 0)) {
    return Invalid("spec.aggregation.topsis_scale", "must be finite and > 0");
  }

  const v1::Presentation& pr = spec.presentation();
  if (pr.has_decimals() && (pr.decimals() < 0 || pr.decimals() > 15)) {
    return Invalid("spec.presentation.decimals", absl::StrCat("must be 0-15, got ", pr.decimals()));
  }
  if (!(Finite(pr.tie_tolerance()) && pr.tie_tolerance() >= 0)) {
    return Invalid("spec.presentation.tie_tolerance", "must be finite and >= 0");
  }

  const v1::Clusters& c = spec.clusters();
  ASSIGN_OR_RETURN(const ClusterAggregate cluster_aggregate,
                   codecs::FromProto(c.aggregate(), "spec.clusters.aggregate"));
  std::set<std::string> clusters;
  for (const std::string& code : c.cluster_codes()) {
    if (code.empty()) return Invalid("spec.clusters.cluster_codes", "empty code");
    if (!clusters.insert(code).second) {
      return Invalid("spec.clusters.cluster_codes", absl::StrCat("\"", code, "\" listed twice"));
    }
  }
  if (cluster_aggregate == ClusterAggregate::kWeightedMean && c.weight_indicator().empty()) {
    return Invalid("spec.clusters.weight_indicator",
                   "required by the weighted mean (e.g. a population indicator)");
  }
  return ValidateTiers(spec.tiers());
}

absl::StatusOr<index::NormaliseSpec> ToNormaliseSpec(const v1::Normalisation& n,
                                                     absl::string_view field) {
  index::NormaliseSpec spec;
  ASSIGN_OR_RETURN(spec.method, codecs::FromProto(n.method(), absl::StrCat(field, ".method")));
  if (n.has_lower()) spec.lower = n.lower();
  if (n.has_upper()) spec.upper = n.upper();
  if (n.has_goal_min()) spec.goal_min = n.goal_min();
  if (n.has_goal_max()) spec.goal_max = n.goal_max();
  spec.log_scale = n.log_scale();
  if (n.has_target()) spec.target = n.target();
  spec.degenerate = n.degenerate_missing() ? index::DegeneratePolicy::kLeaveMissing
                                           : index::DegeneratePolicy::kMidpoint;
  return spec;
}

absl::StatusOr<AggregationSpec> ToAggregationSpec(const v1::AggregationStep& step,
                                                  absl::string_view field) {
  AggregationSpec spec;
  ASSIGN_OR_RETURN(spec.method, codecs::FromProto(step.method(), absl::StrCat(field, ".method")));
  if (spec.method == AggregationMethod::kGeneralised) spec.power = step.exponent();
  return spec;
}

RankOptions ToRankOptions(const v1::Presentation& presentation) {
  RankOptions options;
  options.decimals = presentation.has_decimals() ? presentation.decimals() : -1;
  options.tolerance = presentation.tie_tolerance();
  return options;
}

absl::StatusOr<PipelineSpec> ToPipelineSpec(const v1::RunSpec& spec,
                                            const index::Framework& framework) {
  const std::string fw =
      absl::StrCat("framework ", spec.framework().code(), " v", spec.framework().version());
  const v1::Pipeline& p = spec.pipeline();
  PipelineSpec out;
  out.denominate = p.denominate();
  ASSIGN_OR_RETURN(out.impute,
                   codecs::FromProto(p.imputation().method(), "spec.pipeline.imputation.method"));
  out.screen_region_threshold = p.screening().region_threshold();
  out.screen_indicator_threshold = p.screening().indicator_threshold();
  out.treat_outliers = p.outliers().enabled();
  if (p.outliers().has_skew_threshold())
    out.outliers.skew_threshold = p.outliers().skew_threshold();
  if (p.outliers().has_kurtosis_threshold()) {
    out.outliers.kurtosis_threshold = p.outliers().kurtosis_threshold();
  }
  if (p.outliers().has_max_winsorised())
    out.outliers.max_winsorised = p.outliers().max_winsorised();
  out.outliers.log_fallback = !p.outliers().no_log_fallback();
  ASSIGN_OR_RETURN(out.normalise,
                   ToNormaliseSpec(p.normalisation(), "spec.pipeline.normalisation"));
  for (const auto& [code, n] : p.normalisation_by_indicator()) {
    const std::string field = absl::StrCat("spec.pipeline.normalisation_by_indicator[", code, "]");
    const int node = framework.Find(code);
    if (node < 0 || !framework.IsLeaf(node)) {
      return Invalid(field, absl::StrCat("not an indicator (leaf) of ", fw));
    }
    ASSIGN_OR_RETURN(out.by_indicator[code], ToNormaliseSpec(n, field));
  }

  const v1::Aggregation& a = spec.aggregation();
  ASSIGN_OR_RETURN(out.aggregation.spec, ToAggregationSpec(a.method(), "spec.aggregation.method"));
  const int top_level = framework.Node(framework.Root()).level;
  for (const auto& [level, step] : a.by_level()) {
    if (level < 2 || level > top_level) {
      return Invalid(
          absl::StrCat("spec.aggregation.by_level[", level, "]"),
          absl::StrCat(fw, " aggregates into levels 2-", top_level, " (leaves are level 1)"));
    }
    ASSIGN_OR_RETURN(
        out.aggregation.by_level[level],
        ToAggregationSpec(step, absl::StrCat("spec.aggregation.by_level[", level, "]")));
  }
  ASSIGN_OR_RETURN(out.aggregation.non_positive,
                   codecs::FromProto(a.zero_policy(), "spec.aggregation.zero_policy"));
  if (a.has_shift()) out.aggregation.shift = a.shift();
  ASSIGN_OR_RETURN(out.aggregation.missing,
                   codecs::FromProto(a.missing(), "spec.aggregation.missing"));
  ASSIGN_OR_RETURN(
      out.aggregation.topsis_normalisation,
      codecs::FromProto(a.topsis_normalisation(), "spec.aggregation.topsis_normalisation"));
  if (a.has_topsis_scale()) out.aggregation.topsis_scale = a.topsis_scale();
  out.aggregation.scale =
      spec.presentation().global_weighted() ? ScoreScale::kGlobalWeighted : ScoreScale::kMean;

  out.ranking = ToRankOptions(spec.presentation());

  for (const std::string& code : spec.tiers().node_codes()) {
    if (framework.Find(code) < 0) {
      return Invalid("spec.tiers.node_codes", absl::StrCat("\"", code, "\" is not a node of ", fw));
    }
  }
  return out;
}

absl::StatusOr<std::vector<int>> TierColumn(const v1::Tiers& rule, const std::string& node,
                                            absl::Span<const double> scores,
                                            absl::Span<const int> ranks) {
  absl::StatusOr<Tiers> tiers;
  switch (rule.rule_case()) {
    case v1::Tiers::kMedianSplit:
      tiers = MedianSplit(scores);
      break;
    case v1::Tiers::kQuantiles:
      tiers = QuantileTiers(scores, rule.quantiles());
      break;
    case v1::Tiers::kNaturalBreaks:
      tiers = NaturalBreakTiers(scores, rule.natural_breaks());
      break;
    case v1::Tiers::kThresholds: {
      std::vector<double> cutoffs(rule.thresholds().cutoffs().begin(),
                                  rule.thresholds().cutoffs().end());
      tiers = ThresholdTiers(scores, cutoffs);
      break;
    }
    case v1::Tiers::kRankBands: {
      std::vector<int> bands(rule.rank_bands().last_ranks().begin(),
                             rule.rank_bands().last_ranks().end());
      absl::StatusOr<std::vector<int>> by_rank = RankBandTiers(ranks, bands);
      if (!by_rank.ok()) {
        return absl::Status(
            by_rank.status().code(),
            absl::StrCat("tiers at node \"", node, "\": ", by_rank.status().message()));
      }
      return by_rank;
    }
    case v1::Tiers::RULE_NOT_SET:
      return std::vector<int>(scores.size(), 0);
  }
  if (!tiers.ok()) {
    return absl::Status(tiers.status().code(),
                        absl::StrCat("tiers at node \"", node, "\": ", tiers.status().message()));
  }
  return std::move(tiers->tier);
}

std::string RunId(const v1::Run& run) {
  v1::Run identity;
  *identity.mutable_spec() = run.spec();
  identity.mutable_spec()->clear_label();
  identity.set_weight_set_id(run.weight_set_id());
  *identity.mutable_data_versions() = run.data_versions();
  *identity.mutable_universe() = run.universe();
  *identity.mutable_group_labels() = run.group_labels();
  *identity.mutable_clusters() = run.clusters();
  codecs::ClearDefaultEnums(identity);  // a default named or left unset: one id
  return absl::StrCat("run-", server::ContentHashHex(identity));
}

std::string SeriesId(const v1::RunSpec& spec) {
  v1::RunSpec identity = spec;
  identity.clear_period();
  identity.clear_label();
  codecs::ClearDefaultEnums(identity);
  return absl::StrCat("series-", server::ContentHashHex(identity));
}

std::string UncertaintyId(const std::string& run_id, const v1::ComputeUncertaintyRequest& request) {
  v1::ComputeUncertaintyRequest identity = request;
  identity.clear_threads();
  identity.clear_block();  // every block of an analysis shares its id
  identity.set_run_id(run_id);
  codecs::ClearDefaultEnums(identity);
  return absl::StrCat("unc-", server::ContentHashHex(identity));
}

// The request's assumptions as the model's (libs/scoring/uncertainty_model.h,
// which checks levels and fractions); INVALID_ARGUMENT for an enum value or
// exponent no method has.
absl::StatusOr<UncertaintyAssumptions> ToUncertaintyAssumptions(const v1::Assumptions& a) {
  UncertaintyAssumptions out;
  for (const v1::WeightPerturbation& w : a.weights()) {
    out.weights.push_back({w.level(), w.fraction()});
  }
  for (int i = 0; i < a.normalisations_size(); ++i) {
    ASSIGN_OR_RETURN(const index::NormaliseMethod m,
                     codecs::FromProtoNumber<v1::NormalisationMethod>(
                         a.normalisations(i), absl::StrCat("assumptions.normalisations[", i, "]")));
    out.normalisations.push_back(m);
  }
  for (int i = 0; i < a.aggregations_size(); ++i) {
    const std::string field = absl::StrCat("assumptions.aggregations[", i, "]");
    if (!std::isfinite(a.aggregations(i).exponent())) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".exponent: not finite"));
    }
    ASSIGN_OR_RETURN(AggregationSpec spec, ToAggregationSpec(a.aggregations(i), field));
    out.aggregations.push_back(spec);
  }
  out.imputation = a.imputation();
  out.outlier_treatment = a.outlier_treatment();
  return out;
}

}  // namespace innoscope::scoring
