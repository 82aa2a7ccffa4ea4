// GEXF (gexf.net 1.1-1.3) and GraphML readers. The XML is parsed by pugixml
// (Debian's libpugixml-dev); these read what readers.h lists from its tree.

#include <algorithm>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/graph/reader_support.h"
#include "libs/graph/readers.h"
#include "libs/graph/string_util.h"
#include "pugixml.hpp"

namespace innoscope::graph {
namespace {

absl::Status LineError(int line, absl::string_view format, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(format, " line ", line, ": ", message));
}

// Prefixes collector errors ("line N: ...") with the format name.
absl::Status Prefixed(absl::string_view format, const absl::Status& s) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(format, " ", s.message()));
}

// A parsed XML file and the line of any offset into its text.
class XmlFile {
 public:
  // Parses `text`; INVALID_ARGUMENT naming the line of pugixml's error.
  static absl::StatusOr<XmlFile> Parse(absl::string_view text, absl::string_view format) {
    XmlFile file;
    file.line_starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') file.line_starts_.push_back(i + 1);
    }
    // parse_default: elements, attributes, character data and CDATA with
    // the predefined entities and character references decoded; comments,
    // processing instructions and the DOCTYPE are checked and skipped, and
    // entities a DOCTYPE declares are never expanded.
    file.doc_ = std::make_unique<pugi::xml_document>();
    const pugi::xml_parse_result result =
        file.doc_->load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!result) {
      return LineError(file.LineOf(result.offset), format, file.Describe(result, text));
    }
    return file;
  }

  const pugi::xml_document& doc() const { return *doc_; }

  // 1-based line of a byte offset (the last line for an unknown offset).
  int LineOf(std::ptrdiff_t offset) const {
    if (offset < 0) return static_cast<int>(line_starts_.size());
    auto it =
        std::upper_bound(line_starts_.begin(), line_starts_.end(), static_cast<size_t>(offset));
    return static_cast<int>(it - line_starts_.begin());
  }
  int LastLine() const { return static_cast<int>(line_starts_.size()); }

 private:
  std::string Describe(const pugi::xml_parse_result& result, absl::string_view text) const {
    // A mismatched end tag: pugixml's offset is at its name.
    if (result.status == pugi::status_end_element_mismatch && result.offset >= 2 &&
        static_cast<size_t>(result.offset) < text.size() &&
        text.substr(result.offset - 2, 2) == "</") {
      size_t end = result.offset;
      while (end < text.size() && text[end] != '>' &&
             !absl::ascii_isspace(static_cast<unsigned char>(text[end])) &&
             end - result.offset < 200) {
        ++end;
      }
      return absl::StrCat("unexpected </", text.substr(result.offset, end - result.offset),
                          "> (not valid XML: start and end tags do not match)");
    }
    std::string what = result.description();
    if (!what.empty()) what[0] = absl::ascii_tolower(what[0]);
    if (result.offset < 0) return absl::StrCat("not valid XML: ", what);
    const size_t line_start = line_starts_[LineOf(result.offset) - 1];
    return absl::StrCat("not valid XML: ", what, " (column ",
                        static_cast<size_t>(result.offset) - line_start + 1, ")");
  }

  std::unique_ptr<pugi::xml_document> doc_;
  std::vector<size_t> line_starts_;  // byte offset of each line's start
};

// What the readers see of the document, in document order: an element's
// start (its attributes), its character data, its end.
struct XmlEvent {
  enum Kind { kStart, kEnd, kText };
  Kind kind = kStart;
  // Element name as written (with any namespace prefix) for kStart/kEnd.
  absl::string_view name;
  // kText: decoded character data (never whitespace-only) or a CDATA section.
  absl::string_view text;
  pugi::xml_node node;
  // Where the element's start tag or the text begins (kEnd: the start tag).
  int line = 0;

  // The attribute's value, or nullopt.
  std::optional<absl::string_view> Attribute(const char* key) const {
    const pugi::xml_attribute a = node.attribute(key);
    if (!a) return std::nullopt;
    return absl::string_view(a.value());
  }
};

