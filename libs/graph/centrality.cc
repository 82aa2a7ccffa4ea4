#include "libs/graph/centrality.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "libs/common/status_macros.h"
#include "libs/graph/bfs.h"
#include "libs/graph/parallel.h"

namespace innoscope::graph {
namespace {

// Calls fn(u, w) for every edge u -> v into v, with networkx's adjacency
// semantics: an undirected edge is followed both ways and an undirected
// self-loop, stored twice in v's list, counts once in total.
template <typename Fn>
void ForEachInEdge(const Graph& graph, NodeId v, bool weighted, Fn fn) {
  absl::Span<const NodeId> nbrs = graph.InNeighbors(v);
  absl::Span<const double> weights =
      weighted && graph.weighted() ? graph.InWeights(v) : absl::Span<const double>();
  for (size_t i = 0; i < nbrs.size(); ++i) {
    double w = weights.empty() ? 1.0 : weights[i];
    if (!graph.directed() && nbrs[i] == v) w *= 0.5;
    fn(nbrs[i], w);
  }
}

// Total weight of the edges out of every node, with ForEachInEdge's semantics.
std::vector<double> OutWeights(const Graph& graph, bool weighted) {
  std::vector<double> out(static_cast<size_t>(graph.NumNodes()), 0.0);
  for (NodeId v = 0; v < graph.NumNodes(); ++v) {
    ForEachInEdge(graph, v, weighted, [&](NodeId u, double w) { out[u] += w; });
  }
  return out;
}

// Sum of |a - b|.
double L1Distance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::fabs(a[i] - b[i]);
  return sum;
}

// BFS direction for a closeness-type measure under a convention: networkx
// measures distances *to* a node in directed graphs.
Direction ClosenessDirection(Convention convention) {
  return convention == Convention::kNetworkx ? Direction::kIn : Direction::kOut;
}

// Sum of distances, sum of inverse distances and count of reached nodes
// from every source; shared by Closeness and HarmonicCloseness.
struct DistanceSums {
  std::vector<double> distance_sum;
  std::vector<double> inverse_sum;
  std::vector<int64_t> reached;
};

absl::Status ComputeDistanceSums(const Graph& graph, Direction direction, int num_threads,
                                 const Interrupt& interrupt, DistanceSums& sums) {
  const size_t n = static_cast<size_t>(graph.NumNodes());
  sums.distance_sum.assign(n, 0.0);
  sums.inverse_sum.assign(n, 0.0);
  sums.reached.assign(n, 0);
  return ForEachSourceBfs(graph, direction, num_threads, interrupt,
                          [&](int, NodeId source, const BfsWorkspace& bfs) {
                            absl::Span<const NodeId> order = bfs.Order();
                            int64_t total = 0;
                            double inverse = 0;
                            for (size_t i = 1; i < order.size(); ++i) {
                              const int32_t d = bfs.Distance(order[i]);
                              total += d;
                              inverse += 1.0 / d;
                            }
                            // One writer per source.
                            sums.distance_sum[source] = static_cast<double>(total);
                            sums.inverse_sum[source] = inverse;
                            sums.reached[source] = static_cast<int64_t>(order.size()) - 1;
                          });
}

}  // namespace

absl::Status DegreeCentrality::RunImpl() {
  const NodeId n = graph_.NumNodes();
  scores_.assign(static_cast<size_t>(n), 0.0);
  const bool in = options_.mode != DegreeMode::kOut;
  const bool out = options_.mode != DegreeMode::kIn;
  if (options_.weighted && graph_.weighted()) {
    for (const Edge& e : graph_.Edges()) {
      if (!graph_.directed()) {
        scores_[e.source] += e.weight;
        scores_[e.target] += e.weight;  // a self-loop adds 2w
        continue;
      }
      if (out) scores_[e.source] += e.weight;
      if (in) scores_[e.target] += e.weight;
    }
  } else {
    for (NodeId v = 0; v < n; ++v) {
      scores_[v] = static_cast<double>(!graph_.directed() ? graph_.Degree(v)
                                                          : (out ? graph_.OutDegree(v) : 0) +
                                                                (in ? graph_.InDegree(v) : 0));
    }
  }
  if (options_.normalized) {
    const double scale = n > 1 ? 1.0 / (n - 1) : 0.0;
    for (double& s : scores_) s *= scale;
  }
  return absl::OkStatus();
}

absl::Status Closeness::RunImpl() {
  DistanceSums sums;
  RETURN_IF_ERROR(ComputeDistanceSums(graph_, ClosenessDirection(options_.convention),
                                      options_.num_threads, interrupt(), sums));
  const NodeId n = graph_.NumNodes();
  scores_.assign(static_cast<size_t>(n), 0.0);
  for (NodeId v = 0; v < n; ++v) {
    const double r = static_cast<double>(sums.reached[v]);
    if (r == 0) {
      if (options_.convention == Convention::kIgraph) {
        scores_[v] = std::numeric_limits<double>::quiet_NaN();
      }
      continue;
    }
    scores_[v] = r / sums.distance_sum[v];
    if (options_.convention == Convention::kNetworkx) scores_[v] *= r / (n - 1);
  }
  return absl::OkStatus();
}

