#pragma once

// ConnectedComponents: weakly or strongly connected components, with the
// giant component's share of the nodes.
//
//   ConnectedComponents weak(graph, ComponentKind::kWeak);
//   RETURN_IF_ERROR(weak.Run());
//   weak.NumComponents();        // 1 for the Java dependency graph
//   ConnectedComponents strong(graph, ComponentKind::kStrong);  // 1,028
//
// Definitions: a weakly connected component is a maximal set of nodes
// connected when edge directions are ignored; a strongly connected component
// is a maximal set in which every node reaches every other along directed
// edges (Tarjan 1972, iterative). For undirected graphs both kinds are the
// connected components. Every convention agrees (Gephi ConnectedComponents,
// networkx, igraph). An isolated node is a component of size 1; self-loops
// and parallel edges change nothing. Components are numbered 0.. in order of
// their smallest node id, so labels are deterministic.
//
// Time O(n + m), memory O(n).

#include <cstdint>
#include <vector>

#include "libs/graph/algorithm.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

enum class ComponentKind { kWeak, kStrong };

class ConnectedComponents final : public Algorithm {
 public:
  ConnectedComponents(const Graph& graph, ComponentKind kind = ComponentKind::kWeak)
      : graph_(graph), kind_(kind) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit ConnectedComponents(Graph&&, ComponentKind = ComponentKind::kWeak) = delete;

  int32_t NumComponents() const {
    AssertHasRun();
    return static_cast<int32_t>(sizes_.size());
  }
  // Component label of every node.
  const std::vector<int32_t>& ComponentOf() const {
    AssertHasRun();
    return component_;
  }
  // Size of each component, by label.
  const std::vector<int64_t>& Sizes() const {
    AssertHasRun();
    return sizes_;
  }
  // Label of the largest component (the smallest label among equals); -1 if n =
  // 0.
  int32_t Largest() const;
  // Size of the largest component / n (0 for an empty graph).
  double GiantComponentShare() const;
  ComponentKind kind() const { return kind_; }

 private:
  absl::Status RunImpl() override;
  absl::Status RunWeak();
  absl::Status RunStrong();
  // Renumbers labels by smallest member and fills sizes_.
  void Normalize(int32_t count);

  const Graph& graph_;
  ComponentKind kind_;
  std::vector<int32_t> component_;
  std::vector<int64_t> sizes_;
};

}  // namespace innoscope::graph
