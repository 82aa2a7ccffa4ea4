#include "services/cli/number_text.h"

#include <charconv>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace innoscope::cli {

std::string FormatDouble(double value) {
  // 32 bytes hold the longest shortest-form double ("-2.2250738585072014e-308").
  char buffer[32];
  std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

absl::StatusOr<int32_t> ParsePeriod(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  int64_t year = 0;
  // SimpleAtoi accepts a sign; a period is a plain year, so digits only.
  const bool digits_only =
      !trimmed.empty() && trimmed.find_first_not_of("0123456789") == absl::string_view::npos;
  if (!digits_only || trimmed.size() > 9 || !absl::SimpleAtoi(trimmed, &year)) {
    return absl::InvalidArgumentError(
        absl::StrCat("period '", trimmed, "' is not a year (expected e.g. 2022)"));
  }
  return static_cast<int32_t>(year);
}

absl::StatusOr<PeriodSpan> ParsePeriodSpan(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  const size_t dash = trimmed.find('-');
  PeriodSpan span;
  if (dash == absl::string_view::npos) {
    absl::StatusOr<int32_t> year = ParsePeriod(trimmed);
    if (!year.ok()) return year.status();
    span.first = span.last = *year;
    return span;
  }
  absl::StatusOr<int32_t> first = ParsePeriod(trimmed.substr(0, dash));
  absl::StatusOr<int32_t> last = ParsePeriod(trimmed.substr(dash + 1));
  if (!first.ok() || !last.ok() || *first > *last) {
    return absl::InvalidArgumentError(absl::StrCat(
        "period range '", trimmed, "' is not FIRST-LAST with FIRST <= LAST (e.g. 2019-2022)"));
  }
  span.first = *first;
  span.last = *last;
  return span;
}

}  // namespace innoscope::cli
