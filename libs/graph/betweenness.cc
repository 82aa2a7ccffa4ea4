#include "libs/graph/betweenness.h"

#include <algorithm>
#include <cmath>

#include "libs/common/status_macros.h"
#include "libs/graph/approx_paths.h"
#include "libs/graph/bfs.h"
#include "libs/graph/bidirectional.h"
#include "libs/graph/parallel.h"
#include "libs/graph/random.h"

namespace innoscope::graph {
namespace {

// Shortest-path counting search (the first phase of Brandes' algorithm),
// reused across sources by one thread; reset costs O(visited).
class PathCountingBfs {
 public:
  explicit PathCountingBfs(NodeId n)
      : distance_(static_cast<size_t>(n), -1),
        sigma_(static_cast<size_t>(n), 0.0),
        delta_(static_cast<size_t>(n), 0.0) {
    order_.reserve(static_cast<size_t>(n));
  }

  // Searches from `source`.
  void Run(const Graph& graph, NodeId source) {
    for (NodeId v : order_) {
      distance_[v] = -1;
      sigma_[v] = 0;
      delta_[v] = 0;
    }
    order_.clear();
    distance_[source] = 0;
    sigma_[source] = 1;
    order_.push_back(source);
    for (size_t head = 0; head < order_.size(); ++head) {
      const NodeId u = order_[head];
      const int32_t next = distance_[u] + 1;
      for (NodeId v : graph.OutNeighbors(u)) {
        if (distance_[v] < 0) {
          distance_[v] = next;
          order_.push_back(v);
        }
        if (distance_[v] == next) sigma_[v] += sigma_[u];
      }
    }
  }

  // Brandes' dependency accumulation; adds delta_s(v) to scores[v].
  void Accumulate(const Graph& graph, std::vector<double>& scores) {
    for (size_t i = order_.size(); i-- > 1;) {
      const NodeId w = order_[i];
      const double coefficient = (1.0 + delta_[w]) / sigma_[w];
      const int32_t previous = distance_[w] - 1;
      // Predecessors are the in-neighbours one level closer to the source.
      for (NodeId v : graph.InNeighbors(w)) {
        if (distance_[v] == previous) delta_[v] += sigma_[v] * coefficient;
      }
      scores[w] += delta_[w];
    }
  }

  int32_t Distance(NodeId v) const { return distance_[v]; }

 private:
  std::vector<int32_t> distance_;
  std::vector<double> sigma_;
  std::vector<double> delta_;
  std::vector<NodeId> order_;
};

// Factor from the ordered-pair sum to the reported scale.
double OutputScale(const Graph& graph, bool normalized) {
  const double n = graph.NumNodes();
  if (normalized && n > 2) return 1.0 / ((n - 1) * (n - 2));  // both kinds
  return graph.directed() ? 1.0 : 0.5;
}

}  // namespace

absl::Status Betweenness::RunImpl() {
  const NodeId n = graph_.NumNodes();
  const int threads = ResolveThreads(options_.num_threads, n);
  std::vector<PathCountingBfs> workspaces(static_cast<size_t>(threads), PathCountingBfs(n));
  std::vector<std::vector<double>> partial(static_cast<size_t>(threads),
                                           std::vector<double>(static_cast<size_t>(n), 0.0));
  absl::Status status = ParallelFor(n, threads, interrupt(), [&](int thread, int64_t source) {
    workspaces[thread].Run(graph_, static_cast<NodeId>(source));
    workspaces[thread].Accumulate(graph_, partial[thread]);
  });
  if (!status.ok()) return status;
  scores_.assign(static_cast<size_t>(n), 0.0);
  for (const std::vector<double>& p : partial) {
    for (NodeId v = 0; v < n; ++v) scores_[v] += p[v];
  }
  const double scale = OutputScale(graph_, options_.normalized);
  for (double& s : scores_) s *= scale;
  return absl::OkStatus();
}

absl::Status ApproxBetweenness::RunImpl() {
  if (!(options_.epsilon > 0 && options_.epsilon < 1) ||
      !(options_.delta > 0 && options_.delta < 1)) {
    return absl::InvalidArgumentError("epsilon and delta must be in (0, 1)");
  }
  const NodeId n = graph_.NumNodes();
  // The vertex diameter (nodes on a longest shortest path) is the diameter
  // plus one.
  ASSIGN_OR_RETURN(const DiameterBounds diameter,
                   BoundDiameter(graph_, /*sweeps=*/0, options_.num_threads, interrupt()));
  vertex_diameter_ = n < 2 ? 0 : diameter.upper + 1;
  constexpr double kC = 0.5;  // the universal constant of Riondato & Kornaropoulos
  const double log_term =
      vertex_diameter_ > 3 ? std::floor(std::log2(static_cast<double>(vertex_diameter_ - 2))) : 0.0;
  samples_ = n < 3 ? 0
                   : static_cast<int64_t>(std::ceil(kC / (options_.epsilon * options_.epsilon) *
                                                    (log_term + 1 + std::log(1 / options_.delta))));
  const int threads = ResolveThreads(options_.num_threads, samples_);
  std::vector<BidirectionalSearch> searches(static_cast<size_t>(threads), BidirectionalSearch(n));
  std::vector<std::vector<int64_t>> hits(static_cast<size_t>(threads),
                                         std::vector<int64_t>(static_cast<size_t>(n), 0));
  absl::Status status =
      ParallelFor(samples_, threads, interrupt(), [&](int thread, int64_t sample) {
        SplitMix64 rng(StreamSeed(options_.seed, static_cast<uint64_t>(sample)));
        const NodeId s = static_cast<NodeId>(rng.Uniform(static_cast<uint64_t>(n)));
        NodeId t = static_cast<NodeId>(rng.Uniform(static_cast<uint64_t>(n - 1)));
        if (t >= s) ++t;
        BidirectionalSearch& search = searches[thread];
        // Unreachable or adjacent: no inner node.
        if (search.Run(graph_, s, t) < 2) return;
        search.SamplePath(graph_, rng, [&](NodeId v) { ++hits[thread][v]; });
      });
  if (!status.ok()) return status;
  // b(v) = hits / r estimates B(v) / (n(n-1)) over ordered pairs.
  const double to_ordered_sum = static_cast<double>(n) * (n - 1);
  const double scale = OutputScale(graph_, options_.normalized) * to_ordered_sum;
  scores_.assign(static_cast<size_t>(n), 0.0);
  for (NodeId v = 0; v < n; ++v) {
    int64_t total = 0;
    for (const std::vector<int64_t>& h : hits) total += h[v];
    scores_[v] = samples_ == 0 ? 0.0 : scale * static_cast<double>(total) / samples_;
  }
  error_bound_ = options_.epsilon * scale;
  return absl::OkStatus();
}

}  // namespace innoscope::graph
