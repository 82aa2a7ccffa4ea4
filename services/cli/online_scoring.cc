#include "services/cli/online_scoring.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"
#include "libs/index/weights.h"
#include "services/cli/number_text.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::scoring::v1;

// At most the periods of 1900-2100, as the service accepts.
constexpr size_t kMaxPeriods = 201;

bool Given(const config::ParsedFlags& flags, const std::string& name) {
  const std::string& origin = flags.Origin(name);
  return origin == "flag" || origin == "env";
}

std::vector<std::string> ListOf(const std::string& text) {
  return absl::StrSplit(text, ',', absl::SkipWhitespace());
}

absl::Status Invalid(const std::string& flag, const std::string& problem) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", problem));
}

absl::Status WeightsFromFlags(const config::ParsedFlags& flags, v1::RunSpec* spec) {
  const std::string& weights = flags.Get("weights");
  const std::string& weight_set = flags.Get("weight_set");
  const std::string& weighting = flags.Get("weighting");
  const int sources =
      (weights.empty() ? 0 : 1) + (weight_set.empty() ? 0 : 1) + (weighting.empty() ? 0 : 1);
  if (sources > 1) {
    return absl::InvalidArgumentError(
        "give one of --weights equal, --weight_set ID and --weighting METHOD");
  }
  if (!weight_set.empty()) {
    spec->mutable_weights()->set_weight_set_id(weight_set);
    return absl::OkStatus();
  }
  const std::string method = weights.empty() ? weighting : weights;
  if (method.empty()) return absl::OkStatus();  // the framework's own weights
  // The methods the weighting service computes from the run alone (no
  // judgement matrices, no combination parameters).
  std::vector<std::string> names;
  for (index::WeightingMethod m : EnumValues<index::WeightingMethod>()) {
    if (m != index::WeightingMethod::kEqual && !index::IsDataDriven(m)) continue;
    if (method == EnumToName(m)) {
      spec->mutable_weights()->mutable_compute()->set_method(codecs::ToProto(m));
      return absl::OkStatus();
    }
    names.emplace_back(EnumToName(m));
  }
  return Invalid("weighting",
                 absl::StrCat("must be ", absl::StrJoin(names, ", "), ", got '", method,
                              "' (AHP weights: compute a weight set with 'innoscope "
                              "weights ahp --framework ...' and pass --weight_set)"));
}

absl::Status UniverseFromFlags(const std::string& text, v1::Universe* universe) {
  const std::string t(absl::StripAsciiWhitespace(text));
  if (t.empty()) return absl::OkStatus();
  auto kind_of = [](absl::string_view name) {
    return codecs::ProtoEnumFromName<ingest::v1::RegionKind>(name);
  };
  if (absl::StartsWith(t, "kind:")) {
    absl::StatusOr<ingest::v1::RegionKind> kind = kind_of(t.substr(5));
    if (!kind.ok()) return Invalid("universe", std::string(kind.status().message()));
    universe->set_kind(*kind);
  } else if (absl::StartsWith(t, "cluster:")) {
    universe->set_cluster_code(t.substr(8));
  } else if (t.find(',') != std::string::npos) {
    for (const std::string& code : ListOf(t)) universe->mutable_regions()->add_codes(code);
  } else if (absl::StatusOr<ingest::v1::RegionKind> kind = kind_of(t); kind.ok()) {
    universe->set_kind(*kind);
  } else {
    universe->set_cluster_code(t);
  }
  return absl::OkStatus();
}

absl::Status ClustersFromFlags(const config::ParsedFlags& flags, v1::Clusters* clusters) {
  for (const std::string& code : ListOf(flags.Get("clusters"))) clusters->add_cluster_codes(code);
  // sum, mean, or weighted:INDICATOR (the weighted mean names its weights).
  const std::string& aggregate = flags.Get("cluster_aggregate");
  const size_t colon = aggregate.find(':');
  const std::string indicator = colon == std::string::npos ? "" : aggregate.substr(colon + 1);
  const std::optional<scoring::ClusterAggregate> value =
      EnumFromName<scoring::ClusterAggregate>(aggregate.substr(0, colon));
  if (!value || (*value == scoring::ClusterAggregate::kWeightedMean) == indicator.empty() ||
      (colon != std::string::npos && *value != scoring::ClusterAggregate::kWeightedMean)) {
    return Invalid(
        "cluster_aggregate",
        absl::StrCat("must be sum, mean or weighted:INDICATOR (e.g. weighted:population), "
                     "got '",
                     aggregate, "'"));
  }
  clusters->set_aggregate(codecs::ToProto(*value));
  clusters->set_weight_indicator(indicator);
  if (clusters->cluster_codes().empty() && Given(flags, "cluster_aggregate")) {
    return Invalid("cluster_aggregate", "needs --clusters CODE,...");
  }
  return absl::OkStatus();
}

