#pragma once

// Cache-friendly relabelling for the all-pairs searches (PathStatistics'
// multi-source BFS, Betweenness): nodes renumbered in breadth-first order
// over the undirected view, so that neighbours get nearby numbers and a
// search touches nearby memory, and a compact copy of the adjacency in the
// new numbering. Internal to libs/graph.
//
//   const Relabelled r = Relabel(graph);
//   for (NodeId v : r.out.Row(r.new_of[old])) ... r.old_of[v] ...
//
// Order: searches start from the nodes in order of decreasing total degree
// (smallest id on ties), each from the first node not yet numbered, and
// number nodes as they are reached (over out- and in-edges alike). Hubs
// come first and the nodes around each hub follow it, the BFS ordering of
// Cuthill & McKee (1969) without the reversal. Distances, path counts and
// every result are invariant under the renumbering; only memory locality
// changes. Time O(n log n + m), memory O(n + m) (one more copy of the
// adjacency of each direction used).

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "absl/types/span.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

// One direction of the adjacency in CSR form.
struct CompactAdjacency {
  std::vector<int64_t> offsets;  // n + 1
  std::vector<NodeId> targets;

  absl::Span<const NodeId> Row(NodeId v) const {
    return absl::Span<const NodeId>(targets.data() + offsets[v],
                                    static_cast<size_t>(offsets[v + 1] - offsets[v]));
  }
};

struct Relabelled {
  std::vector<NodeId> new_of;  // new id of old node v
  std::vector<NodeId> old_of;  // old id of new node u
  CompactAdjacency out;        // out-neighbours, new ids, each row sorted
  CompactAdjacency in;         // in-neighbours (empty unless asked for)
};

// The adjacency `row(old)` renumbered by `r`'s permutation.
template <typename Row>
CompactAdjacency RenumberAdjacency(const Relabelled& r, const Row& row) {
  const NodeId n = static_cast<NodeId>(r.old_of.size());
  CompactAdjacency a;
  a.offsets.assign(static_cast<size_t>(n) + 1, 0);
  for (NodeId u = 0; u < n; ++u) {
    a.offsets[u + 1] = a.offsets[u] + static_cast<int64_t>(row(r.old_of[u]).size());
  }
  a.targets.resize(static_cast<size_t>(a.offsets[n]));
  for (NodeId u = 0; u < n; ++u) {
    NodeId* out = a.targets.data() + a.offsets[u];
    for (NodeId v : row(r.old_of[u])) *out++ = r.new_of[v];
    std::sort(a.targets.data() + a.offsets[u], out);
  }
  return a;
}

// See the file comment. `with_in`: also build the in-adjacency (directed
// graphs; for undirected graphs `in` is left empty and equals `out`).
inline Relabelled Relabel(const Graph& graph, bool with_in) {
  const NodeId n = graph.NumNodes();
  Relabelled r;
  std::vector<NodeId> by_degree(static_cast<size_t>(n));
  std::iota(by_degree.begin(), by_degree.end(), 0);
  std::stable_sort(by_degree.begin(), by_degree.end(),
                   [&](NodeId a, NodeId b) { return graph.Degree(a) > graph.Degree(b); });
  r.new_of.assign(static_cast<size_t>(n), -1);
  r.old_of.reserve(static_cast<size_t>(n));
  for (NodeId root : by_degree) {
    if (r.new_of[root] >= 0) continue;
    r.new_of[root] = static_cast<NodeId>(r.old_of.size());
    r.old_of.push_back(root);
    for (size_t head = r.old_of.size() - 1; head < r.old_of.size(); ++head) {
      const NodeId u = r.old_of[head];
      auto visit = [&](NodeId v) {
        if (r.new_of[v] < 0) {
          r.new_of[v] = static_cast<NodeId>(r.old_of.size());
          r.old_of.push_back(v);
        }
      };
      for (NodeId v : graph.OutNeighbors(u)) visit(v);
      if (graph.directed()) {
        for (NodeId v : graph.InNeighbors(u)) visit(v);
      }
    }
  }
  r.out = RenumberAdjacency(r, [&](NodeId v) { return graph.OutNeighbors(v); });
  if (with_in && graph.directed()) {
    r.in = RenumberAdjacency(r, [&](NodeId v) { return graph.InNeighbors(v); });
  }
  return r;
}

}  // namespace innoscope::graph
