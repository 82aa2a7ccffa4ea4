// Minimal GEXF (gexf.net 1.1-1.3) and GraphML readers on top of XmlLite.
// See readers.h for what they read.

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/graph/reader_support.h"
#include "libs/graph/readers.h"
#include "libs/graph/string_util.h"
#include "libs/graph/xml_lite.h"

namespace innoscope::graph {
namespace {

absl::Status LineError(int line, absl::string_view format,
                       absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat(format, " line ", line, ": ", message));
}

// Prefixes collector errors ("line N: ...") with the format name.
absl::Status Prefixed(absl::string_view format, const absl::Status& s) {
  if (s.ok()) return s;
  return absl::Status(s.code(), absl::StrCat(format, " ", s.message()));
}

// Directedness of an edge from its explicit marker, if any.
std::optional<bool> EdgeDirected(const XmlEvent& event,
                                 absl::string_view format) {
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

absl::StatusOr<GraphFile> ParseGexf(std::string_view text,
                                    const ReadOptions& options) {
  constexpr absl::string_view kFormat = "GEXF";
  XmlLite xml(ToAbsl(text));
  EdgeCollector collector(options);
  absl::flat_hash_map<std::string, std::string> defaults;
  bool graph_directed = false;
  bool seen_graph = false;
  bool in_node_attributes = false;  // inside <attributes class="node">
  std::string current_attribute;    // id of the <attribute> being read
  bool in_default = false;
  int node_depth = 0;  // > 0 inside <node>
  int edge_depth = 0;  // > 0 inside <edge>
  while (true) {
    ASSIGN_OR_RETURN(const XmlEvent event, xml.Next());
    if (event.kind == XmlEvent::kEof) break;
    absl::string_view name = LocalName(event.name);
    if (event.kind == XmlEvent::kText) {
      if (in_default && !current_attribute.empty()) {
        defaults[current_attribute] = event.text;
      }
      continue;
    }
    if (event.kind == XmlEvent::kEnd) {
      if (name == "node") --node_depth;
      if (name == "edge") --edge_depth;
      if (name == "attributes") in_node_attributes = false;
      if (name == "attribute") current_attribute.clear();
      if (name == "default") in_default = false;
      continue;
    }
    // kStart
    if (name == "graph") {
      if (seen_graph) {
        return LineError(event.line, kFormat, "more than one <graph>");
      }
      seen_graph = true;
      graph_directed =
          event.Attribute("defaultedgetype").value_or("undirected") ==
          "directed";
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
      if (absl::Status s = collector.DeclareNode(
              *id, event.Attribute("label").value_or(""), event.line);
          !s.ok()) {
        return Prefixed(kFormat, s);
      }
    } else if (name == "attvalue" && node_depth > 0 && edge_depth == 0) {
      // GEXF 1.2+ uses "for", 1.1 uses "id".
      std::optional<absl::string_view> key = event.Attribute("for");
      if (!key) key = event.Attribute("id");
      std::optional<absl::string_view> value = event.Attribute("value");
      if (!key || !value) {
        return LineError(event.line, kFormat,
                         "<attvalue> needs 'for' and 'value'");
      }
      collector.SetNodeAttribute(*key, std::string(*value));
    } else if (name == "edge") {
      ++edge_depth;
      std::optional<absl::string_view> source = event.Attribute("source");
      std::optional<absl::string_view> target = event.Attribute("target");
      if (!source || !target) {
        return LineError(event.line, kFormat,
                         "<edge> needs 'source' and 'target'");
      }
      std::optional<bool> directed = EdgeDirected(event, kFormat);
      if (directed && *directed != graph_directed) {
        return LineError(event.line, kFormat,
                         "mixed directed/undirected edges are not supported");
      }
      std::optional<double> weight;
      if (std::optional<absl::string_view> w = event.Attribute("weight")) {
        absl::StatusOr<double> parsed = ParseWeight(*w, event.line);
        if (!parsed.ok()) return Prefixed(kFormat, parsed.status());
        weight = *parsed;
      }
      if (absl::Status s =
              collector.AddEdge(*source, *target, weight, event.line,
                                options.create_missing_nodes);
          !s.ok()) {
        return Prefixed(kFormat, s);
      }
    }
  }
  if (!seen_graph) return LineError(xml.line(), kFormat, "no <graph> element");
  absl::StatusOr<GraphFile> file = std::move(collector).Finish(defaults);
  if (!file.ok()) return Prefixed(kFormat, file.status());
  return file;
}

absl::StatusOr<GraphFile> ParseGraphml(std::string_view text,
                                       const ReadOptions& options) {
  constexpr absl::string_view kFormat = "GraphML";
  struct Key {
    std::string name;    // attr.name, or the key id when absent
    std::string domain;  // "node", "edge", "graph", "all"
  };
  XmlLite xml(ToAbsl(text));
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

  while (true) {
    ASSIGN_OR_RETURN(const XmlEvent event, xml.Next());
    if (event.kind == XmlEvent::kEof) break;
    absl::string_view name = LocalName(event.name);
    if (event.kind == XmlEvent::kText) {
      if (in_data) {
        data_text += event.text;
      } else if (in_default && !current_key.empty()) {
        const Key& key = keys[current_key];
        if (key.domain == "node" || key.domain == "all") {
          node_defaults[key.name] = event.text;
        }
        if (is_weight_key(current_key)) {
          absl::StatusOr<double> w = ParseWeight(event.text, event.line);
          if (!w.ok()) return Prefixed(kFormat, w.status());
          default_weight = *w;
        }
      }
      continue;
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
          collector.SetNodeAttribute(
              it != keys.end() ? it->second.name : data_key, data_text);
        }
      }
      if (name == "edge" && in_edge) {
        in_edge = false;
        std::optional<double> weight =
            edge_weight ? edge_weight : default_weight;
        if (absl::Status s =
                collector.AddEdge(edge_source, edge_target, weight, edge_line,
                                  options.create_missing_nodes);
            !s.ok()) {
          return Prefixed(kFormat, s);
        }
      }
      continue;
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
        return LineError(event.line, kFormat,
                         "nested or multiple <graph> elements");
      }
      seen_graph = true;
      graph_directed =
          event.Attribute("edgedefault").value_or("directed") == "directed";
      collector.set_declared_directed(graph_directed);
    } else if (name == "node") {
      if (in_node || in_edge) {
        return LineError(event.line, kFormat, "nested <node>");
      }
      std::optional<absl::string_view> id = event.Attribute("id");
      if (!id) return LineError(event.line, kFormat, "<node> without id");
      if (absl::Status s = collector.DeclareNode(*id, "", event.line);
          !s.ok()) {
        return Prefixed(kFormat, s);
      }
      in_node = true;
    } else if (name == "edge") {
      if (in_edge) return LineError(event.line, kFormat, "nested <edge>");
      std::optional<absl::string_view> source = event.Attribute("source");
      std::optional<absl::string_view> target = event.Attribute("target");
      if (!source || !target) {
        return LineError(event.line, kFormat,
                         "<edge> needs 'source' and 'target'");
      }
      std::optional<bool> directed = EdgeDirected(event, kFormat);
      if (directed && *directed != graph_directed) {
        return LineError(event.line, kFormat,
                         "mixed directed/undirected edges are not supported");
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
  }
  if (!seen_graph) return LineError(xml.line(), kFormat, "no <graph> element");
  absl::StatusOr<GraphFile> file = std::move(collector).Finish(node_defaults);
  if (!file.ok()) return Prefixed(kFormat, file.status());
  return file;
}

}  // namespace innoscope::graph
