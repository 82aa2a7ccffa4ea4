#pragma once

// Reads a YAML document with yaml-cpp (Debian's libyaml-cpp-dev) into a small
// tree that keeps what a configuration schema needs for its messages: the
// line of every key and value, whether a scalar was quoted, and the keys of a
// mapping in file order. Used by the recompute job's config
// (libs/recompute/config.cc); the schema code decides the types (ExpectInt
// etc. there), so scalars are kept as text.
//
// Everything YAML 1.2 writes that yaml-cpp reads is accepted (block and flow
// collections, flow collections over several lines, plain, quoted and block
// scalars, comments, `---`/`...` markers), except what would let a file mean
// something the schema cannot see. Those are INVALID_ARGUMENT naming the line:
//   - anchors and aliases (`&x`, `*x`): one node in several places;
//   - explicit tags (`!!str 1`, `!local`): the schema types the values;
//   - several documents: yaml-cpp would silently read only the first;
//   - duplicate keys in a mapping: yaml-cpp would keep both;
//   - mapping keys that are not scalars (`? [a, b]`, `{[a]: 1}`).
// Syntax errors are yaml-cpp's message with the line and column of its mark.
// `null`, `~` and an empty value are kNull; quoted ("...", '...') and block
// (|, >) scalars are kScalar with `quoted` set.
//
//   ASSIGN_OR_RETURN(YamlNode root, ParseYamlTree(text));
//   const YamlEntry* indices = root.Find("indices");   // line numbers kept
//
// Time and memory O(size of the text); nesting is bounded by yaml-cpp's depth
// guard, so no input exhausts the stack.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::config {

struct YamlEntry;

struct YamlNode {
  enum class Kind { kNull, kScalar, kMapping, kList };
  Kind kind = Kind::kNull;
  int line = 0;                    // where the value starts (1-based)
  std::string scalar;              // kScalar: the text, quotes removed
  bool quoted = false;             // kScalar: quoted or a block scalar (so never a number or bool)
  std::vector<YamlEntry> mapping;  // kMapping: in file order, keys unique
  std::vector<YamlNode> list;      // kList

  // The entry with `key` of a mapping; nullptr when absent (or not a mapping).
  const YamlEntry* Find(absl::string_view key) const;
  // "nothing", "a value", "a mapping" or "a list", for messages.
  const char* KindName() const;
};

struct YamlEntry {
  std::string key;
  int line = 0;  // the key's line
  YamlNode value;
};

// Parses a whole document; an empty document (or only comments) is a kNull
// node.
absl::StatusOr<YamlNode> ParseYamlTree(absl::string_view text);

}  // namespace innoscope::config
