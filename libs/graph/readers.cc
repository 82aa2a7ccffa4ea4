// Shared reader pieces (node attributes, the edge collector every format
// feeds, file dispatch) and the two edge-list formats. GML is in
// gml_reader.cc, GEXF and GraphML in xml_readers.cc.

#include "libs/graph/readers.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"
#include "libs/graph/reader_support.h"
#include "libs/graph/string_util.h"

namespace innoscope::graph {

// ---------------------------------------------------------------------------
// NodeAttributes

const std::vector<std::string>* NodeAttributes::Find(std::string_view name) const {
  auto it = values_.find(ToAbsl(name));
  return it == values_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::vector<int64_t>> NodeAttributes::AsIntegers(std::string_view name) const {
  const std::vector<std::string>* values = Find(name);
  if (values == nullptr) {
    return absl::NotFoundError(absl::StrCat("no node attribute '", ToAbsl(name), "'"));
  }
  std::vector<int64_t> out(values->size());
  for (size_t v = 0; v < values->size(); ++v) {
    double d = 0;
    if (!absl::SimpleAtoi((*values)[v], &out[v])) {
      // Tolerate "3.0" as written by some tools.
      if (!absl::SimpleAtod((*values)[v], &d) || d != static_cast<int64_t>(d)) {
        return absl::InvalidArgumentError(absl::StrCat("node ", v, ": attribute '", ToAbsl(name),
                                                       "' value '", (*values)[v],
                                                       "' is not an integer"));
      }
      out[v] = static_cast<int64_t>(d);
    }
  }
  return out;
}

std::vector<std::string> NodeAttributes::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, unused] : values_) names.push_back(name);
  std::sort(names.begin(), names.end());
  return names;
}

void NodeAttributes::Set(std::string_view name, NodeId v, std::string value, NodeId num_nodes) {
  if (v < 0 || v >= num_nodes) return;
  std::vector<std::string>& column = values_[ToAbsl(name)];
  std::vector<bool>& is_set = is_set_[ToAbsl(name)];
  if (column.size() < static_cast<size_t>(num_nodes)) {
    column.resize(num_nodes);
    is_set.resize(num_nodes, false);
  }
  column[v] = std::move(value);
  is_set[v] = true;
}

void NodeAttributes::Finish(NodeId num_nodes,
                            const absl::flat_hash_map<std::string, std::string>& defaults) {
  for (const auto& [name, value] : defaults) values_[name];
  for (auto& [name, column] : values_) {
    std::vector<bool>& is_set = is_set_[name];
    column.resize(num_nodes);
    is_set.resize(num_nodes, false);
    auto it = defaults.find(name);
    if (it == defaults.end()) continue;
    for (size_t v = 0; v < column.size(); ++v) {
      if (!is_set[v]) column[v] = it->second;
    }
  }
  is_set_.clear();
}

// ---------------------------------------------------------------------------
// EdgeCollector

EdgeCollector::EdgeCollector(const ReadOptions& options) : options_(options) {}

NodeId EdgeCollector::AddKey(absl::string_view key, absl::string_view label) {
  NodeId v = static_cast<NodeId>(keys_.size());
  keys_.emplace_back(key);
  labels_.emplace_back(label.empty() ? key : label);
  index_.emplace(std::string(key), v);
  return v;
}

absl::Status EdgeCollector::DeclareNode(absl::string_view key, absl::string_view label, int line) {
  auto it = index_.find(key);
  if (it == index_.end()) {
    last_node_ = AddKey(key, label);
    declared_.push_back(true);
    return absl::OkStatus();
  }
  if (declared_[it->second]) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": duplicate node id '", key, "'"));
  }
  // Created earlier by an edge that named it before its declaration.
  last_node_ = it->second;
  declared_[last_node_] = true;
  if (!label.empty()) labels_[last_node_] = std::string(label);
  return absl::OkStatus();
}

void EdgeCollector::SetNodeAttribute(absl::string_view name, std::string value) {
  if (last_node_ < 0) return;
  attributes_.Set(ToStd(name), last_node_, std::move(value), static_cast<NodeId>(keys_.size()));
}

