// Fuzzes the GEXF and GraphML readers (libs/graph/xml_readers.cc, XML parsed
// by pugixml): no input may crash them, every error names its format, and a
// graph that is read has its edges between its nodes and node attributes
// for every node.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "libs/graph/readers.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using ::innoscope::graph::GraphFile;
using ::innoscope::graph::ReadOptions;

void Check(const absl::StatusOr<GraphFile>& file, absl::string_view format) {
  if (!file.ok()) {
    FUZZ_CHECK(file.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(absl::StartsWith(file.status().message(), format));
    return;
  }
  const auto n = file->graph.NumNodes();
  for (const auto& e : file->graph.Edges()) {
    FUZZ_CHECK(e.source >= 0 && e.source < n && e.target >= 0 && e.target < n);
  }
  for (const std::string& name : file->node_attributes.Names()) {
    const std::vector<std::string>* values = file->node_attributes.Find(name);
    FUZZ_CHECK(values != nullptr && static_cast<int64_t>(values->size()) == n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ReadOptions strict;
  strict.create_missing_nodes = false;
  Check(innoscope::graph::ParseGexf(text), "GEXF ");
  Check(innoscope::graph::ParseGexf(text, strict), "GEXF ");
  Check(innoscope::graph::ParseGraphml(text), "GraphML ");
  Check(innoscope::graph::ParseGraphml(text, strict), "GraphML ");
  return 0;
}
