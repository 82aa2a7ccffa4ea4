// Fuzzes the YAML reader of configuration files (libs/config/yaml_tree.h, on
// yaml-cpp) and the recompute config schema on top of it
// (libs/recompute/config.h): neither may crash, every error names a line,
// every line in the tree lies within the text, and a config that parses
// parses again to the same settings.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "libs/config/yaml_tree.h"
#include "libs/recompute/config.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

using ::innoscope::config::YamlEntry;
using ::innoscope::config::YamlNode;

// Every line of the tree is within 0..lines (0 only for an empty document);
// iterative, since the tree may be deep.
bool LinesWithin(const YamlNode& root, int lines) {
  std::vector<const YamlNode*> stack = {&root};
  while (!stack.empty()) {
    const YamlNode* node = stack.back();
    stack.pop_back();
    if (node->line < 0 || node->line > lines) return false;
    for (const YamlEntry& e : node->mapping) {
      if (e.line < 1 || e.line > lines) return false;
      stack.push_back(&e.value);
    }
    for (const YamlNode& item : node->list) stack.push_back(&item);
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text = innoscope::fuzz::AsText(data, size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;

  const absl::StatusOr<YamlNode> tree = innoscope::config::ParseYamlTree(text);
  if (tree.ok()) {
    FUZZ_CHECK(LinesWithin(*tree, lines));
  } else {
    FUZZ_CHECK(tree.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(absl::StartsWith(tree.status().message(), "line ") ||
               absl::StartsWith(tree.status().message(), "not valid YAML"));
  }

  const absl::StatusOr<innoscope::recompute::RecomputeConfig> config =
      innoscope::recompute::ParseRecomputeConfig(text);
  if (!config.ok()) {
    FUZZ_CHECK(config.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(absl::StartsWith(config.status().message(), "line ") ||
               absl::StartsWith(config.status().message(), "not valid YAML") ||
               absl::StartsWith(config.status().message(), "the file is empty"));
    return 0;
  }
  FUZZ_CHECK(tree.ok());
  FUZZ_CHECK(!config->indices.empty());
  const absl::StatusOr<innoscope::recompute::RecomputeConfig> again =
      innoscope::recompute::ParseRecomputeConfig(text);
  FUZZ_CHECK(again.ok() && again->indices.size() == config->indices.size());
  for (size_t i = 0; i < config->indices.size(); ++i) {
    const auto& entry = config->indices[i];
    FUZZ_CHECK(entry.line >= 1 && entry.line <= lines);
    FUZZ_CHECK(entry.first_period <= entry.last_period);
    FUZZ_CHECK(innoscope::recompute::CanonicalText(entry) ==
               innoscope::recompute::CanonicalText(again->indices[i]));
  }
  return 0;
}
