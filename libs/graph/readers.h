#pragma once

// Readers for the graph file formats the platform meets: edge-list CSV
// (`source,target[,weight]` with a header), SNAP-style whitespace edge lists
// with '#' comments, and minimal GML, GEXF and GraphML (node ids and labels,
// edge source/target/weight, directedness, node attributes). They never crash
// on any input: malformed input gives INVALID_ARGUMENT naming the line.
//
//   ReadOptions options;
//   options.self_loops = SelfLoopPolicy::kDrop;
//   ASSIGN_OR_RETURN(GraphFile file, ReadGraphFile("football.graphml",
//   options)); const std::vector<std::string>* conference =
//       file.node_attributes.Find("partition");
//
// What each reader takes from its format:
//   CSV      header row naming `source` and `target` (case-insensitive) and
//            optionally `weight`; other columns ignored; RFC 4180 quoting
//            within one line. Node keys are the cell texts.
//   SNAP     `source target [weight]` per line; '#' and '%' start comments.
//   GML      graph [ directed 0|1 node [ id .. label .. <key value>* ]
//            edge [ source .. target .. weight|value .. ] ]. Node scalar
//            keys other than id/label become node attributes; nested lists
//            (graphics) are skipped.
//   GEXF     graph@defaultedgetype, node@id/@label, attvalue@for/@value with
//            attribute defaults, edge@source/@target/@weight/@type.
//   GraphML  key@id/@for/@attr.name with <default>, graph@edgedefault,
//            node@id with <data>, edge@source/@target/@directed and the
//            edge key named "weight".
// Nodes are numbered in order of first appearance (declaration or, for edge
// lists, first mention). Mixed graphs (edges whose direction differs from the
// graph's) are rejected. Time and memory O(size of input).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

struct ReadOptions {
  // Overrides the directedness declared by the file. Edge lists declare
  // none and are undirected unless this is set.
  std::optional<bool> directed;
  // Applied when building; the defaults are Gephi's import defaults.
  MultiEdgePolicy multi_edges = MultiEdgePolicy::kMergeSum;
  SelfLoopPolicy self_loops = SelfLoopPolicy::kKeep;
  // An edge naming an undeclared node creates it (as Gephi's importer does);
  // when false it is an error naming the line. Edge lists always create.
  bool create_missing_nodes = true;
  // Field separator of CSV edge lists.
  char csv_delimiter = ',';
};

// Node attributes read from a file, by name (GEXF attribute id, GraphML
// attr.name, GML key): one string per node, "" where a node has none and the
// attribute declares no default.
class NodeAttributes {
 public:
  // Values for every node, or nullptr if the attribute does not exist.
  const std::vector<std::string>* Find(std::string_view name) const;
  // The attribute parsed as integers (e.g. a community partition);
  // INVALID_ARGUMENT naming the first node whose value is not an integer.
  absl::StatusOr<std::vector<int64_t>> AsIntegers(std::string_view name) const;
  std::vector<std::string> Names() const;

  // For readers: sets one value, growing the table to `num_nodes`.
  void Set(std::string_view name, NodeId v, std::string value, NodeId num_nodes);
  // For readers: pads every attribute to `num_nodes` with its default.
  void Finish(NodeId num_nodes, const absl::flat_hash_map<std::string, std::string>& defaults);

 private:
  absl::flat_hash_map<std::string, std::vector<std::string>> values_;
  // Which values the file set; used by Finish() to apply defaults.
  absl::flat_hash_map<std::string, std::vector<bool>> is_set_;
};

struct GraphFile {
  Graph graph;
  NodeAttributes node_attributes;
};

enum class GraphFormat { kCsvEdgeList, kSnapEdgeList, kGml, kGexf, kGraphml };

// .csv -> CSV; .txt .edges .tsv .el -> SNAP; .gml; .gexf; .graphml.
std::optional<GraphFormat> FormatFromPath(std::string_view path);

absl::StatusOr<GraphFile> ParseCsvEdgeList(std::string_view text, const ReadOptions& options = {});
absl::StatusOr<GraphFile> ParseSnapEdgeList(std::string_view text, const ReadOptions& options = {});
absl::StatusOr<GraphFile> ParseGml(std::string_view text, const ReadOptions& options = {});
absl::StatusOr<GraphFile> ParseGexf(std::string_view text, const ReadOptions& options = {});
absl::StatusOr<GraphFile> ParseGraphml(std::string_view text, const ReadOptions& options = {});
absl::StatusOr<GraphFile> ParseGraph(std::string_view text, GraphFormat format,
                                     const ReadOptions& options = {});

// Reads a whole file and parses it in the format its extension names.
// NOT_FOUND if it cannot be opened, INVALID_ARGUMENT for an unknown
// extension or malformed content (the message starts with the path).
absl::StatusOr<GraphFile> ReadGraphFile(const std::string& path, const ReadOptions& options = {});

}  // namespace innoscope::graph