// Calls `visit` for every element and text node of the document, depth
// first, without recursion (any nesting is safe); stops at its first error.
template <typename Visit>
absl::Status WalkXml(const XmlFile& file, Visit&& visit) {
  auto event = [&](XmlEvent::Kind kind, pugi::xml_node node) {
    XmlEvent e;
    e.kind = kind;
    e.node = node;
    e.line = file.LineOf(node.offset_debug());
    if (kind == XmlEvent::kText) {
      e.text = node.value();
    } else {
      e.name = node.name();
    }
    return visit(e);
  };
  pugi::xml_node node = file.doc().first_child();
  while (node) {
    const pugi::xml_node_type type = node.type();
    if (type == pugi::node_element) {
      RETURN_IF_ERROR(event(XmlEvent::kStart, node));
      if (node.first_child()) {
        node = node.first_child();
        continue;
      }
      RETURN_IF_ERROR(event(XmlEvent::kEnd, node));
    } else if (type == pugi::node_pcdata || type == pugi::node_cdata) {
      RETURN_IF_ERROR(event(XmlEvent::kText, node));
    }
    while (!node.next_sibling()) {
      node = node.parent();
      if (!node || node.type() == pugi::node_document) return absl::OkStatus();
      RETURN_IF_ERROR(event(XmlEvent::kEnd, node));
    }
    node = node.next_sibling();
  }
  return absl::OkStatus();
}

// Directedness of an edge from its explicit marker, if any.
std::optional<bool> EdgeDirected(const XmlEvent& event, absl::string_view format) {
  if (format == "GEXF") {
    std::optional<absl::string_view> type = event.Attribute("type");
    if (!type) return std::nullopt;
    return *type == "directed";
  }
  std::optional<absl::string_view> directed = event.Attribute("directed");
  if (!directed) return std::nullopt;
  return *directed == "true" || *directed == "1";
}

// The element name without a namespace prefix.
absl::string_view LocalName(absl::string_view name) {
  size_t colon = name.find(':');
  return colon == absl::string_view::npos ? name : name.substr(colon + 1);
}

}  // namespace

