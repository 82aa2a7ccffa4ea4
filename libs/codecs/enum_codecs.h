#pragma once

// Protobuf enums <-> the domain enums of libs/: one codec table per enum,
// used by the services (gRPC adapters and cores) and the CLI, and nowhere
// else. The names of the domain values (CLI flags, files, logs) are the
// EnumNames tables next to the domain enums (libs/common/enum_names.h).
//
//   // A spec from the wire: an unknown number is INVALID_ARGUMENT naming the field.
//   ASSIGN_OR_RETURN(index::NormaliseMethod method,
//                    codecs::FromProto(n.method(), "spec.pipeline.normalisation.method"));
//   // A repeated enum field holds ints.
//   ASSIGN_OR_RETURN(graph::Measure m,
//                    codecs::FromProtoNumber<network::v1::Measure>(request.measures(i), field));
//   // Every domain value has a proto value (checked at compile time).
//   step.set_method(codecs::ToProto(spec.method));
//
// A row maps a proto value to a domain value, or to none (std::nullopt): a
// value requests may not carry, e.g. METHOD_UNSPECIFIED of a required field,
// which decodes to INVALID_ARGUMENT "<field>: required". Several proto values
// may decode to one domain value (CONVENTION_UNSPECIFIED means gephi);
// ToProto returns the first row's, so the canonical row comes first.
// tests/unit/codecs iterates every proto enum's descriptor: a proto value
// without a row, or a proto enum with neither a codec nor a place in the
// proto-only list, fails there.
//
// Proto enums without a domain counterpart (region kinds, actor filters,
// selection policies) are checked with CheckProtoEnum and named with
// ProtoEnumName / ProtoEnumFromName: the value's name without the enum's
// prefix, lower case (REGION_KIND_PROVINCE <-> "province").

#include <cstdlib>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/generated_enum_reflection.h"
#include "google/protobuf/message.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "innoscope/network/v1/network.pb.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "innoscope/weighting/v1/weighting.pb.h"
#include "libs/graph/centrality.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"
#include "libs/graph/measure.h"
#include "libs/index/ahp.h"
#include "libs/index/impute.h"
#include "libs/index/normalise.h"
#include "libs/index/weights.h"
#include "libs/scoring/aggregation.h"
#include "libs/scoring/clusters.h"

