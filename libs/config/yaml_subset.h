#pragma once

// A reader for the small subset of YAML that Innoscope's configuration files
// use (the recompute job's config, k8s/base/config/recompute.yaml), so no
// YAML library is needed and every error names its line:
//
//   - block mappings (`key: value`, `key:` followed by an indented block) and
//     block lists (`- item`, `- key: value` starting a mapping item); a list
//     under a key may be indented like the key or deeper;
//   - flow mappings `{a: 1, b: [x, y]}` and flow lists `[a, b]` on one line,
//     nested to any depth, `{}` and `[]` empty;
//   - plain scalars (trimmed), 'single-quoted' ('' is a quote) and
//     "double-quoted" (\" \\ \/ \n \t \r escapes) scalars;
//   - `#` comments (at the start of a line or after a space, outside quotes),
//     blank lines, and one leading `---`.
// Indentation is spaces only. Anything else YAML has (anchors, aliases,
// tags, block scalars | and >, multi-line flows, several documents, ? keys)
// is an INVALID_ARGUMENT error naming the line, never silently misread.
// Scalars are kept as text; the caller decides their type (ExpectInt etc.
// in the schema code, e.g. libs/recompute/config.cc).
//
//   ASSIGN_OR_RETURN(YamlNode root, ParseYamlSubset(text));
//   const YamlEntry* indices = root.Find("indices");   // line numbers kept
//
// Time and memory O(size of the text).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::config {

struct YamlEntry;

struct YamlNode {
  enum class Kind { kNull, kScalar, kMapping, kList };
  Kind kind = Kind::kNull;
  int line = 0;         // where the value starts (1-based)
  std::string scalar;   // kScalar: the text, quotes removed
  bool quoted = false;  // kScalar: written in quotes (so never a number or bool)
  std::vector<YamlEntry> mapping;  // kMapping: in file order, keys unique
  std::vector<YamlNode> list;      // kList

  // The entry with `key` of a mapping; nullptr when absent (or not a mapping).
  const YamlEntry* Find(absl::string_view key) const;
  // "null", "scalar", "mapping" or "list", for messages.
  const char* KindName() const;
};

struct YamlEntry {
  std::string key;
  int line = 0;  // the key's line
  YamlNode value;
};

// Parses a whole document; an empty document is a kNull node.
absl::StatusOr<YamlNode> ParseYamlSubset(absl::string_view text);

}  // namespace innoscope::config