absl::StatusOr<GraphFile> ParseGexf(std::string_view text, const ReadOptions& options) {
  constexpr absl::string_view kFormat = "GEXF";
  ASSIGN_OR_RETURN(const XmlFile xml, XmlFile::Parse(ToAbsl(text), kFormat));
  EdgeCollector collector(options);
  absl::flat_hash_map<std::string, std::string> defaults;
  bool graph_directed = false;
  bool seen_graph = false;
  bool in_node_attributes = false;  // inside <attributes class="node">
  std::string current_attribute;    // id of the <attribute> being read
  bool in_default = false;
  int node_depth = 0;  // > 0 inside <node>
  int edge_depth = 0;  // > 0 inside <edge>
  RETURN_IF_ERROR(WalkXml(xml, [&](const XmlEvent& event) -> absl::Status {
    absl::string_view name = LocalName(event.name);
    if (event.kind == XmlEvent::kText) {
      if (in_default && !current_attribute.empty()) {
        defaults[current_attribute] = std::string(event.text);
      }
      return absl::OkStatus();
    }
    if (event.kind == XmlEvent::kEnd) {
      if (name == "node") --node_depth;
      if (name == "edge") --edge_depth;
      if (name == "attributes") in_node_attributes = false;
      if (name == "attribute") current_attribute.clear();
      if (name == "default") in_default = false;
      return absl::OkStatus();
    }
    // kStart
    if (name == "graph") {
      if (seen_graph) {
        return LineError(event.line, kFormat, "more than one <graph>");
      }
      seen_graph = true;
      graph_directed = event.Attribute("defaultedgetype").value_or("undirected") == "directed";
      collector.set_declared_directed(graph_directed);
    } else if (name == "attributes") {
      in_node_attributes = event.Attribute("class").value_or("") == "node";
    } else if (name == "attribute" && in_node_attributes) {
      std::optional<absl::string_view> id = event.Attribute("id");
      if (!id) return LineError(event.line, kFormat, "<attribute> without id");
      current_attribute = std::string(*id);
    } else if (name == "default") {
      in_default = true;
    } else if (name == "node") {
      ++node_depth;
      std::optional<absl::string_view> id = event.Attribute("id");
      if (!id) return LineError(event.line, kFormat, "<node> without id");
      if (absl::Status s =
              collector.DeclareNode(*id, event.Attribute("label").value_or(""), event.line);
          !s.ok()) {
        return Prefixed(kFormat, s);
      }
    } else if (name == "attvalue" && node_depth > 0 && edge_depth == 0) {
      // GEXF 1.2+ uses "for", 1.1 uses "id".
      std::optional<absl::string_view> key = event.Attribute("for");
      if (!key) key = event.Attribute("id");
      std::optional<absl::string_view> value = event.Attribute("value");
      if (!key || !value) {
        return LineError(event.line, kFormat, "<attvalue> needs 'for' and 'value'");
      }
      collector.SetNodeAttribute(*key, std::string(*value));
    } else if (name == "edge") {
      ++edge_depth;
      std::optional<absl::string_view> source = event.Attribute("source");
      std::optional<absl::string_view> target = event.Attribute("target");
      if (!source || !target) {
        return LineError(event.line, kFormat, "<edge> needs 'source' and 'target'");
      }
      std::optional<bool> directed = EdgeDirected(event, kFormat);
      if (directed && *directed != graph_directed) {
        return LineError(event.line, kFormat, "mixed directed/undirected edges are not supported");
      }
      std::optional<double> weight;
      if (std::optional<absl::string_view> w = event.Attribute("weight")) {
        absl::StatusOr<double> parsed = ParseWeight(*w, event.line);
        if (!parsed.ok()) return Prefixed(kFormat, parsed.status());
        weight = *parsed;
      }
      if (absl::Status s =
              collector.AddEdge(*source, *target, weight, event.line, options.create_missing_nodes);
          !s.ok()) {
        return Prefixed(kFormat, s);
      }
    }
    return absl::OkStatus();
  }));
  if (!seen_graph) {
    return LineError(xml.LastLine(), kFormat, "no <graph> element");
  }
  absl::StatusOr<GraphFile> file = std::move(collector).Finish(defaults);
  if (!file.ok()) return Prefixed(kFormat, file.status());
  return file;
}