absl::Status EdgeCollector::AddEdge(absl::string_view source, absl::string_view target,
                                    std::optional<double> weight, int line, bool create_missing) {
  if (weight.has_value()) weighted_ = true;
  auto s = index_.find(source);
  auto t = index_.find(target);
  if (s != index_.end() && t != index_.end()) {
    edges_.push_back(Edge{s->second, t->second, weight.value_or(1.0)});
    return absl::OkStatus();
  }
  if (!create_missing) {
    // The node may still be declared later in the file: resolve in Finish().
    deferred_.push_back(
        DeferredEdge{std::string(source), std::string(target), weight.value_or(1.0), line});
    return absl::OkStatus();
  }
  NodeId sv = s != index_.end() ? s->second : AddImplicit(source);
  NodeId tv =
      index_.find(target) != index_.end() ? index_.find(target)->second : AddImplicit(target);
  edges_.push_back(Edge{sv, tv, weight.value_or(1.0)});
  return absl::OkStatus();
}

NodeId EdgeCollector::AddImplicit(absl::string_view key) {
  declared_.push_back(false);
  return AddKey(key, {});
}

absl::StatusOr<GraphFile> EdgeCollector::Finish(
    const absl::flat_hash_map<std::string, std::string>& attribute_defaults) && {
  for (const DeferredEdge& e : deferred_) {
    auto s = index_.find(e.source);
    auto t = index_.find(e.target);
    if (s == index_.end() || t == index_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", e.line,
                                                     ": edge refers to undeclared node '",
                                                     s == index_.end() ? e.source : e.target, "'"));
    }
    edges_.push_back(Edge{s->second, t->second, e.weight});
  }
  BuildOptions build;
  build.directed = options_.directed.value_or(declared_directed_);
  build.multi_edges = options_.multi_edges;
  build.self_loops = options_.self_loops;
  GraphBuilder builder(build);
  for (size_t v = 0; v < keys_.size(); ++v) {
    builder.AddNode(keys_[v], labels_[v]);
  }
  builder.AddEdges(edges_, weighted_);
  const NodeId n = static_cast<NodeId>(keys_.size());
  GraphFile file;
  ASSIGN_OR_RETURN(file.graph, std::move(builder).Build());
  attributes_.Finish(n, attribute_defaults);
  file.node_attributes = std::move(attributes_);
  return file;
}

absl::StatusOr<double> ParseWeight(absl::string_view text, int line) {
  double w = 0;
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (!absl::SimpleAtod(trimmed, &w) || !std::isfinite(w)) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line, ": weight '", trimmed, "' is not a finite number"));
  }
  return w;
}

// ---------------------------------------------------------------------------
// CSV

namespace {

// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
absl::Status SplitCsvLine(absl::string_view line, char delimiter, int line_no,
                          std::vector<std::string>& fields) {
  fields.clear();
  std::string field;
  size_t i = 0;
  while (true) {
    field.clear();
    // Leading spaces before a quote are allowed.
    size_t j = i;
    while (j < line.size() && line[j] == ' ') ++j;
    if (j < line.size() && line[j] == '"') {
      i = j + 1;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ": unterminated quoted field"));
      }
      while (i < line.size() && line[i] == ' ') ++i;
      if (i < line.size() && line[i] != delimiter) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ": text after a closing quote"));
      }
    } else {
      size_t end = line.find(delimiter, i);
      if (end == absl::string_view::npos) end = line.size();
      field = std::string(absl::StripAsciiWhitespace(line.substr(i, end - i)));
      i = end;
    }
    fields.push_back(field);
    if (i >= line.size()) break;
    ++i;  // delimiter
  }
  return absl::OkStatus();
}

