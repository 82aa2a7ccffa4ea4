#include "libs/graph/core_decomposition.h"

#include <algorithm>

#include "libs/common/status_macros.h"

namespace innoscope::graph {

absl::Status CoreDecomposition::RunImpl() {
  const NodeId n = graph_.NumNodes();
  // Degree without self-loops (an undirected loop appears twice in the list).
  auto for_each_neighbor = [&](NodeId v, auto fn) {
    for (NodeId u : graph_.OutNeighbors(v)) {
      if (u != v) fn(u);
    }
    if (graph_.directed()) {
      for (NodeId u : graph_.InNeighbors(v)) {
        if (u != v) fn(u);
      }
    }
  };
  std::vector<int32_t> degree(static_cast<size_t>(n), 0);
  int32_t max_degree = 0;
  for (NodeId v = 0; v < n; ++v) {
    for_each_neighbor(v, [&](NodeId) { ++degree[v]; });
    max_degree = std::max(max_degree, degree[v]);
  }
  // Bucket sort nodes by degree: bin[d] = first position of degree d.
  std::vector<int32_t> bin(static_cast<size_t>(max_degree) + 2, 0);
  for (NodeId v = 0; v < n; ++v) ++bin[degree[v] + 1];
  for (size_t d = 1; d < bin.size(); ++d) bin[d] += bin[d - 1];
  std::vector<NodeId> order(static_cast<size_t>(n));
  std::vector<int32_t> position(static_cast<size_t>(n));
  {
    std::vector<int32_t> next(bin.begin(), bin.end() - 1);
    for (NodeId v = 0; v < n; ++v) {
      position[v] = next[degree[v]]++;
      order[position[v]] = v;
    }
  }
  for (int32_t i = 0; i < n; ++i) {
    if (i % 4096 == 0) {
      RETURN_IF_ERROR(interrupt().Check());
    }
    const NodeId v = order[i];
    for_each_neighbor(v, [&](NodeId u) {
      if (degree[u] <= degree[v]) return;
      // Move u to the front of its bucket, then shrink its degree.
      const int32_t du = degree[u];
      const int32_t pu = position[u];
      const int32_t pw = bin[du];
      const NodeId w = order[pw];
      if (u != w) {
        std::swap(order[pu], order[pw]);
        position[u] = pw;
        position[w] = pu;
      }
      ++bin[du];
      --degree[u];
    });
  }
  core_ = std::move(degree);
  max_core_ = core_.empty() ? 0 : *std::max_element(core_.begin(), core_.end());
  return absl::OkStatus();
}

}  // namespace innoscope::graph
