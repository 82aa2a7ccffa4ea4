#pragma once

// Multi-source bit-parallel breadth-first search (Then, Kaufmann, Chirigati,
// Hoang-Vu, Pham, Kemper, Neumann and Vo, "The More the Merrier: Efficient
// Multi-Source Graph Traversal", VLDB 2014): up to kBatch = 256 searches run
// together, level by level, each node holding one bit per search in four
// 64-bit words for "seen", "frontier" and "next". One level is
//
//   next[v]     |= frontier[u]           for every edge u -> v with frontier[u] != 0
//   new[v]       = next[v] & ~seen[v];   seen[v] |= new[v];   frontier[v] = new[v]
//
// so an edge is read once per level for all searches of the batch that have
// its tail in their frontier, instead of once per search. Distances are not
// stored: the searches found at level d are popcount(new[v]) for each v, so
// the level loop yields, per batch, the sum of distances and the number of
// reached nodes (both exact integers) and, per source, its eccentricity (the
// last level whose new bits include the source's bit). Internal to
// libs/graph (PathStatistics).
//
//   MultiSourceBfs bfs(adjacency.offsets.size() - 1);
//   MultiSourceBfs::Totals t = bfs.Run(adjacency, sources, eccentricity.data());
//
// Time O(L (n + m)) word operations per batch of up to 256 sources, L the
// largest eccentricity in the batch; memory 96 bytes per node.

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "libs/graph/graph.h"
#include "libs/graph/relabel.h"

namespace innoscope::graph {

class MultiSourceBfs {
 public:
  static constexpr int kWords = 4;
  static constexpr int kBatch = 64 * kWords;

  explicit MultiSourceBfs(NodeId num_nodes);

  struct Totals {
    int64_t distance_sum = 0;  // sum of d(s, v) over sources s and reached v != s
    int64_t reached = 0;       // pairs (s, v), v != s, v reachable from s
  };

  // Searches along `adjacency` from sources[0..k), k <= kBatch (distinct
  // nodes); writes the eccentricity of sources[i] (0 when it reaches
  // nothing) to eccentricity[i].
  Totals Run(const CompactAdjacency& adjacency, absl::Span<const NodeId> sources,
             int32_t* eccentricity);

 private:
  // kWords words per node: bit i of node v's words is search i's.
  std::vector<uint64_t> seen_;
  std::vector<uint64_t> frontier_;
  std::vector<uint64_t> next_;
  std::vector<NodeId> active_;  // nodes whose frontier words are not all 0
};

}  // namespace innoscope::graph
