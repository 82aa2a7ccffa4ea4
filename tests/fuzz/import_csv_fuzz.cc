// Fuzzes the CLI's import readers (services/cli/observation_csv.h and
// record_csv.h): observations in long and wide form, regions, indicators,
// actors and relations. None may crash; every accepted observation has a
// finite value that survives FormatDouble -> the import parser bit for bit,
// and no (region, indicator, period) key twice.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <set>
#include <tuple>

#include "libs/index/data_csv.h"
#include "services/cli/number_text.h"
#include "services/cli/observation_csv.h"
#include "services/cli/record_csv.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the options, the rest is the file.
  const uint8_t selector = data[0];
  const absl::string_view text = innoscope::fuzz::AsText(data + 1, size - 1);

  innoscope::cli::ObservationCsvOptions options;
  options.known_indicators = {"a", "b", "LPI", "hdi", "le"};
  if (selector & 1) options.period = 2020;
  if (selector & 2) options.region_column = "code";
  if (selector & 4) options.period_column = "Time";
  options.chunk_records = 1 + (selector >> 4);
  absl::StatusOr<innoscope::cli::ObservationFile> file =
      innoscope::cli::ParseObservationCsv(text, options);
  if (file.ok()) {
    std::set<std::tuple<uint32_t, uint32_t, int32_t>> keys;
    for (const innoscope::cli::ObservationRecord& r : file->records) {
      FUZZ_CHECK(std::isfinite(r.value));
      FUZZ_CHECK(!file->Text(r.region).empty());
      FUZZ_CHECK(keys.insert({r.region, r.indicator, r.period}).second);
      absl::StatusOr<double> back =
          innoscope::index::ParseNumberCell(innoscope::cli::FormatDouble(r.value), {"", "NA"});
      FUZZ_CHECK(back.ok() && std::memcmp(&*back, &r.value, sizeof(double)) == 0);
    }
  }
  innoscope::cli::ParseRegionsCsv(text).IgnoreError();
  innoscope::cli::ParseIndicatorsCsv(text).IgnoreError();
  innoscope::cli::ParseActorsCsv(text).IgnoreError();
  innoscope::cli::ParseRelationsCsv(text).IgnoreError();
  return 0;
}
