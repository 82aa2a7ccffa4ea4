// Fuzzes ingest's framework validator (ValidateFramework,
// services/ingest/ingest_validation.h) with structured inputs
// (tests/fuzz/proto_fuzz.h): a CreateFrameworkRequest and the catalogue's
// indicators. No input may crash it; a refusal is INVALID_ARGUMENT (or
// RESOURCE_EXHAUSTED past a size cap) with a message; the same input gives
// the same answer. The oracle for what it accepts is independent: the tree
// that readers rebuild from a stored framework (clients::FrameworkFromProto,
// index::Framework::Create in libs/index, used by scoring and weighting)
// must accept every framework ingest stored, or a stored framework could
// never be scored.

#include <string>

#include "absl/status/status.h"
#include "libs/clients/ingest_client.h"
#include "services/ingest/ingest_validation.h"
#include "tests/fuzz/fuzz_inputs.pb.h"
#include "tests/fuzz/proto_fuzz.h"

INNOSCOPE_PROTO_FUZZER(innoscope::fuzz::IngestFrameworkInput, input) {
  namespace ingest = ::innoscope::ingest;
  ingest::Catalog catalog;
  for (const std::string& code : input.catalog_indicators()) catalog.indicators[code] = false;
  const absl::Status status = ingest::ValidateFramework(input.request(), catalog);
  FUZZ_CHECK(status == ingest::ValidateFramework(input.request(), catalog));
  if (!status.ok()) {
    FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument ||
               status.code() == absl::StatusCode::kResourceExhausted);
    FUZZ_CHECK(!status.message().empty());
    return;
  }
  ingest::v1::Framework stored;
  stored.set_code(input.request().code());
  stored.set_version(input.request().version());
  *stored.mutable_nodes() = input.request().nodes();
  stored.set_weight_convention(input.request().weight_convention());
  const auto tree = innoscope::clients::FrameworkFromProto(stored);
  if (!tree.ok())
    std::fprintf(stderr, "rebuilt tree refused: %s\n", tree.status().ToString().c_str());
  FUZZ_CHECK(tree.ok());
  FUZZ_CHECK(tree->Nodes().size() == static_cast<size_t>(input.request().nodes_size()));
}
