#pragma once

// Helpers shared by the libs/graph tests: small graphs from edge lists and
// loading the shared reference networks the way the reference values were
// computed (self-loops removed, parallel edges collapsed).
//
//   Graph path = MakeGraph(4, {{0, 1}, {1, 2}, {2, 3}});
//   INNOSCOPE_REQUIRE_SHARED(dir);
//   GraphFile karate = LoadNetwork(dir, "karate.gml");

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "libs/graph/graph.h"
#include "libs/graph/readers.h"

namespace innoscope::graph::testing {

inline Graph MakeGraph(NodeId n, const std::vector<std::pair<NodeId, NodeId>>& edges,
                       bool directed = false) {
  std::vector<Edge> list;
  for (const auto& [u, v] : edges) list.push_back(Edge{u, v, 1.0});
  BuildOptions options;
  options.directed = directed;
  absl::StatusOr<Graph> graph = Graph::FromEdges(n, list, options);
  EXPECT_TRUE(graph.ok()) << graph.status();
  return graph.ok() ? *std::move(graph) : Graph();
}

inline std::string ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline std::string NetworksDir(const std::string& shared_dir) {
  return shared_dir + "/datasets/networks/";
}

// The reference JSON's preparation: "Self-loops removed, parallel edges
// collapsed".
inline ReadOptions ReferenceReadOptions() {
  ReadOptions options;
  options.self_loops = SelfLoopPolicy::kDrop;
  options.multi_edges = MultiEdgePolicy::kMergeKeepFirst;
  return options;
}

inline GraphFile LoadNetwork(const std::string& shared_dir, const std::string& name) {
  absl::StatusOr<GraphFile> file =
      ReadGraphFile(NetworksDir(shared_dir) + name, ReferenceReadOptions());
  EXPECT_TRUE(file.ok()) << file.status();
  return file.ok() ? *std::move(file) : GraphFile();
}

}  // namespace innoscope::graph::testing
