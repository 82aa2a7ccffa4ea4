// Every proto enum value round-trips through its codec (libs/codecs) and
// every domain value through its name table (libs/common/enum_names.h). The
// proto values are read from the descriptors, so a value added to a .proto
// without a codec row, or an enum added without a codec or a place in the
// proto-only list below, fails here.

#include "libs/codecs/enum_codecs.h"

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "libs/common/status_matchers.h"

namespace innoscope::codecs {
namespace {

using ::innoscope::testing::StatusIs;
using ::testing::HasSubstr;

namespace iv1 = ::innoscope::ingest::v1;
namespace nv1 = ::innoscope::network::v1;
namespace sv1 = ::innoscope::scoring::v1;
namespace wv1 = ::innoscope::weighting::v1;

// The proto enums with a domain counterpart: one codec each.
using Codecs = std::tuple<sv1::NormalisationMethod, sv1::ImputationMethod, sv1::AggregationMethod,
                          sv1::ZeroPolicy, sv1::MissingChildren, sv1::TopsisNormalisation,
                          sv1::ClusterAggregate, wv1::Method, wv1::RandomIndexTable,
                          wv1::PriorityMethod, wv1::Combination, nv1::Convention, nv1::Measure,
                          nv1::DegreeMode, nv1::MultiEdgePolicy, nv1::SelfLoopPolicy>;

// The proto enums without one: the services read them directly, check them
// with CheckProtoEnum and name them with ProtoEnumName.
using ProtoOnly =
    std::tuple<iv1::RegionKind, iv1::WeightConvention, iv1::ActorKind, iv1::Layer, nv1::FlagFilter,
               nv1::EndpointRule, nv1::GraphView, nv1::EdgeWeight, nv1::RunKind, nv1::NodeRole,
               nv1::RegionLevel, nv1::PeriodMode, nv1::RelationDirection, nv1::Aggregate,
               wv1::GroupAggregation, wv1::ObjectiveScope, wv1::MissingValues>;

template <typename Tuple, typename F, size_t... I>
void ForEachTypeImpl(F&& f, std::index_sequence<I...>) {
  (f(static_cast<std::tuple_element_t<I, Tuple>*>(nullptr)), ...);
}
// Calls f(static_cast<T*>(nullptr)) for every type T of the tuple.
template <typename Tuple, typename F>
void ForEachType(F&& f) {
  ForEachTypeImpl<Tuple>(std::forward<F>(f), std::make_index_sequence<std::tuple_size_v<Tuple>>());
}

template <typename P>
const google::protobuf::EnumDescriptor* Descriptor() {
  return google::protobuf::GetEnumDescriptor<P>();
}

// A number no value of the enum has.
int UndefinedNumber(const google::protobuf::EnumDescriptor* d) {
  int number = 1000;
  while (d->FindValueByNumber(number) != nullptr) ++number;
  return number;
}

template <typename P>
void ExpectCodecRoundTrips() {
  using D = typename EnumCodec<P>::Domain;
  const google::protobuf::EnumDescriptor* d = Descriptor<P>();
  SCOPED_TRACE(d->full_name());
  for (int i = 0; i < d->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = d->value(i);
    SCOPED_TRACE(value->name());
    int rows = 0;
    std::optional<D> expected;
    for (const auto& row : EnumCodec<P>::kRows) {
      if (static_cast<int>(row.proto) != value->number()) continue;
      ++rows;
      expected = row.domain;
    }
    ASSERT_EQ(rows, 1) << "give " << value->name()
                       << " exactly one row in libs/codecs/enum_codecs.h";
    absl::StatusOr<D> decoded = FromProto(static_cast<P>(value->number()), "the.field");
    if (!expected) {
      // A value requests may not carry: rejected naming the field.
      EXPECT_THAT(decoded, StatusIs(absl::StatusCode::kInvalidArgument,
                                    HasSubstr(absl::StrCat("the.field: "))));
      continue;
    }
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, *expected);
    // Back to a proto value that decodes to the same domain value (the
    // canonical one where several proto values share it).
    absl::StatusOr<D> again = FromProto(ToProto(*decoded), "the.field");
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, *decoded);
    // And the domain value has a name that parses back to it.
    const absl::string_view name = EnumToName(*decoded);
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(EnumFromName<D>(name), *decoded);
  }
  // Every domain value encodes to a proto value that decodes back, and its
  // name round-trips.
  for (D value : EnumValues<D>()) {
    SCOPED_TRACE(std::string(EnumToName(value)));
    const P proto = ToProto(value);
    EXPECT_NE(d->FindValueByNumber(static_cast<int>(proto)), nullptr);
    absl::StatusOr<D> decoded = FromProto(proto, "the.field");
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, value);
    ASSERT_OK_AND_ASSIGN(D parsed, ParseEnum<D>(EnumToName(value)));
    EXPECT_EQ(parsed, value);
  }
  // A number from a newer client: INVALID_ARGUMENT naming the field.
  const int undefined = UndefinedNumber(d);
  EXPECT_THAT(FromProtoNumber<P>(undefined, "spec.x.method"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("spec.x.method: unknown value ", undefined))));
}

