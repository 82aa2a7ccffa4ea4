#pragma once

// Internal helpers shared by the graph readers (readers.cc, gml_reader.cc,
// xml_readers.cc): EdgeCollector gathers declared nodes, node attributes and
// edges by external key while a file is parsed, then builds the Graph with
// the ReadOptions policies once the file's directedness is known.
//
//   EdgeCollector collector(options);
//   collector.set_declared_directed(true);
//   RETURN_IF_ERROR(collector.DeclareNode("n0", "Alice", line));
//   collector.SetNodeAttribute("partition", "3");
//   RETURN_IF_ERROR(collector.AddEdge("n0", "n1", 2.0, line, true));
//   return std::move(collector).Finish({});

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/graph/readers.h"

namespace innoscope::graph {

class EdgeCollector {
 public:
  explicit EdgeCollector(const ReadOptions& options);

  // The directedness the file declares (ReadOptions::directed overrides it).
  void set_declared_directed(bool directed) { declared_directed_ = directed; }

  // Declares a node; INVALID_ARGUMENT (naming `line`) if the key was
  // declared before. Later SetNodeAttribute calls apply to it.
  absl::Status DeclareNode(absl::string_view key, absl::string_view label, int line);
  void SetNodeAttribute(absl::string_view name, std::string value);

  // Adds an edge between nodes given by key. A missing node is created when
  // `create_missing` (and may be declared later); otherwise the edge waits
  // for the declaration and Finish() fails naming `line` if none comes.
  // Edges without a weight get 1; the graph is weighted if any edge has one.
  absl::Status AddEdge(absl::string_view source, absl::string_view target,
                       std::optional<double> weight, int line, bool create_missing);

  // Builds the graph. `attribute_defaults` fills attributes a node lacks.
  absl::StatusOr<GraphFile> Finish(
      const absl::flat_hash_map<std::string, std::string>& attribute_defaults) &&;

 private:
  // An edge whose endpoint is not (yet) declared and may not be created.
  struct DeferredEdge {
    std::string source;
    std::string target;
    double weight;
    int line;
  };

  NodeId AddKey(absl::string_view key, absl::string_view label);
  NodeId AddImplicit(absl::string_view key);

  ReadOptions options_;
  bool declared_directed_ = false;
  bool weighted_ = false;
  NodeId last_node_ = -1;
  std::vector<std::string> keys_;
  std::vector<std::string> labels_;
  std::vector<bool> declared_;  // false: created by an edge
  absl::flat_hash_map<std::string, NodeId> index_;
  std::vector<Edge> edges_;
  std::vector<DeferredEdge> deferred_;
  NodeAttributes attributes_;
};

// Parses a finite double; INVALID_ARGUMENT naming `line` otherwise.
absl::StatusOr<double> ParseWeight(absl::string_view text, int line);

}  // namespace innoscope::graph