absl::StatusOr<GraphFile> ParseGraphml(std::string_view text, const ReadOptions& options) {
  constexpr absl::string_view kFormat = "GraphML";
  struct Key {
    std::string name;    // attr.name, or the key id when absent
    std::string domain;  // "node", "edge", "graph", "all"
  };
  ASSIGN_OR_RETURN(const XmlFile xml, XmlFile::Parse(ToAbsl(text), kFormat));
  EdgeCollector collector(options);
  absl::flat_hash_map<std::string, Key> keys;                   // by key id
  absl::flat_hash_map<std::string, std::string> node_defaults;  // by attr name
  std::optional<double> default_weight;
  std::string current_key;  // <key> being read (for <default>)
  bool in_default = false;
  std::string data_key;  // <data key=..> being read
  std::string data_text;
  bool in_data = false;
  bool graph_directed = false;
  bool seen_graph = false;
  // The edge being read: its attributes arrive in <data> children.
  bool in_edge = false;
  bool in_node = false;
  std::string edge_source, edge_target;
  std::optional<double> edge_weight;
  int edge_line = 0;

  auto is_weight_key = [&](const std::string& id) {
    auto it = keys.find(id);
    return it != keys.end() && it->second.name == "weight" &&
           (it->second.domain == "edge" || it->second.domain == "all");
  };

  RETURN_IF_ERROR(WalkXml(xml, [&](const XmlEvent& event) -> absl::Status {
    absl::string_view name = LocalName(event.name);
    if (event.kind == XmlEvent::kText) {
      if (in_data) {
        absl::StrAppend(&data_text, event.text);
      } else if (in_default && !current_key.empty()) {
        const Key& key = keys[current_key];
        if (key.domain == "node" || key.domain == "all") {
          node_defaults[key.name] = std::string(event.text);
        }
        if (is_weight_key(current_key)) {
          absl::StatusOr<double> w = ParseWeight(event.text, event.line);
          if (!w.ok()) return Prefixed(kFormat, w.status());
          default_weight = *w;
        }
      }
      return absl::OkStatus();
    }
    if (event.kind == XmlEvent::kEnd) {
      if (name == "default") in_default = false;
      if (name == "key") current_key.clear();
      if (name == "node") in_node = false;
      if (name == "data" && in_data) {
        in_data = false;
        if (in_edge && is_weight_key(data_key)) {
          absl::StatusOr<double> w = ParseWeight(data_text, event.line);
          if (!w.ok()) return Prefixed(kFormat, w.status());
          edge_weight = *w;
        } else if (in_node && !in_edge) {
          auto it = keys.find(data_key);
          collector.SetNodeAttribute(it != keys.end() ? it->second.name : data_key, data_text);
        }
      }
      if (name == "edge" && in_edge) {
        in_edge = false;
        std::optional<double> weight = edge_weight ? edge_weight : default_weight;
        if (absl::Status s = collector.AddEdge(edge_source, edge_target, weight, edge_line,
                                               options.create_missing_nodes);
            !s.ok()) {
          return Prefixed(kFormat, s);
        }
      }
      return absl::OkStatus();
    }
    // kStart
    if (name == "key") {
      std::optional<absl::string_view> id = event.Attribute("id");
      if (!id) return LineError(event.line, kFormat, "<key> without id");
      Key key;
      key.name = std::string(event.Attribute("attr.name").value_or(*id));
      key.domain = std::string(event.Attribute("for").value_or("all"));
      current_key = std::string(*id);
      keys[current_key] = std::move(key);
    } else if (name == "default") {
      in_default = true;
    } else if (name == "graph") {
      if (seen_graph) {
        return LineError(event.line, kFormat, "nested or multiple <graph> elements");
      }
      seen_graph = true;
      graph_directed = event.Attribute("edgedefault").value_or("directed") == "directed";
      collector.set_declared_directed(graph_directed);
    } else if (name == "node") {
      if (in_node || in_edge) {
        return LineError(event.line, kFormat, "nested <node>");
      }
      std::optional<absl::string_view> id = event.Attribute("id");
      if (!id) return LineError(event.line, kFormat, "<node> without id");
      if (absl::Status s = collector.DeclareNode(*id, "", event.line); !s.ok()) {
        return Prefixed(kFormat, s);
      }
      in_node = true;
    } else if (name == "edge") {
      if (in_edge) return LineError(event.line, kFormat, "nested <edge>");
      std::optional<absl::string_view> source = event.Attribute("source");
      std::optional<absl::string_view> target = event.Attribute("target");
      if (!source || !target) {
        return LineError(event.line, kFormat, "<edge> needs 'source' and 'target'");
      }
      std::optional<bool> directed = EdgeDirected(event, kFormat);
      if (directed && *directed != graph_directed) {
        return LineError(event.line, kFormat, "mixed directed/undirected edges are not supported");
      }
      in_edge = true;
      edge_source = std::string(*source);
      edge_target = std::string(*target);
      edge_weight.reset();
      edge_line = event.line;
    } else if (name == "data") {
      std::optional<absl::string_view> key = event.Attribute("key");
      if (!key) return LineError(event.line, kFormat, "<data> without key");
      in_data = true;
      data_key = std::string(*key);
      data_text.clear();
    }
    return absl::OkStatus();
  }));
  if (!seen_graph) {
    return LineError(xml.LastLine(), kFormat, "no <graph> element");
  }
  absl::StatusOr<GraphFile> file = std::move(collector).Finish(node_defaults);
  if (!file.ok()) return Prefixed(kFormat, file.status());
  return file;
}

}  // namespace innoscope::graph
