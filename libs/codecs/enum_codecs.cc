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

}  // namespace innoscope::codecs
