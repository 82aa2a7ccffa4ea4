#pragma once

// Text <-> number conversions of the command-line client, chosen so that a
// value imported from a file and exported again is bit-for-bit the same:
// parsing is correctly rounded (absl::SimpleAtod, via libs/index's
// ParseNumberCell so every reader shares one rule) and formatting prints the
// shortest text that parses back to the same double (std::to_chars).
//
//   std::string text = FormatDouble(0.1);             // "0.1"
//   absl::StatusOr<int32_t> p = ParsePeriod("2022");  // 2022
//   absl::StatusOr<PeriodSpan> r = ParsePeriodSpan("2019-2022");

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::cli {

// Shortest decimal text that round-trips (e.g. "1e-300", "123456789.12345679",
// "-0"). `value` must be finite.
std::string FormatDouble(double value);

// A whole year such as "2022" (surrounding ASCII spaces allowed); errors are
// INVALID_ARGUMENT quoting the text.
absl::StatusOr<int32_t> ParsePeriod(absl::string_view text);

// Inclusive range of periods: "2019-2022" or a single year "2020".
struct PeriodSpan {
  int32_t first = 0;
  int32_t last = 0;
};
absl::StatusOr<PeriodSpan> ParsePeriodSpan(absl::string_view text);

}  // namespace innoscope::cli