absl::Status TiersFromFlags(const config::ParsedFlags& flags, v1::Tiers* tiers) {
  const std::string rule(absl::StripAsciiWhitespace(flags.Get("tiers")));
  const std::vector<std::string> nodes = ListOf(flags.Get("tier_nodes"));
  if (rule.empty()) {
    if (!nodes.empty()) return Invalid("tier_nodes", "needs --tiers RULE");
    return absl::OkStatus();
  }
  const size_t colon = rule.find(':');
  const std::string name = rule.substr(0, colon);
  const std::string arg = colon == std::string::npos ? "" : rule.substr(colon + 1);
  const std::string usage =
      "must be median, quantiles:K, jenks:K, bands:6,10,20 or thresholds:60,40";
  int k = 0;
  if (name == "median" && arg.empty()) {
    tiers->mutable_median_split();
  } else if ((name == "quantiles" || name == "jenks") && absl::SimpleAtoi(arg, &k)) {
    if (name == "quantiles") {
      tiers->set_quantiles(k);
    } else {
      tiers->set_natural_breaks(k);
    }
  } else if (name == "bands" && !arg.empty()) {
    for (const std::string& item : ListOf(arg)) {
      int last = 0;
      if (!absl::SimpleAtoi(item, &last)) {
        return Invalid("tiers", absl::StrCat("'", item, "' is not a rank; ", usage));
      }
      tiers->mutable_rank_bands()->add_last_ranks(last);
    }
  } else if (name == "thresholds" && !arg.empty()) {
    for (const std::string& item : ListOf(arg)) {
      double cutoff = 0;
      if (!absl::SimpleAtod(item, &cutoff)) {
        return Invalid("tiers", absl::StrCat("'", item, "' is not a number; ", usage));
      }
      tiers->mutable_thresholds()->add_cutoffs(cutoff);
    }
  } else {
    return Invalid("tiers", absl::StrCat(usage, "; got '", rule, "'"));
  }
  for (const std::string& node : nodes) tiers->add_node_codes(node);
  return absl::OkStatus();
}

// Clears the sub-messages of `message` that hold nothing, so a flag left at
// its default leaves no trace in the spec (nor in the run id derived from
// it): the spec is the one an API client would send.
void PruneEmpty(google::protobuf::Message* message) {
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(*message, &fields);
  for (const google::protobuf::FieldDescriptor* field : fields) {
    if (field->is_repeated() ||
        field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    google::protobuf::Message* child = reflection->MutableMessage(message, field);
    PruneEmpty(child);
    // A oneof member stays: its presence is the choice (median_split {}).
    if (child->ByteSizeLong() == 0 && field->containing_oneof() == nullptr) {
      reflection->ClearField(message, field);
    }
  }
}

}  // namespace

void AddOnlineScoringFlags(config::FlagSet& flags) {
  flags.Add("weight_set", "", "online: a stored weight set id (e.g. from 'innoscope weights')");
  flags.Add("weighting", "",
            "online: weights computed by the weighting service for the run: equal, entropy, "
            "critic, cv or pca");
  flags.Add("universe", "",
            "online: the regions scored: a region kind (province; or kind:K), a cluster's "
            "members (CODE or cluster:CODE), or CODE,CODE,... (default: all with data)");
  flags.Add("clusters", "", "online: cluster codes scored from their members, comma-separated");
  flags.Add("cluster_aggregate", "sum",
            "online: a cluster's score from its members: sum, mean or weighted:INDICATOR");
  flags.Add("tiers", "",
            "online: tiers of regions and clusters: median, quantiles:K, jenks:K, "
            "bands:6,10,20 or thresholds:60,40");
  flags.Add("tier_nodes", "", "online: nodes to tier, comma-separated (default: the composite)");
  flags.Add("group_attribute", "",
            "online: the region attribute grouping regions for --impute group_mean/group_median");
  flags.Add("label", "", "online: free text stored with the run");
}