TEST(EnumCodecsTest, EveryProtoValueRoundTripsThroughItsDomainValue) {
  ForEachType<Codecs>([](auto* tag) {
    using P = std::remove_pointer_t<decltype(tag)>;
    ExpectCodecRoundTrips<P>();
  });
}

TEST(EnumCodecsTest, EveryProtoEnumHasACodecOrIsListedAsProtoOnly) {
  std::set<std::string> classified;
  ForEachType<Codecs>([&](auto* tag) {
    using P = std::remove_pointer_t<decltype(tag)>;
    EXPECT_TRUE(classified.insert(Descriptor<P>()->full_name()).second);
  });
  ForEachType<ProtoOnly>([&](auto* tag) {
    using P = std::remove_pointer_t<decltype(tag)>;
    EXPECT_TRUE(classified.insert(Descriptor<P>()->full_name()).second)
        << Descriptor<P>()->full_name() << " is listed twice";
  });
  // Every enum of the API's files, top level and nested.
  std::set<std::string> defined;
  std::function<void(const google::protobuf::Descriptor*)> nested =
      [&](const google::protobuf::Descriptor* m) {
        for (int i = 0; i < m->enum_type_count(); ++i) defined.insert(m->enum_type(i)->full_name());
        for (int i = 0; i < m->nested_type_count(); ++i) nested(m->nested_type(i));
      };
  for (const google::protobuf::FileDescriptor* file :
       {iv1::Region::descriptor()->file(), nv1::GraphSelection::descriptor()->file(),
        sv1::RunSpec::descriptor()->file(), wv1::WeightSet::descriptor()->file()}) {
    for (int i = 0; i < file->enum_type_count(); ++i) {
      defined.insert(file->enum_type(i)->full_name());
    }
    for (int i = 0; i < file->message_type_count(); ++i) nested(file->message_type(i));
  }
  for (const std::string& name : defined) {
    EXPECT_EQ(classified.count(name), 1u)
        << name << " has neither a codec (libs/codecs/enum_codecs.h, and the Codecs list here) "
        << "nor a place in the ProtoOnly list here";
  }
  EXPECT_EQ(classified.size(), defined.size());
}

template <typename P>
void ExpectProtoNamesRoundTrip() {
  const google::protobuf::EnumDescriptor* d = Descriptor<P>();
  SCOPED_TRACE(d->full_name());
  for (int i = 0; i < d->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* value = d->value(i);
    SCOPED_TRACE(value->name());
    const P p = static_cast<P>(value->number());
    EXPECT_OK(CheckProtoEnum(p, "f"));
    const std::string name = ProtoEnumName(p);
    // The prefix is gone and the rest is lower case: REGION_KIND_PROVINCE -> province.
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(absl::AsciiStrToUpper(name),
              value->name().substr(value->name().size() - name.size()));
    EXPECT_LT(name.size(), value->name().size());
    if (value->number() == 0 && absl::EndsWith(value->name(), "_UNSPECIFIED")) {
      EXPECT_FALSE(ProtoEnumFromName<P>(name).ok());  // "unspecified" is no choice
    } else {
      ASSERT_OK_AND_ASSIGN(P parsed, ProtoEnumFromName<P>(absl::AsciiStrToUpper(name)));
      EXPECT_EQ(parsed, p);
    }
  }
  const int undefined = UndefinedNumber(d);
  EXPECT_THAT(CheckProtoEnum(static_cast<P>(undefined), "rules[2].aggregate"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr(absl::StrCat("rules[2].aggregate: unknown value ", undefined))));
  EXPECT_EQ(ProtoEnumName(static_cast<P>(undefined)), "");
}