namespace innoscope::codecs {

template <typename P, typename D>
struct CodecRow {
  P proto;
  std::optional<D> domain;  // nullopt: a value requests may not carry
};

// Specialised once per proto enum: Domain and kRows.
template <typename P>
struct EnumCodec;

// Specialised once per domain enum: the proto enum it encodes to.
template <typename D>
struct ProtoEnumOf;

// ------------------------------------------------------------ scoring.v1

template <>
struct EnumCodec<scoring::v1::NormalisationMethod> {
  using Domain = index::NormaliseMethod;
  static constexpr CodecRow<scoring::v1::NormalisationMethod, Domain> kRows[] = {
      {scoring::v1::NORMALISATION_METHOD_MIN_MAX, Domain::kMinMax},
      {scoring::v1::NORMALISATION_METHOD_GOALPOSTS, Domain::kGoalposts},
      {scoring::v1::NORMALISATION_METHOD_Z_SCORE, Domain::kZScore},
      {scoring::v1::NORMALISATION_METHOD_RANK, Domain::kRank},
      {scoring::v1::NORMALISATION_METHOD_PERCENTILE_RANK, Domain::kPercentileRank},
      {scoring::v1::NORMALISATION_METHOD_DISTANCE_TO_TARGET, Domain::kDistanceToTarget},
      {scoring::v1::NORMALISATION_METHOD_DISTANCE_TO_BEST, Domain::kDistanceToBest},
      {scoring::v1::NORMALISATION_METHOD_PROPORTION_OF_MAX, Domain::kProportionOfMax},
      // Unset: the documented default.
      {scoring::v1::NORMALISATION_METHOD_UNSPECIFIED, Domain::kMinMax},
  };
};
template <>
struct ProtoEnumOf<index::NormaliseMethod> {
  using type = scoring::v1::NormalisationMethod;
};

template <>
struct EnumCodec<scoring::v1::ImputationMethod> {
  using Domain = index::ImputeMethod;
  static constexpr CodecRow<scoring::v1::ImputationMethod, Domain> kRows[] = {
      {scoring::v1::IMPUTATION_METHOD_NONE, Domain::kNone},
      {scoring::v1::IMPUTATION_METHOD_COLUMN_MEAN, Domain::kColumnMean},
      {scoring::v1::IMPUTATION_METHOD_COLUMN_MEDIAN, Domain::kColumnMedian},
      {scoring::v1::IMPUTATION_METHOD_GROUP_MEAN, Domain::kGroupMean},
      {scoring::v1::IMPUTATION_METHOD_GROUP_MEDIAN, Domain::kGroupMedian},
      // Unset: the documented default.
      {scoring::v1::IMPUTATION_METHOD_UNSPECIFIED, Domain::kNone},
  };
};
template <>
struct ProtoEnumOf<index::ImputeMethod> {
  using type = scoring::v1::ImputationMethod;
};

template <>
struct EnumCodec<scoring::v1::AggregationMethod> {
  using Domain = scoring::AggregationMethod;
  static constexpr CodecRow<scoring::v1::AggregationMethod, Domain> kRows[] = {
      {scoring::v1::AGGREGATION_METHOD_ARITHMETIC, Domain::kArithmetic},
      {scoring::v1::AGGREGATION_METHOD_GEOMETRIC, Domain::kGeometric},
      {scoring::v1::AGGREGATION_METHOD_HARMONIC, Domain::kHarmonic},
      {scoring::v1::AGGREGATION_METHOD_GENERALISED, Domain::kGeneralised},
      {scoring::v1::AGGREGATION_METHOD_TOPSIS, Domain::kTopsis},
      // Unset: the documented default.
      {scoring::v1::AGGREGATION_METHOD_UNSPECIFIED, Domain::kArithmetic},
  };
};
template <>
struct ProtoEnumOf<scoring::AggregationMethod> {
  using type = scoring::v1::AggregationMethod;
};

template <>
struct EnumCodec<scoring::v1::ZeroPolicy> {
  using Domain = scoring::NonPositivePolicy;
  static constexpr CodecRow<scoring::v1::ZeroPolicy, Domain> kRows[] = {
      {scoring::v1::ZERO_POLICY_FAIL, Domain::kFail},
      {scoring::v1::ZERO_POLICY_SHIFT, Domain::kShift},
      {scoring::v1::ZERO_POLICY_SKIP, Domain::kSkip},
      // Unset: the documented default.
      {scoring::v1::ZERO_POLICY_UNSPECIFIED, Domain::kFail},
  };
};
template <>
struct ProtoEnumOf<scoring::NonPositivePolicy> {
  using type = scoring::v1::ZeroPolicy;
};

template <>
struct EnumCodec<scoring::v1::MissingChildren> {
  using Domain = scoring::MissingPolicy;
  static constexpr CodecRow<scoring::v1::MissingChildren, Domain> kRows[] = {
      {scoring::v1::MISSING_CHILDREN_RENORMALISE, Domain::kRenormalise},
      {scoring::v1::MISSING_CHILDREN_PROPAGATE, Domain::kPropagate},
      // Unset: the documented default.
      {scoring::v1::MISSING_CHILDREN_UNSPECIFIED, Domain::kRenormalise},
  };
};
template <>
struct ProtoEnumOf<scoring::MissingPolicy> {
  using type = scoring::v1::MissingChildren;
};

template <>
struct EnumCodec<scoring::v1::TopsisNormalisation> {
  using Domain = scoring::TopsisNormalisation;
  static constexpr CodecRow<scoring::v1::TopsisNormalisation, Domain> kRows[] = {
      {scoring::v1::TOPSIS_NORMALISATION_VECTOR, Domain::kVector},
      {scoring::v1::TOPSIS_NORMALISATION_NONE, Domain::kNone},
      // Unset: the documented default.
      {scoring::v1::TOPSIS_NORMALISATION_UNSPECIFIED, Domain::kVector},
  };
};
template <>
struct ProtoEnumOf<scoring::TopsisNormalisation> {
  using type = scoring::v1::TopsisNormalisation;
};

template <>
struct EnumCodec<scoring::v1::ClusterAggregate> {
  using Domain = scoring::ClusterAggregate;
  static constexpr CodecRow<scoring::v1::ClusterAggregate, Domain> kRows[] = {
      {scoring::v1::CLUSTER_AGGREGATE_SUM, Domain::kSum},
      {scoring::v1::CLUSTER_AGGREGATE_MEAN, Domain::kMean},
      {scoring::v1::CLUSTER_AGGREGATE_WEIGHTED_MEAN, Domain::kWeightedMean},
      // Unset: the documented default.
      {scoring::v1::CLUSTER_AGGREGATE_UNSPECIFIED, Domain::kSum},
  };
};
template <>
struct ProtoEnumOf<scoring::ClusterAggregate> {
  using type = scoring::v1::ClusterAggregate;
};

// ---------------------------------------------------------- weighting.v1

template <>
struct EnumCodec<weighting::v1::Method> {
  using Domain = index::WeightingMethod;
  static constexpr CodecRow<weighting::v1::Method, Domain> kRows[] = {
      {weighting::v1::METHOD_FIXED, Domain::kFixed},
      {weighting::v1::METHOD_EQUAL, Domain::kEqual},
      {weighting::v1::METHOD_AHP, Domain::kAhp},
      {weighting::v1::METHOD_ENTROPY, Domain::kEntropy},
      {weighting::v1::METHOD_CRITIC, Domain::kCritic},
      {weighting::v1::METHOD_CV, Domain::kCv},
      {weighting::v1::METHOD_PCA, Domain::kPca},
      {weighting::v1::METHOD_COMBINED, Domain::kCombined},
      {weighting::v1::METHOD_UNSPECIFIED, std::nullopt},
  };
};
template <>
struct ProtoEnumOf<index::WeightingMethod> {
  using type = weighting::v1::Method;
};

template <>
struct EnumCodec<weighting::v1::RandomIndexTable> {
  using Domain = index::RandomIndexTable;
  static constexpr CodecRow<weighting::v1::RandomIndexTable, Domain> kRows[] = {
      {weighting::v1::RANDOM_INDEX_TABLE_SAATY, Domain::kSaaty},
      {weighting::v1::RANDOM_INDEX_TABLE_CN, Domain::kChineseCommon},
      // Unset: the documented default.
      {weighting::v1::RANDOM_INDEX_TABLE_UNSPECIFIED, Domain::kSaaty},
  };
};
template <>
struct ProtoEnumOf<index::RandomIndexTable> {
  using type = weighting::v1::RandomIndexTable;
};

template <>
struct EnumCodec<weighting::v1::PriorityMethod> {
  using Domain = index::AhpPriorityMethod;
  static constexpr CodecRow<weighting::v1::PriorityMethod, Domain> kRows[] = {
      {weighting::v1::PRIORITY_METHOD_EIGENVECTOR, Domain::kEigenvector},
      {weighting::v1::PRIORITY_METHOD_GEOMETRIC_MEAN, Domain::kGeometricMean},
      // Unset: the documented default.
      {weighting::v1::PRIORITY_METHOD_UNSPECIFIED, Domain::kEigenvector},
  };
};
template <>
struct ProtoEnumOf<index::AhpPriorityMethod> {
  using type = weighting::v1::PriorityMethod;
};

template <>
struct EnumCodec<weighting::v1::Combination> {
  using Domain = index::WeightCombination;
  static constexpr CodecRow<weighting::v1::Combination, Domain> kRows[] = {
      {weighting::v1::COMBINATION_LINEAR, Domain::kLinear},
      {weighting::v1::COMBINATION_MULTIPLICATIVE, Domain::kMultiplicative},
      // Unset: the documented default.
      {weighting::v1::COMBINATION_UNSPECIFIED, Domain::kLinear},
  };
};
template <>
struct ProtoEnumOf<index::WeightCombination> {
  using type = weighting::v1::Combination;
};

// ------------------------------------------------------------ network.v1

template <>
struct EnumCodec<network::v1::Convention> {
  using Domain = graph::Convention;
  static constexpr CodecRow<network::v1::Convention, Domain> kRows[] = {
      {network::v1::CONVENTION_GEPHI, Domain::kGephi},
      {network::v1::CONVENTION_NETWORKX, Domain::kNetworkx},
      {network::v1::CONVENTION_IGRAPH, Domain::kIgraph},
      // Unset: the convention of the published reports.
      {network::v1::CONVENTION_UNSPECIFIED, Domain::kGephi},
  };
};
template <>
struct ProtoEnumOf<graph::Convention> {
  using type = network::v1::Convention;
};

template <>
struct EnumCodec<network::v1::Measure> {
  using Domain = graph::Measure;
  static constexpr CodecRow<network::v1::Measure, Domain> kRows[] = {
      {network::v1::MEASURE_DEGREE, Domain::kDegree},
      {network::v1::MEASURE_IN_DEGREE, Domain::kInDegree},
      {network::v1::MEASURE_OUT_DEGREE, Domain::kOutDegree},
      {network::v1::MEASURE_STRENGTH, Domain::kStrength},
      {network::v1::MEASURE_IN_STRENGTH, Domain::kInStrength},
      {network::v1::MEASURE_OUT_STRENGTH, Domain::kOutStrength},
      {network::v1::MEASURE_BETWEENNESS, Domain::kBetweenness},
      {network::v1::MEASURE_CLOSENESS, Domain::kCloseness},
      {network::v1::MEASURE_HARMONIC, Domain::kHarmonic},
      {network::v1::MEASURE_PAGERANK, Domain::kPagerank},
      {network::v1::MEASURE_EIGENVECTOR, Domain::kEigenvector},
      {network::v1::MEASURE_KCORE, Domain::kKcore},
      {network::v1::MEASURE_COMMUNITY, Domain::kCommunity},
      {network::v1::MEASURE_CLUSTERING, Domain::kClustering},
      {network::v1::MEASURE_UNSPECIFIED, std::nullopt},
  };
};
template <>
struct ProtoEnumOf<graph::Measure> {
  using type = network::v1::Measure;
};

template <>
struct EnumCodec<network::v1::DegreeMode> {
  using Domain = graph::DegreeMode;
  static constexpr CodecRow<network::v1::DegreeMode, Domain> kRows[] = {
      {network::v1::DEGREE_MODE_TOTAL, Domain::kTotal},
      {network::v1::DEGREE_MODE_IN, Domain::kIn},
      {network::v1::DEGREE_MODE_OUT, Domain::kOut},
      // Unset: the documented default.
      {network::v1::DEGREE_MODE_UNSPECIFIED, Domain::kTotal},
  };
};
template <>
struct ProtoEnumOf<graph::DegreeMode> {
  using type = network::v1::DegreeMode;
};

template <>
struct EnumCodec<network::v1::MultiEdgePolicy> {
  using Domain = graph::MultiEdgePolicy;
  static constexpr CodecRow<network::v1::MultiEdgePolicy, Domain> kRows[] = {
      {network::v1::MULTI_EDGE_POLICY_MERGE, Domain::kMergeSum},
      {network::v1::MULTI_EDGE_POLICY_KEEP, Domain::kKeep},
      {network::v1::MULTI_EDGE_POLICY_KEEP_FIRST, Domain::kMergeKeepFirst},
      // Unset: the documented default.
      {network::v1::MULTI_EDGE_POLICY_UNSPECIFIED, Domain::kMergeSum},
  };
};
template <>
struct ProtoEnumOf<graph::MultiEdgePolicy> {
  using type = network::v1::MultiEdgePolicy;
};

template <>
struct EnumCodec<network::v1::SelfLoopPolicy> {
  using Domain = graph::SelfLoopPolicy;
  static constexpr CodecRow<network::v1::SelfLoopPolicy, Domain> kRows[] = {
      {network::v1::SELF_LOOP_POLICY_KEEP, Domain::kKeep},
      {network::v1::SELF_LOOP_POLICY_DROP, Domain::kDrop},
      // Unset: the documented default.
      {network::v1::SELF_LOOP_POLICY_UNSPECIFIED, Domain::kKeep},
  };
};
template <>
struct ProtoEnumOf<graph::SelfLoopPolicy> {
  using type = network::v1::SelfLoopPolicy;
};

// ------------------------------------------------------------- lookups

namespace internal {

// "<field>: unknown value 42; use one of A, B" / "<field>: required (A_UNSPECIFIED); use
// one of A, B": the accepted names are those of the rows with a domain value.
absl::Status UnknownValue(const google::protobuf::EnumDescriptor* descriptor, int number,
                          absl::string_view field, const std::vector<int>& accepted);
absl::Status NotAllowed(const google::protobuf::EnumDescriptor* descriptor, int number,
                        absl::string_view field, const std::vector<int>& accepted);

template <typename P>
std::vector<int> Accepted() {
  std::vector<int> out;
  for (const auto& row : EnumCodec<P>::kRows) {
    if (row.domain) out.push_back(static_cast<int>(row.proto));
  }
  return out;
}

// Every domain value is some row's, so ToProto is total.
template <typename P>
constexpr bool CoversDomain() {
  using D = typename EnumCodec<P>::Domain;
  for (D value : EnumValues<D>()) {
    bool found = false;
    for (const auto& row : EnumCodec<P>::kRows) found = found || row.domain == value;
    if (!found) return false;
  }
  return true;
}

}  // namespace internal

// The domain value of a proto enum field's number as read from the wire (a
// repeated enum field holds ints). INVALID_ARGUMENT naming `field` for a
// number the proto does not define (a newer client), a value requests may not
// carry, or a proto value this build has no row for.
template <typename P>
absl::StatusOr<typename EnumCodec<P>::Domain> FromProtoNumber(int number, absl::string_view field) {
  for (const auto& row : EnumCodec<P>::kRows) {
    if (static_cast<int>(row.proto) != number) continue;
    if (row.domain) return *row.domain;
    return internal::NotAllowed(google::protobuf::GetEnumDescriptor<P>(), number, field,
                                internal::Accepted<P>());
  }
  return internal::UnknownValue(google::protobuf::GetEnumDescriptor<P>(), number, field,
                                internal::Accepted<P>());
}

template <typename P>
absl::StatusOr<typename EnumCodec<P>::Domain> FromProto(P value, absl::string_view field) {
  return FromProtoNumber<P>(static_cast<int>(value), field);
}

// The proto value of a domain value.
template <typename D>
typename ProtoEnumOf<D>::type ToProto(D value) {
  using P = typename ProtoEnumOf<D>::type;
  static_assert(std::is_same_v<typename EnumCodec<P>::Domain, D>,
                "ProtoEnumOf<D> names a proto enum whose codec decodes to another type");
  static_assert(internal::CoversDomain<P>(),
                "a domain value has no row in its codec (libs/codecs/enum_codecs.h)");
  for (const auto& row : EnumCodec<P>::kRows) {
    if (row.domain == value) return row.proto;
  }
  std::abort();  // unreachable: CoversDomain, unless `value` is no enumerator
}

// ------------------------------------------------- proto-only enums

// OK when the descriptor defines `number`, else INVALID_ARGUMENT
// "<field>: unknown value 42; use one of ...".
absl::Status CheckProtoEnum(const google::protobuf::EnumDescriptor* descriptor, int number,
                            absl::string_view field);
template <typename P>
absl::Status CheckProtoEnum(P value, absl::string_view field) {
  return CheckProtoEnum(google::protobuf::GetEnumDescriptor<P>(), static_cast<int>(value), field);
}

// The value's name without the enum's prefix, lower case: "province" for
// REGION_KIND_PROVINCE; "" for a number the descriptor does not define.
std::string ProtoEnumName(const google::protobuf::EnumDescriptor* descriptor, int number);
template <typename P>
std::string ProtoEnumName(P value) {
  return ProtoEnumName(google::protobuf::GetEnumDescriptor<P>(), static_cast<int>(value));
}

// The inverse of ProtoEnumName (case-insensitive). The UNSPECIFIED value is
// no choice: INVALID_ARGUMENT "'x' is not a region kind; use one of a, b, c".
absl::StatusOr<int> ProtoEnumFromName(const google::protobuf::EnumDescriptor* descriptor,
                                      absl::string_view name);
template <typename P>
absl::StatusOr<P> ProtoEnumFromName(absl::string_view name) {
  absl::StatusOr<int> number = ProtoEnumFromName(google::protobuf::GetEnumDescriptor<P>(), name);
  if (!number.ok()) return number.status();
  return static_cast<P>(*number);
}

// "country, province, city, cluster, custom": ProtoEnumFromName's choices.
std::string ProtoEnumNameList(const google::protobuf::EnumDescriptor* descriptor);
template <typename P>
std::string ProtoEnumNameList() {
  return ProtoEnumNameList(google::protobuf::GetEnumDescriptor<P>());
}

// ------------------------------------------- ids derived from requests

// Clears every singular enum field of `message`, at any depth, that holds the
// explicit value of its enum's documented default (NORMALISATION_METHOD_MIN_MAX,
// MULTI_EDGE_POLICY_MERGE, ...; docs/api.md "Enums: zero is not set"), so a
// request naming a default and one leaving it unset hash alike. The services
// apply it to the copies they derive ids from (run, series, weight set and
// analysis ids), which thus equal those of the releases where each default
// was its enum's zero value. Fields of a oneof and repeated enums are kept.
void ClearDefaultEnums(google::protobuf::Message& message);

}  // namespace innoscope::codecs
