// Fuzzes the validators of ingest's write batches
// (services/ingest/ingest_validation.h: observations, actors, relations,
// regions) with structured inputs (tests/fuzz/proto_fuzz.h): a batch and the
// catalogue it is checked against. No input may crash them; a refusal is
// INVALID_ARGUMENT (RESOURCE_EXHAUSTED for too many rows) with a message
// naming the batch; the same input gives the same answer; and what is
// accepted holds the rules independently checked here: every stored
// observation has a catalogued region and indicator, a period in range, a
// finite value, a count that is not negative, and no key twice; every
// accepted relation joins known actors in a period in range.

#include <cmath>
#include <set>
#include <string>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "services/ingest/ingest_validation.h"
#include "tests/fuzz/fuzz_inputs.pb.h"
#include "tests/fuzz/proto_fuzz.h"

namespace {

namespace ingest = ::innoscope::ingest;

void CheckRefusal(const absl::Status& status) {
  FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument ||
             status.code() == absl::StatusCode::kResourceExhausted);
  FUZZ_CHECK(!status.message().empty());
}

void CheckObservations(const innoscope::fuzz::IngestBatchInput& input,
                       const ingest::Catalog& catalog) {
  ingest::FrameworkScope scope;
  scope.code = "fw";
  scope.version = 1;
  for (const auto& [code, is_count] : catalog.indicators) scope.leaves.insert(code);
  scope.aggregates = catalog.aggregates;
  const ingest::FrameworkScope* framework = input.framework_scope() ? &scope : nullptr;
  const auto rows = ingest::ValidateObservations(input.observations(), catalog, framework);
  const auto again = ingest::ValidateObservations(input.observations(), catalog, framework);
  FUZZ_CHECK(rows.status() == again.status());
  if (!rows.ok()) {
    CheckRefusal(rows.status());
    return;
  }
  FUZZ_CHECK(rows->size() <= static_cast<size_t>(input.observations().observations_size()));
  std::set<std::tuple<std::string, std::string, int>> keys;
  for (const auto& o : *rows) {
    FUZZ_CHECK(catalog.regions.contains(o.region_code()));
    FUZZ_CHECK(catalog.indicators.contains(o.indicator_code()));
    FUZZ_CHECK(!framework || scope.leaves.contains(o.indicator_code()));
    FUZZ_CHECK(o.period() >= ingest::kMinPeriod && o.period() <= ingest::kMaxPeriod);
    FUZZ_CHECK(std::isfinite(o.value()));
    FUZZ_CHECK(!catalog.indicators.at(o.indicator_code()) || o.value() >= 0);
    FUZZ_CHECK(keys.emplace(o.region_code(), o.indicator_code(), o.period()).second);
  }
}

void CheckRelations(const innoscope::fuzz::IngestBatchInput& input) {
  const absl::flat_hash_set<std::string> known(input.known_actors().begin(),
                                               input.known_actors().end());
  const absl::Status status = ingest::ValidateRelations(input.relations(), known);
  FUZZ_CHECK(status == ingest::ValidateRelations(input.relations(), known));
  if (!status.ok()) {
    CheckRefusal(status);
    return;
  }
  FUZZ_CHECK(ingest::ValidateBatchId(input.relations().batch_id()).ok());
  for (const auto& r : input.relations().relations()) {
    FUZZ_CHECK(known.contains(r.source_code()) && known.contains(r.target_code()));
    FUZZ_CHECK(r.period() >= ingest::kMinPeriod && r.period() <= ingest::kMaxPeriod);
    FUZZ_CHECK(!r.has_weight() || std::isfinite(r.weight()));
  }
}

}  // namespace

INNOSCOPE_PROTO_FUZZER(innoscope::fuzz::IngestBatchInput, input) {
  ingest::Catalog catalog;
  catalog.regions.insert(input.catalog_regions().begin(), input.catalog_regions().end());
  for (const std::string& code : input.catalog_indicators()) {
    catalog.indicators[code] = absl::EndsWith(code, "_count");
  }
  catalog.aggregates.insert(input.catalog_aggregates().begin(), input.catalog_aggregates().end());
  switch (input.request_case()) {
    case innoscope::fuzz::IngestBatchInput::kObservations:
      CheckObservations(input, catalog);
      break;
    case innoscope::fuzz::IngestBatchInput::kActors: {
      const absl::Status status = ingest::ValidateActors(input.actors(), catalog);
      FUZZ_CHECK(status == ingest::ValidateActors(input.actors(), catalog));
      if (!status.ok()) CheckRefusal(status);
      break;
    }
    case innoscope::fuzz::IngestBatchInput::kRelations:
      CheckRelations(input);
      break;
    case innoscope::fuzz::IngestBatchInput::kRegions: {
      const absl::Status status = ingest::ValidateRegions(input.regions(), catalog);
      if (!status.ok()) CheckRefusal(status);
      break;
    }
    case innoscope::fuzz::IngestBatchInput::REQUEST_NOT_SET:
      break;
  }
}
