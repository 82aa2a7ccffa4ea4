#include "libs/codecs/enum_codecs.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"

namespace innoscope::codecs {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;

std::string Names(const EnumDescriptor* descriptor, const std::vector<int>& numbers) {
  std::vector<std::string> names;
  for (int number : numbers) {
    const EnumValueDescriptor* value = descriptor->FindValueByNumber(number);
    names.push_back(value != nullptr ? value->name() : absl::StrCat(number));
  }
  return absl::StrJoin(names, ", ");
}

// "REGION_KIND_" for RegionKind: protobuf's style prefixes every value with
// the enum's name in upper snake case.
std::string PrefixOf(const EnumDescriptor* descriptor) {
  std::string prefix;
  for (char c : descriptor->name()) {
    if (absl::ascii_isupper(c) && !prefix.empty()) prefix.push_back('_');
    prefix.push_back(absl::ascii_toupper(c));
  }
  prefix.push_back('_');
  return prefix;
}

// "region kind" for RegionKind.
std::string WordsOf(const EnumDescriptor* descriptor) {
  std::string words;
  for (char c : descriptor->name()) {
    if (absl::ascii_isupper(c) && !words.empty()) words.push_back(' ');
    words.push_back(absl::ascii_tolower(c));
  }
  return words;
}

bool IsUnspecified(const EnumValueDescriptor* value) {
  return value->number() == 0 && absl::EndsWith(value->name(), "_UNSPECIFIED");
}

}  // namespace

namespace internal {

absl::Status UnknownValue(const EnumDescriptor* descriptor, int number, absl::string_view field,
                          const std::vector<int>& accepted) {
  if (descriptor->FindValueByNumber(number) != nullptr) {
    // Defined by the proto but not by the codec: tests/unit/codecs fails for it.
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", descriptor->FindValueByNumber(number)->name(),
                     " is not supported by this server; use one of ", Names(descriptor, accepted)));
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": unknown value ", number, "; use one of ",
                                                 Names(descriptor, accepted)));
}

absl::Status NotAllowed(const EnumDescriptor* descriptor, int number, absl::string_view field,
                        const std::vector<int>& accepted) {
  const EnumValueDescriptor* value = descriptor->FindValueByNumber(number);
  if (value != nullptr && IsUnspecified(value)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required (", value->name(),
                                                   "); use one of ", Names(descriptor, accepted)));
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", Names(descriptor, {number}),
                                                 " is not allowed here; use one of ",
                                                 Names(descriptor, accepted)));
}

}  // namespace internal

absl::Status CheckProtoEnum(const EnumDescriptor* descriptor, int number, absl::string_view field) {
  if (descriptor->FindValueByNumber(number) != nullptr) return absl::OkStatus();
  std::vector<int> all;
  for (int i = 0; i < descriptor->value_count(); ++i) all.push_back(descriptor->value(i)->number());
  return internal::UnknownValue(descriptor, number, field, all);
}

std::string ProtoEnumName(const EnumDescriptor* descriptor, int number) {
  const EnumValueDescriptor* value = descriptor->FindValueByNumber(number);
  if (value == nullptr) return "";
  const std::string prefix = PrefixOf(descriptor);
  std::string name = value->name();
  if (absl::StartsWith(name, prefix)) name = name.substr(prefix.size());
  return absl::AsciiStrToLower(name);
}

absl::StatusOr<int> ProtoEnumFromName(const EnumDescriptor* descriptor, absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(name);
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const EnumValueDescriptor* value = descriptor->value(i);
    if (!IsUnspecified(value) && ProtoEnumName(descriptor, value->number()) == lower) {
      return value->number();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("'", name, "' is not a ", WordsOf(descriptor),
                                                 "; use one of ", ProtoEnumNameList(descriptor)));
}

std::string ProtoEnumNameList(const EnumDescriptor* descriptor) {
  std::vector<std::string> names;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const EnumValueDescriptor* value = descriptor->value(i);
    if (!IsUnspecified(value)) names.push_back(ProtoEnumName(descriptor, value->number()));
  }
  return absl::StrJoin(names, ", ");
}

namespace {

// The value each *_UNSPECIFIED stands for (the comments of the protos).
constexpr absl::string_view kDocumentedDefaults[] = {
    "innoscope.ingest.v1.WEIGHT_CONVENTION_RELATIVE",
    "innoscope.scoring.v1.IMPUTATION_METHOD_NONE",
    "innoscope.scoring.v1.NORMALISATION_METHOD_MIN_MAX",
    "innoscope.scoring.v1.AGGREGATION_METHOD_ARITHMETIC",
    "innoscope.scoring.v1.ZERO_POLICY_FAIL",
    "innoscope.scoring.v1.MISSING_CHILDREN_RENORMALISE",
    "innoscope.scoring.v1.TOPSIS_NORMALISATION_VECTOR",
    "innoscope.scoring.v1.CLUSTER_AGGREGATE_SUM",
    "innoscope.weighting.v1.RANDOM_INDEX_TABLE_SAATY",
    "innoscope.weighting.v1.PRIORITY_METHOD_EIGENVECTOR",
    "innoscope.weighting.v1.GROUP_AGGREGATION_AIJ",
    "innoscope.weighting.v1.OBJECTIVE_SCOPE_ALL_LEAVES",
    "innoscope.weighting.v1.MISSING_VALUES_FAIL",
    "innoscope.weighting.v1.COMBINATION_LINEAR",
    "innoscope.network.v1.FLAG_FILTER_ANY",
    "innoscope.network.v1.ENDPOINT_RULE_BOTH",
    "innoscope.network.v1.GRAPH_VIEW_DIRECTED",
    "innoscope.network.v1.EDGE_WEIGHT_NONE",
    "innoscope.network.v1.MULTI_EDGE_POLICY_MERGE",
    "innoscope.network.v1.SELF_LOOP_POLICY_KEEP",
    "innoscope.network.v1.REGION_LEVEL_PROVINCE",
    "innoscope.network.v1.DEGREE_MODE_TOTAL",
    "innoscope.network.v1.PERIOD_MODE_CUMULATIVE",
    "innoscope.network.v1.RELATION_DIRECTION_OUTGOING",
    "innoscope.network.v1.AGGREGATE_COUNT",
};

bool IsDocumentedDefault(const EnumValueDescriptor* value) {
  for (absl::string_view name : kDocumentedDefaults) {
    if (value->full_name() == name) return true;
  }
  return false;
}

}  // namespace

void ClearDefaultEnums(google::protobuf::Message& message) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() == FieldDescriptor::TYPE_ENUM) {
      if (!field->is_repeated() && field->real_containing_oneof() == nullptr &&
          IsDocumentedDefault(reflection->GetEnum(message, field))) {
        reflection->ClearField(&message, field);
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          ClearDefaultEnums(*reflection->MutableRepeatedMessage(&message, field, i));
        }
      } else {
        ClearDefaultEnums(*reflection->MutableMessage(&message, field));
      }
    }
  }
}

}  // namespace innoscope::codecs