TEST(ProtoOnlyEnumsTest, NamesRoundTripAndUnknownNumbersAreRejected) {
  ForEachType<ProtoOnly>([](auto* tag) {
    using P = std::remove_pointer_t<decltype(tag)>;
    ExpectProtoNamesRoundTrip<P>();
  });
}

TEST(ProtoOnlyEnumsTest, NamesAreTheStoredAndTypedWords) {
  // The words ingest stores and the CLI and recompute configuration accept.
  EXPECT_EQ(ProtoEnumName(iv1::REGION_KIND_PROVINCE), "province");
  EXPECT_EQ(ProtoEnumName(iv1::ACTOR_KIND_RESEARCH_INSTITUTE), "research_institute");
  EXPECT_EQ(ProtoEnumName(iv1::WEIGHT_CONVENTION_GLOBAL), "global");
  EXPECT_EQ(ProtoEnumName(wv1::MISSING_VALUES_DROP_REGION), "drop_region");
  EXPECT_EQ(ProtoEnumNameList<iv1::RegionKind>(), "country, province, city, cluster, custom");
  EXPECT_THAT(ProtoEnumFromName<iv1::RegionKind>("planet"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("'planet' is not a region kind; use one of country, province")));
}

TEST(EnumCodecsTest, RejectedValuesSayTheFieldIsRequired) {
  EXPECT_THAT(FromProto(wv1::METHOD_UNSPECIFIED, "method"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("method: required (METHOD_UNSPECIFIED); use one of "
                                 "METHOD_FIXED, METHOD_EQUAL, METHOD_AHP")));
  EXPECT_THAT(FromProtoNumber<nv1::Measure>(0, "measures[1]"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("measures[1]: required")));
}

TEST(EnumCodecsTest, UnsetConventionIsGephiAndEncodesAsGephi) {
  // network.proto: CONVENTION_UNSPECIFIED = gephi, the published reports'.
  ASSERT_OK_AND_ASSIGN(graph::Convention c, FromProto(nv1::CONVENTION_UNSPECIFIED, "convention"));
  EXPECT_EQ(c, graph::Convention::kGephi);
  EXPECT_EQ(ToProto(graph::Convention::kGephi), nv1::CONVENTION_GEPHI);
}

