// Fuzzes the framework readers: COINr metadata and the leveled layout of
// libs/index/framework_csv.h, and the CLI's layout detection and
// CreateFramework request building (services/cli/record_csv.h). None may
// crash; an accepted framework must have exactly one root and a leaf
// indicator for every leaf.

#include <cstddef>
#include <cstdint>

#include "libs/index/framework_csv.h"
#include "services/cli/record_csv.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text = innoscope::fuzz::AsText(data, size);
  absl::StatusOr<innoscope::index::CoinrMeta> meta = innoscope::index::ParseCoinrMetaCsv(text);
  if (meta.ok()) {
    const innoscope::index::Framework& f = meta->framework;
    FUZZ_CHECK(f.Root() >= 0 && f.Parent(f.Root()) == -1);
    FUZZ_CHECK(!f.Leaves().empty());
  }
  for (int levels : {1, 2, 3}) {
    innoscope::index::LeveledCsvOptions options;
    options.levels = levels;
    absl::StatusOr<innoscope::index::Framework> leveled =
        innoscope::index::ParseLeveledFrameworkCsv(text, options);
    if (leveled.ok()) FUZZ_CHECK(leveled->Node(leveled->Root()).level == levels + 1);
  }
  absl::StatusOr<innoscope::ingest::v1::CreateFrameworkRequest> request =
      innoscope::cli::ParseFrameworkCsv(text, {"fuzz", 0, "", 0});
  if (request.ok()) {
    FUZZ_CHECK(request->nodes_size() > 0);
    FUZZ_CHECK(request->indicators_size() > 0);
  }
  return 0;
}
