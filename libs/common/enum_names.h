#pragma once

// The names of a domain enum: one constexpr table per enum, next to the enum
// in libs/, and the lookups every parser and printer uses (CLI flags, CSV and
// YAML files, logs, error messages). Pure: no protobuf (the proto <-> domain
// codecs are libs/codecs/enum_codecs.h).
//
// A table is a specialisation of EnumNames, with one row per enumerator in
// declaration order (enumerators 0, 1, 2, ...) and optional aliases accepted
// when parsing:
//
//   namespace innoscope {
//   template <>
//   struct EnumNames<index::NormaliseMethod> {
//     static constexpr absl::string_view kWhat = "normalisation";
//     static constexpr EnumName<index::NormaliseMethod> kRows[] = {
//         {index::NormaliseMethod::kMinMax, "minmax"}, ...};
//     static constexpr EnumName<index::NormaliseMethod> kAliases[] = {...};  // optional
//   };
//   }  // namespace innoscope
//
//   absl::string_view name = EnumToName(spec.method);                  // "minmax"
//   ASSIGN_OR_RETURN(index::NormaliseMethod m, ParseEnum<index::NormaliseMethod>(text));
//   // Flags and file cells: ParseEnumIgnoringCase (" MinMax " is minmax).
//   std::string choices = EnumNameList<index::NormaliseMethod>();     // "minmax, goalposts, ..."
//   for (index::NormaliseMethod m : EnumValues<index::NormaliseMethod>()) ...
//
// The first lookup of an enum checks its table at compile time: rows in
// declaration order, names (and aliases) non-empty and distinct, aliases of
// listed values. A row missing at the end of the table is not visible here;
// the codec tests (tests/unit/codecs) find it for every enum with a proto
// counterpart, and the algorithm's switch (no default) finds the enumerator.

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace innoscope {

template <typename E>
struct EnumName {
  E value;
  absl::string_view name;
};

// Specialised next to each enum (see above).
template <typename E>
struct EnumNames;

namespace enum_names_internal {

template <typename E, typename = void>
struct HasAliases : std::false_type {};
template <typename E>
struct HasAliases<E, std::void_t<decltype(EnumNames<E>::kAliases)>> : std::true_type {};

template <typename E>
constexpr size_t RowCount() {
  return std::size(EnumNames<E>::kRows);
}

template <typename E>
constexpr size_t AliasCount() {
  if constexpr (HasAliases<E>::value) {
    return std::size(EnumNames<E>::kAliases);
  } else {
    return 0;
  }
}

// Row i for i < RowCount, else alias i - RowCount.
template <typename E>
constexpr const EnumName<E>& Entry(size_t i) {
  if constexpr (HasAliases<E>::value) {
    if (i >= RowCount<E>()) return EnumNames<E>::kAliases[i - RowCount<E>()];
  }
  return EnumNames<E>::kRows[i];
}

template <typename E>
constexpr bool TableIsValid() {
  constexpr size_t rows = RowCount<E>();
  constexpr size_t entries = rows + AliasCount<E>();
  for (size_t i = 0; i < rows; ++i) {
    if (static_cast<size_t>(EnumNames<E>::kRows[i].value) != i) return false;
  }
  for (size_t i = 0; i < entries; ++i) {
    const EnumName<E>& e = Entry<E>(i);
    if (e.name.empty()) return false;
    if (static_cast<size_t>(e.value) >= rows) return false;  // an alias of no row
    for (size_t j = 0; j < i; ++j) {
      if (Entry<E>(j).name == e.name) return false;
    }
  }
  return true;
}

}  // namespace enum_names_internal

// Every enumerator, in declaration order.
template <typename E>
constexpr std::array<E, enum_names_internal::RowCount<E>()> EnumValues() {
  static_assert(enum_names_internal::TableIsValid<E>(),
                "EnumNames<E>: one row per enumerator in declaration order, names and "
                "aliases non-empty and distinct");
  std::array<E, enum_names_internal::RowCount<E>()> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = EnumNames<E>::kRows[i].value;
  return out;
}

// The name of an enumerator ("" only for a value that is no enumerator).
template <typename E>
constexpr absl::string_view EnumToName(E value) {
  static_assert(enum_names_internal::TableIsValid<E>(),
                "EnumNames<E>: one row per enumerator in declaration order, names and "
                "aliases non-empty and distinct");
  const auto i = static_cast<size_t>(value);
  return i < enum_names_internal::RowCount<E>() ? EnumNames<E>::kRows[i].name : absl::string_view();
}

// The enumerator named `name` or one of its aliases; exact match.
template <typename E>
constexpr std::optional<E> EnumFromName(absl::string_view name) {
  static_assert(enum_names_internal::TableIsValid<E>(),
                "EnumNames<E>: one row per enumerator in declaration order, names and "
                "aliases non-empty and distinct");
  constexpr size_t entries =
      enum_names_internal::RowCount<E>() + enum_names_internal::AliasCount<E>();
  for (size_t i = 0; i < entries; ++i) {
    const EnumName<E>& entry = enum_names_internal::Entry<E>(i);
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

// "minmax, goalposts, zscore, ...": the names (not the aliases), in order.
template <typename E>
std::string EnumNameList(absl::string_view separator = ", ") {
  std::string out;
  for (E value : EnumValues<E>()) {
    absl::StrAppend(&out, out.empty() ? "" : separator, EnumToName(value));
  }
  return out;
}

// EnumFromName, or INVALID_ARGUMENT "unknown <what> 'text'; use one of a, b, c".
template <typename E>
absl::StatusOr<E> ParseEnum(absl::string_view text) {
  if (std::optional<E> value = EnumFromName<E>(text)) return *value;
  return absl::InvalidArgumentError(absl::StrCat("unknown ", EnumNames<E>::kWhat, " '", text,
                                                 "'; use one of ", EnumNameList<E>()));
}

// ParseEnum ignoring surrounding spaces and letter case (table names are
// lower case), for flags and file cells typed by people; the error quotes
// `text` as given.
template <typename E>
absl::StatusOr<E> ParseEnumIgnoringCase(absl::string_view text) {
  const std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (std::optional<E> value = EnumFromName<E>(name)) return *value;
  return ParseEnum<E>(text);
}

}  // namespace innoscope