TEST(EnumCodecsTest, MapsTheValuesTheProtoDocumentsForThem) {
  // Spot checks against the .proto comments, independent of the tables'
  // order: the round trip above would not notice two swapped rows.
  EXPECT_EQ(ToProto(index::NormaliseMethod::kZScore), sv1::NORMALISATION_METHOD_Z_SCORE);
  EXPECT_EQ(ToProto(index::NormaliseMethod::kDistanceToBest),
            sv1::NORMALISATION_METHOD_DISTANCE_TO_BEST);
  EXPECT_EQ(ToProto(index::ImputeMethod::kColumnMedian), sv1::IMPUTATION_METHOD_COLUMN_MEDIAN);
  EXPECT_EQ(ToProto(scoring::AggregationMethod::kGeneralised), sv1::AGGREGATION_METHOD_GENERALISED);
  EXPECT_EQ(ToProto(scoring::NonPositivePolicy::kSkip), sv1::ZERO_POLICY_SKIP);
  EXPECT_EQ(ToProto(scoring::ClusterAggregate::kWeightedMean),
            sv1::CLUSTER_AGGREGATE_WEIGHTED_MEAN);
  EXPECT_EQ(ToProto(index::WeightingMethod::kCv), wv1::METHOD_CV);
  EXPECT_EQ(ToProto(index::RandomIndexTable::kChineseCommon), wv1::RANDOM_INDEX_TABLE_CN);
  EXPECT_EQ(ToProto(index::AhpPriorityMethod::kGeometricMean), wv1::PRIORITY_METHOD_GEOMETRIC_MEAN);
  EXPECT_EQ(ToProto(graph::Measure::kHarmonic), nv1::MEASURE_HARMONIC);
  EXPECT_EQ(ToProto(graph::Measure::kClustering), nv1::MEASURE_CLUSTERING);
  EXPECT_EQ(ToProto(graph::DegreeMode::kTotal), nv1::DEGREE_MODE_TOTAL);
  EXPECT_EQ(ToProto(graph::MultiEdgePolicy::kMergeKeepFirst), nv1::MULTI_EDGE_POLICY_KEEP_FIRST);
  EXPECT_EQ(ToProto(graph::MultiEdgePolicy::kMergeSum), nv1::MULTI_EDGE_POLICY_MERGE);
}

