#pragma once

// XmlLite: a minimal, non-validating XML pull parser used by the GEXF and
// GraphML readers. It handles elements, attributes (single or double quoted),
// character data, the five predefined entities and numeric character
// references, CDATA, comments, processing instructions and DOCTYPE. It never
// recurses, so malicious nesting cannot exhaust the stack, and every error
// names its line. Internal to libs/graph.
//
//   XmlLite xml(text);
//   XmlEvent event;
//   while (true) {
//     ASSIGN_OR_RETURN(event, xml.Next());
//     if (event.kind == XmlEvent::kEof) break;
//     if (event.kind == XmlEvent::kStart && event.name == "node") { ... }
//   }

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace innoscope::graph {

struct XmlEvent {
  enum Kind { kStart, kEnd, kText, kEof };
  Kind kind = kEof;
  // Element name as written (with any namespace prefix) for kStart/kEnd.
  std::string name;
  // Attributes of a kStart element, entities decoded, in document order.
  std::vector<std::pair<std::string, std::string>> attributes;
  // Decoded character data of a kText event (never whitespace-only).
  std::string text;
  int line = 0;

  // The attribute's value, or nullopt.
  std::optional<absl::string_view> Attribute(absl::string_view key) const;
};

class XmlLite {
 public:
  explicit XmlLite(absl::string_view text);

  // The next event. A self-closing element yields kStart then kEnd. At the
  // end of input, kEof (or INVALID_ARGUMENT if elements are left open).
  absl::StatusOr<XmlEvent> Next();

  // Line of the current position (1-based).
  int line() const { return line_; }

 private:
  absl::StatusOr<XmlEvent> ReadTag();
  absl::Status SkipPast(absl::string_view terminator, absl::string_view what);
  void Advance(size_t count);
  absl::Status Error(absl::string_view message) const;

  absl::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  std::vector<std::string> open_;
  bool pending_end_ = false;
  std::string pending_name_;
};

// Decodes &lt; &gt; &amp; &quot; &apos; &#N; &#xH; (UTF-8 output). Unknown
// entities are kept verbatim.
std::string DecodeXmlEntities(absl::string_view raw);

}  // namespace innoscope::graph