// Calls fn(line_number, line) for every line without its end-of-line bytes.
template <typename Fn>
absl::Status ForEachLine(absl::string_view text, Fn fn) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    RETURN_IF_ERROR(fn(line_no, line));
    pos = end + 1;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<GraphFile> ParseCsvEdgeList(std::string_view text, const ReadOptions& options) {
  EdgeCollector collector(options);
  int source_col = -1, target_col = -1, weight_col = -1;
  size_t num_cols = 0;
  bool have_header = false;
  std::vector<std::string> fields;
  absl::Status status = ForEachLine(ToAbsl(text), [&](int line_no, absl::string_view line) {
    if (absl::StripAsciiWhitespace(line).empty()) return absl::OkStatus();
    RETURN_IF_ERROR(SplitCsvLine(line, options.csv_delimiter, line_no, fields));
    if (!have_header) {
      have_header = true;
      num_cols = fields.size();
      for (size_t c = 0; c < fields.size(); ++c) {
        std::string name = absl::AsciiStrToLower(fields[c]);
        int col = static_cast<int>(c);
        if (name == "source" && source_col < 0) source_col = col;
        if (name == "target" && target_col < 0) target_col = col;
        if (name == "weight" && weight_col < 0) weight_col = col;
      }
      if (source_col < 0 || target_col < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line_no, ": header must name 'source' and 'target' columns"));
      }
      return absl::OkStatus();
    }
    if (fields.size() != num_cols) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_no, ": expected ", num_cols,
                                                     " fields, found ", fields.size()));
    }
    const std::string& source = fields[source_col];
    const std::string& target = fields[target_col];
    if (source.empty() || target.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_no, ": empty source or target"));
    }
    std::optional<double> weight;
    if (weight_col >= 0) {
      ASSIGN_OR_RETURN(weight, ParseWeight(fields[weight_col], line_no));
    }
    return collector.AddEdge(source, target, weight, line_no, true);
  });
  if (!status.ok()) return status;
  if (!have_header) {
    return absl::InvalidArgumentError("line 1: missing header 'source,target[,weight]'");
  }
  return std::move(collector).Finish({});
}

absl::StatusOr<GraphFile> ParseSnapEdgeList(std::string_view text, const ReadOptions& options) {
  EdgeCollector collector(options);
  absl::Status status = ForEachLine(ToAbsl(text), [&](int line_no, absl::string_view line) {
    size_t comment = line.find_first_of("#%");
    if (comment != absl::string_view::npos) line = line.substr(0, comment);
    std::vector<absl::string_view> tokens =
        absl::StrSplit(line, absl::ByAnyChar(" \t,;"), absl::SkipEmpty());
    if (tokens.empty()) return absl::OkStatus();
    if (tokens.size() < 2 || tokens.size() > 3) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_no,
                                                     ": expected 'source target [weight]', found ",
                                                     tokens.size(), " fields"));
    }
    std::optional<double> weight;
    if (tokens.size() == 3) {
      ASSIGN_OR_RETURN(weight, ParseWeight(tokens[2], line_no));
    }
    return collector.AddEdge(tokens[0], tokens[1], weight, line_no, true);
  });
  if (!status.ok()) return status;
  return std::move(collector).Finish({});
}

// ---------------------------------------------------------------------------
// Dispatch

std::optional<GraphFormat> FormatFromPath(std::string_view path) {
  std::string lower = absl::AsciiStrToLower(ToAbsl(path));
  if (absl::EndsWith(lower, ".csv")) return GraphFormat::kCsvEdgeList;
  if (absl::EndsWith(lower, ".txt") || absl::EndsWith(lower, ".edges") ||
      absl::EndsWith(lower, ".tsv") || absl::EndsWith(lower, ".el")) {
    return GraphFormat::kSnapEdgeList;
  }
  if (absl::EndsWith(lower, ".gml")) return GraphFormat::kGml;
  if (absl::EndsWith(lower, ".gexf")) return GraphFormat::kGexf;
  if (absl::EndsWith(lower, ".graphml")) return GraphFormat::kGraphml;
  return std::nullopt;
}

absl::StatusOr<GraphFile> ParseGraph(std::string_view text, GraphFormat format,
                                     const ReadOptions& options) {
  switch (format) {
    case GraphFormat::kCsvEdgeList:
      return ParseCsvEdgeList(text, options);
    case GraphFormat::kSnapEdgeList:
      return ParseSnapEdgeList(text, options);
    case GraphFormat::kGml:
      return ParseGml(text, options);
    case GraphFormat::kGexf:
      return ParseGexf(text, options);
    case GraphFormat::kGraphml:
      return ParseGraphml(text, options);
  }
  return absl::InvalidArgumentError("unknown graph format");
}

absl::StatusOr<GraphFile> ReadGraphFile(const std::string& path, const ReadOptions& options) {
  std::optional<GraphFormat> format = FormatFromPath(path);
  if (!format) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": unknown graph file extension"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  absl::StatusOr<GraphFile> file = ParseGraph(buffer.str(), *format, options);
  if (!file.ok()) {
    return absl::Status(file.status().code(), absl::StrCat(path, ": ", file.status().message()));
  }
  return file;
}

}  // namespace innoscope::graph