TEST(EnumNamesTest, NamesAreTheCommandLineWords) {
  // docs/cli.md's words, which N.csv files and scripts use.
  EXPECT_EQ(EnumToName(index::NormaliseMethod::kMinMax), "minmax");
  EXPECT_EQ(EnumToName(index::NormaliseMethod::kPercentileRank), "percentile");
  EXPECT_EQ(EnumToName(index::ImputeMethod::kColumnMean), "mean");
  EXPECT_EQ(EnumToName(graph::Measure::kInDegree), "in_degree");
  EXPECT_EQ(EnumToName(graph::Convention::kNetworkx), "networkx");
  EXPECT_EQ(EnumFromName<scoring::MissingPolicy>("renormalize"),
            scoring::MissingPolicy::kRenormalise);
  EXPECT_EQ(EnumNameList<scoring::NonPositivePolicy>(), "fail, shift, skip");
  EXPECT_THAT(ParseEnum<graph::Measure>("pagerang"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown measure 'pagerang'; use one of degree, in_degree")));
  ASSERT_OK_AND_ASSIGN(index::NormaliseMethod m,
                       ParseEnumIgnoringCase<index::NormaliseMethod>(" ZScore "));
  EXPECT_EQ(m, index::NormaliseMethod::kZScore);
}

// A request naming a default and one leaving it unset hash alike; other
// values, repeated enums and oneof members stay.
TEST(ClearDefaultEnumsTest, ExplicitDefaultsBecomeUnsetAndNothingElseChanges) {
  sv1::RunSpec named;
  named.mutable_pipeline()->mutable_normalisation()->set_method(sv1::NORMALISATION_METHOD_MIN_MAX);
  (*named.mutable_pipeline()->mutable_normalisation_by_indicator())["x"].set_method(
      sv1::NORMALISATION_METHOD_MIN_MAX);
  named.mutable_aggregation()->mutable_method()->set_method(sv1::AGGREGATION_METHOD_ARITHMETIC);
  named.mutable_aggregation()->set_zero_policy(sv1::ZERO_POLICY_SHIFT);
  named.mutable_weights()->mutable_compute()->mutable_data()->set_missing(wv1::MISSING_VALUES_FAIL);
  named.mutable_universe()->set_kind(iv1::REGION_KIND_PROVINCE);
  ClearDefaultEnums(named);
  EXPECT_EQ(named.pipeline().normalisation().method(), sv1::NORMALISATION_METHOD_UNSPECIFIED);
  EXPECT_EQ(named.pipeline().normalisation_by_indicator().at("x").method(),
            sv1::NORMALISATION_METHOD_UNSPECIFIED);
  EXPECT_EQ(named.aggregation().method().method(), sv1::AGGREGATION_METHOD_UNSPECIFIED);
  EXPECT_EQ(named.aggregation().zero_policy(), sv1::ZERO_POLICY_SHIFT);  // not the default
  EXPECT_EQ(named.weights().compute().data().missing(), wv1::MISSING_VALUES_UNSPECIFIED);
  EXPECT_EQ(named.universe().kind(), iv1::REGION_KIND_PROVINCE);  // oneof member

  sv1::RunSpec unset;
  unset.mutable_pipeline()->mutable_normalisation();
  (*unset.mutable_pipeline()->mutable_normalisation_by_indicator())["x"];
  unset.mutable_aggregation()->mutable_method();
  unset.mutable_aggregation()->set_zero_policy(sv1::ZERO_POLICY_SHIFT);
  unset.mutable_weights()->mutable_compute()->mutable_data();
  unset.mutable_universe()->set_kind(iv1::REGION_KIND_PROVINCE);
  EXPECT_EQ(named.SerializeAsString(), unset.SerializeAsString());

  sv1::Assumptions assumptions;
  assumptions.add_normalisations(sv1::NORMALISATION_METHOD_MIN_MAX);
  ClearDefaultEnums(assumptions);
  EXPECT_EQ(assumptions.normalisations(0), sv1::NORMALISATION_METHOD_MIN_MAX);
}

// For every codec enum with a default (its UNSPECIFIED decodes to a domain
// value), the explicit proto value of that default is one ClearDefaultEnums
// clears: set in a singular field of that enum type (any message of the API
// files that has one), it is gone afterwards, and the first other value stays.
// So the defaults of the codecs and of the id canonicalisation agree.
TEST(ClearDefaultEnumsTest, DefaultsAgreeWithTheCodecs) {
  int checked = 0;
  ForEachType<Codecs>([&](auto* tag) {
    using P = std::remove_pointer_t<decltype(tag)>;
    // CONVENTION_UNSPECIFIED was its own value before the v1 freeze (gephi
    // named or not made different run ids), and stays so.
    if (std::is_same_v<P, nv1::Convention>) return;
    const auto unset = FromProtoNumber<P>(0, "f");
    if (!unset.ok()) return;  // a required enum has no default
    const int explicit_default = static_cast<int>(ToProto(*unset));
    SCOPED_TRACE(Descriptor<P>()->FindValueByNumber(explicit_default)->full_name());
    const google::protobuf::FieldDescriptor* field = nullptr;
    const google::protobuf::Descriptor* owner = nullptr;
    std::function<void(const google::protobuf::Descriptor*)> find =
        [&](const google::protobuf::Descriptor* m) {
          for (int i = 0; i < m->field_count() && field == nullptr; ++i) {
            const auto* f = m->field(i);
            if (f->enum_type() == Descriptor<P>() && !f->is_repeated() &&
                f->real_containing_oneof() == nullptr) {
              field = f;
              owner = m;
            }
          }
          for (int i = 0; i < m->nested_type_count() && field == nullptr; ++i) {
            find(m->nested_type(i));
          }
        };
    const google::protobuf::FileDescriptor* file = Descriptor<P>()->file();
    for (int i = 0; i < file->message_type_count() && field == nullptr; ++i) {
      find(file->message_type(i));
    }
    ASSERT_NE(field, nullptr);
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(owner)->New());
    message->GetReflection()->SetEnumValue(message.get(), field, explicit_default);
    ClearDefaultEnums(*message);
    EXPECT_FALSE(message->GetReflection()->HasField(*message, field));
    for (int i = 0; i < Descriptor<P>()->value_count(); ++i) {
      const int other = Descriptor<P>()->value(i)->number();
      if (other == 0 || other == explicit_default) continue;
      message->GetReflection()->SetEnumValue(message.get(), field, other);
      ClearDefaultEnums(*message);
      EXPECT_EQ(message->GetReflection()->GetEnumValue(*message, field), other);
      break;
    }
    ++checked;
  });
  EXPECT_EQ(checked, 13);  // the 16 codec enums less Method, Measure and Convention
}

}  // namespace
}  // namespace innoscope::codecs