const std::vector<std::string>& OnlineScoringFlagNames() {
  static const auto* names = new std::vector<std::string>{
      "weight_set", "weighting",  "universe",        "clusters", "cluster_aggregate",
      "tiers",      "tier_nodes", "group_attribute", "label"};
  return *names;
}

absl::Status CheckOnlineFlags(const config::ParsedFlags& flags) {
  struct OfflineOnly {
    const char* flag;
    const char* instead;
  };
  static const OfflineOnly kOfflineOnly[] = {
      {"region_column", "the service knows its regions"},
      {"group_column", "online, groups are a region attribute: --group_attribute NAME"},
      {"normalisation_spec",
       "online, goalposts and targets come from the stored framework; score from files to "
       "override them per indicator"},
      {"weights_scope", "online, weights come from --weight_set ID or --weighting METHOD"},
  };
  for (const OfflineOnly& o : kOfflineOnly) {
    if (Given(flags, o.flag)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", o.flag, " is for scoring from files (--data); ", o.instead));
    }
  }
  const std::string& weights = flags.Get("weights");
  if (!weights.empty() && weights != "equal") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--weights ", weights,
        ": a weights file is for scoring from files; online, pass --weight_set ID (a stored "
        "weight set, e.g. from 'innoscope weights ... --framework'), --weighting METHOD or "
        "--weights equal"));
  }
  return absl::OkStatus();
}