absl::Status HarmonicCloseness::RunImpl() {
  DistanceSums sums;
  RETURN_IF_ERROR(ComputeDistanceSums(graph_, ClosenessDirection(options_.convention),
                                      options_.num_threads, interrupt(), sums));
  const NodeId n = graph_.NumNodes();
  scores_.assign(static_cast<size_t>(n), 0.0);
  for (NodeId v = 0; v < n; ++v) {
    switch (options_.convention) {
      case Convention::kGephi:
        scores_[v] = sums.reached[v] == 0 ? 0.0 : sums.inverse_sum[v] / sums.reached[v];
        break;
      case Convention::kNetworkx:
        scores_[v] = sums.inverse_sum[v];
        break;
      case Convention::kIgraph:
        scores_[v] = n > 1 ? sums.inverse_sum[v] / (n - 1) : 0.0;
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status PageRank::RunImpl() {
  if (options_.weighted && graph_.HasNegativeWeights()) {
    return absl::InvalidArgumentError("PageRank needs non-negative edge weights");
  }
  if (!(options_.damping >= 0 && options_.damping <= 1)) {
    return absl::InvalidArgumentError("PageRank damping must be in [0, 1]");
  }
  const NodeId n = graph_.NumNodes();
  scores_.clear();
  iterations_ = 0;
  converged_ = false;
  if (n == 0) {
    converged_ = true;
    return absl::OkStatus();
  }
  const std::vector<double> out_weight = OutWeights(graph_, options_.weighted);
  std::vector<double> x(static_cast<size_t>(n), 1.0 / n);
  std::vector<double> next(static_cast<size_t>(n));
  const double d = options_.damping;
  while (iterations_ < options_.max_iterations) {
    RETURN_IF_ERROR(interrupt().Check());
    ++iterations_;
    double dangling = 0;
    for (NodeId u = 0; u < n; ++u) {
      if (out_weight[u] == 0) dangling += x[u];
    }
    const double base = (d * dangling + 1.0 - d) / n;
    for (NodeId v = 0; v < n; ++v) {
      double incoming = 0;
      ForEachInEdge(graph_, v, options_.weighted,
                    [&](NodeId u, double w) { incoming += x[u] * w / out_weight[u]; });
      next[v] = d * incoming + base;
    }
    const double error = L1Distance(next, x);
    x.swap(next);
    if (error < n * options_.tolerance) {
      converged_ = true;
      break;
    }
  }
  scores_ = std::move(x);
  return absl::OkStatus();
}

absl::Status EigenvectorCentrality::RunImpl() {
  const NodeId n = graph_.NumNodes();
  scores_.clear();
  iterations_ = 0;
  converged_ = false;
  if (n == 0) {
    converged_ = true;
    return absl::OkStatus();
  }
  std::vector<double> x(static_cast<size_t>(n), 1.0 / n);
  std::vector<double> next(static_cast<size_t>(n));
  while (iterations_ < options_.max_iterations) {
    RETURN_IF_ERROR(interrupt().Check());
    ++iterations_;
    for (NodeId v = 0; v < n; ++v) {
      double sum = x[v];  // the identity shift
      ForEachInEdge(graph_, v, options_.weighted, [&](NodeId u, double w) { sum += x[u] * w; });
      next[v] = sum;
    }
    double norm = 0;
    for (double value : next) norm += value * value;
    norm = std::sqrt(norm);
    if (norm == 0) norm = 1;
    for (double& value : next) value /= norm;
    const double error = L1Distance(next, x);
    x.swap(next);
    if (error < n * options_.tolerance) {
      converged_ = true;
      break;
    }
  }
  scores_ = std::move(x);
  return absl::OkStatus();
}

std::vector<NodeScore> TopN(absl::Span<const double> scores, int n) {
  std::vector<NodeId> ids(scores.size());
  std::iota(ids.begin(), ids.end(), 0);
  const size_t k = std::min(scores.size(), static_cast<size_t>(std::max(n, 0)));
  auto better = [&](NodeId a, NodeId b) {
    const bool a_nan = std::isnan(scores[a]), b_nan = std::isnan(scores[b]);
    if (a_nan != b_nan) return b_nan;
    if (!a_nan && scores[a] != scores[b]) return scores[a] > scores[b];
    return a < b;
  };
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), better);
  std::vector<NodeScore> top(k);
  for (size_t i = 0; i < k; ++i) top[i] = NodeScore{ids[i], scores[ids[i]]};
  return top;
}

}  // namespace innoscope::graph