absl::Status CheckOfflineFlags(const config::ParsedFlags& flags,
                               const std::vector<std::string>& online_only) {
  for (const std::string& name : online_only) {
    if (Given(flags, name)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name,
                       " needs the scoring service: give a stored --framework CODE[@VERSION] "
                       "and --period P instead of --data"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int32_t>> ParsePeriodList(absl::string_view text) {
  std::vector<int32_t> periods;
  std::set<int32_t> seen;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    ASSIGN_OR_RETURN(PeriodSpan span, ParsePeriodSpan(item));
    if (span.last - span.first >= static_cast<int32_t>(kMaxPeriods)) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", item, "' spans more than ", kMaxPeriods, " periods"));
    }
    for (int32_t p = span.first; p <= span.last; ++p) {
      if (!seen.insert(p).second) {
        return absl::InvalidArgumentError(absl::StrCat("period ", p, " is listed twice"));
      }
      periods.push_back(p);
    }
  }
  if (periods.empty()) {
    return absl::InvalidArgumentError("no period given (e.g. 2023, 2014-2022 or 2014,2018)");
  }
  if (periods.size() > kMaxPeriods) {
    return absl::InvalidArgumentError(absl::StrCat("at most ", kMaxPeriods, " periods"));
  }
  return periods;
}

v1::AggregationStep ToProtoAggregation(const scoring::AggregationSpec& spec) {
  v1::AggregationStep step;
  step.set_method(codecs::ToProto(spec.method));
  if (spec.method == scoring::AggregationMethod::kGeneralised) step.set_exponent(spec.power);
  return step;
}

absl::StatusOr<v1::RunSpec> RunSpecFromFlags(const config::ParsedFlags& flags,
                                             const FrameworkArg& framework) {
  RETURN_IF_ERROR(CheckOnlineFlags(flags));
  ASSIGN_OR_RETURN(scoring::PipelineSpec pipeline, PipelineSpecFromFlags(flags));
  v1::RunSpec spec;
  spec.mutable_framework()->set_code(framework.code);
  spec.mutable_framework()->set_version(framework.version);

  v1::Pipeline& p = *spec.mutable_pipeline();
  p.set_denominate(pipeline.denominate);
  p.mutable_imputation()->set_method(codecs::ToProto(pipeline.impute));
  const bool group = index::IsGroupImputation(pipeline.impute);
  if (group != !flags.Get("group_attribute").empty()) {
    return group ? absl::InvalidArgumentError(
                       absl::StrCat("--impute ", flags.Get("impute"),
                                    " needs --group_attribute: the region attribute whose "
                                    "values group the regions (e.g. area)"))
                 : Invalid("group_attribute", "is for --impute group_mean or group_median");
  }
  p.mutable_imputation()->set_group_attribute(flags.Get("group_attribute"));
  p.mutable_screening()->set_region_threshold(pipeline.screen_region_threshold);
  p.mutable_screening()->set_indicator_threshold(pipeline.screen_indicator_threshold);
  p.mutable_outliers()->set_enabled(pipeline.treat_outliers);
  p.mutable_normalisation()->set_method(codecs::ToProto(pipeline.normalise.method));
  if (Given(flags, "scale")) {
    p.mutable_normalisation()->set_lower(pipeline.normalise.lower);
    p.mutable_normalisation()->set_upper(pipeline.normalise.upper);
  }

  v1::Aggregation& a = *spec.mutable_aggregation();
  *a.mutable_method() = ToProtoAggregation(pipeline.aggregation.spec);
  for (const auto& [level, step] : pipeline.aggregation.by_level) {
    (*a.mutable_by_level())[level] = ToProtoAggregation(step);
  }
  a.set_zero_policy(codecs::ToProto(pipeline.aggregation.non_positive));
  if (Given(flags, "shift")) a.set_shift(pipeline.aggregation.shift);
  a.set_missing(codecs::ToProto(pipeline.aggregation.missing));

  v1::Presentation& presentation = *spec.mutable_presentation();
  if (pipeline.ranking.decimals >= 0) presentation.set_decimals(pipeline.ranking.decimals);
  presentation.set_global_weighted(pipeline.aggregation.scale ==
                                   scoring::ScoreScale::kGlobalWeighted);

  RETURN_IF_ERROR(WeightsFromFlags(flags, &spec));
  RETURN_IF_ERROR(UniverseFromFlags(flags.Get("universe"), spec.mutable_universe()));
  if (spec.universe().selection_case() == v1::Universe::SELECTION_NOT_SET) spec.clear_universe();
  RETURN_IF_ERROR(ClustersFromFlags(flags, spec.mutable_clusters()));
  RETURN_IF_ERROR(TiersFromFlags(flags, spec.mutable_tiers()));
  spec.set_label(flags.Get("label"));
  // A flag at the service's default says what leaving it unset says
  // (*_UNSPECIFIED), so the CLI's runs are an API client's runs.
  codecs::ClearDefaultEnums(spec);
  PruneEmpty(&spec);
  return spec;
}

v1::Assumptions AssumptionsFor(const scoring::UncertaintyAssumptions& assumptions,
                               const v1::RunSpec& spec) {
  v1::Assumptions out;
  for (const scoring::WeightPerturbation& w : assumptions.weights) {
    if (w.fraction == 0) continue;  // fixed: no factor either way
    v1::WeightPerturbation* perturbation = out.add_weights();
    perturbation->set_level(w.level);
    perturbation->set_fraction(w.fraction);
  }
  // The run's own choices as domain values (an unset method is the
  // service's default, e.g. NORMALISATION_METHOD_UNSPECIFIED is min-max).
  const absl::StatusOr<index::NormaliseMethod> nominal_normalisation =
      codecs::FromProto(spec.pipeline().normalisation().method(), "normalisation");
  for (index::NormaliseMethod method : assumptions.normalisations) {
    if (nominal_normalisation.ok() && method == *nominal_normalisation) continue;
    out.add_normalisations(codecs::ToProto(method));
  }
  const v1::Aggregation& nominal = spec.aggregation();
  const absl::StatusOr<scoring::AggregationMethod> nominal_method =
      codecs::FromProto(nominal.method().method(), "aggregation");
  for (const scoring::AggregationSpec& alternative : assumptions.aggregations) {
    const v1::AggregationStep step = ToProtoAggregation(alternative);
    if (nominal.by_level().empty() && nominal_method.ok() &&
        alternative.method == *nominal_method && step.exponent() == nominal.method().exponent()) {
      continue;  // the nominal method is a choice already
    }
    *out.add_aggregations() = step;
  }
  out.set_imputation(assumptions.imputation);
  out.set_outlier_treatment(assumptions.outlier_treatment);
  return out;
}

int FailOnline(const std::string& program, const absl::Status& status) {
  const absl::Status prefixed(status.code(), absl::StrCat("scoring service: ", status.message()));
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return Fail(program, prefixed, kScoringServiceHint);
    case absl::StatusCode::kNotFound:
      return Fail(program, prefixed,
                  "check the framework code and version (imported with 'innoscope import "
                  "framework'), the weight set or run id named above");
    case absl::StatusCode::kInvalidArgument:
      return Fail(program, prefixed,
                  "the spec field named above comes from the flag of the same name (see "
                  "'innoscope score --help')");
    default:
      return Fail(program, prefixed);
  }
}

}  // namespace innoscope::cli
