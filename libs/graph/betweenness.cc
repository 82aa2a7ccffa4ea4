#include "libs/graph/betweenness.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "libs/common/status_macros.h"
#include "libs/graph/approx_paths.h"
#include "libs/graph/bfs.h"
#include "libs/graph/bidirectional.h"
#include "libs/graph/parallel.h"
#include "libs/graph/random.h"
#include "libs/graph/relabel.h"

namespace innoscope::graph {
namespace {

// Brandes' two phases from one root at a time, reused across roots by one
// thread (no allocation per root; reset costs O(visited)). It runs on the
// relabelled adjacency (relabel.h), each node's distance and path count
// (later its dependency coefficient) side by side in one record, so a
// search touches one cache line per node it reaches.
//
// A root r stands for itself (own = 1, or 0 when it is itself a dependent,
// see Betweenness::RunImpl) and for its dependents D: the nodes whose only
// out-neighbour it is. For s in D and t != s, every shortest s-t path is
// the edge s -> r followed by a shortest r-t path (one through s would
// return to r), so with f_t(v) = sigma_rt(v) / sigma_rt on the root's
// shortest-path DAG, source s adds f_t(v) for every target t != s, and 1 to
// r for every target r reaches other than s. Summed over {r} and D, with
// the target weight c(t) = own + |D| - [t in D]:
//   v != r:  delta_c(v) = sum_t c(t) f_t(v)
//   v = r:   |D| reach(r) - |D and reached|
// (a dependent is never inner on the root's DAG: its only successor is r,
// at distance 0, so the endpoint rule needs no correction). delta_c obeys
// Brandes' recursion with the target weight in place of 1:
//   delta_c(v) = sigma_v sum over successors w of (c(w) + delta_c(w)) / sigma_w.
class BrandesSearch {
 public:
  explicit BrandesSearch(NodeId n)
      : state_(static_cast<size_t>(n)), dependent_(static_cast<size_t>(n), 0) {
    order_.reserve(static_cast<size_t>(n));
  }

  // Adds the contributions of `root` (when own) and of `dependents` to
  // scores.
  void Run(const CompactAdjacency& out, NodeId root, bool own, absl::Span<const NodeId> dependents,
           double* scores) {
    Search(out, root);
    if (dependents.empty()) {
      Accumulate</*kDependents=*/false>(out, 1.0, scores);
      return;
    }
    for (NodeId s : dependents) dependent_[s] = 1;
    const double base = (own ? 1.0 : 0.0) + static_cast<double>(dependents.size());
    const int64_t reached_dependents = Accumulate</*kDependents=*/true>(out, base, scores);
    scores[root] +=
        static_cast<double>(dependents.size()) * static_cast<double>(order_.size() - 1) -
        static_cast<double>(reached_dependents);
    for (NodeId s : dependents) dependent_[s] = 0;
  }

 private:
  // 16 bytes, four to a cache line: phase 2 overwrites sigma_v with v's
  // coefficient once v is done (only v itself needs sigma_v after that).
  struct State {
    double value = 0;  // sigma_v, then (c(v) + delta_c(v)) / sigma_v
    int32_t distance = -1;
  };

  // Phase 1: distances and shortest-path counts, level by level.
  void Search(const CompactAdjacency& out, NodeId root) {
    for (NodeId v : order_) state_[v] = State();
    order_.clear();
    state_[root].distance = 0;
    state_[root].value = 1;
    order_.push_back(root);
    for (size_t head = 0; head < order_.size(); ++head) {
      const NodeId u = order_[head];
      const int32_t next = state_[u].distance + 1;
      const double sigma_u = state_[u].value;
      for (NodeId v : out.Row(u)) {
        State& sv = state_[v];
        if (sv.distance < 0) {
          sv.distance = next;
          order_.push_back(v);
        }
        if (sv.distance == next) sv.value += sigma_u;
      }
    }
  }

  // Phase 2: dependencies in reverse BFS order, pulled from successors
  // (each edge costs one lookup). Returns how many dependents were reached.
  template <bool kDependents>
  int64_t Accumulate(const CompactAdjacency& out, double base, double* scores) {
    int64_t reached_dependents = 0;
    for (size_t i = order_.size(); i-- > 1;) {
      const NodeId v = order_[i];
      State& sv = state_[v];
      const int32_t successor = sv.distance + 1;
      double sum = 0;
      for (NodeId w : out.Row(v)) {
        const State& sw = state_[w];
        if (sw.distance == successor) sum += sw.value;
      }
      const double sigma_v = sv.value;
      const double dependency = sigma_v * sum;
      scores[v] += dependency;
      double weight = base;
      if (kDependents && dependent_[v] != 0) {
        ++reached_dependents;
        weight -= 1.0;
      }
      sv.value = (weight + dependency) / sigma_v;
    }
    return reached_dependents;
  }

  std::vector<State> state_;
  std::vector<NodeId> order_;
  std::vector<uint8_t> dependent_;  // 1 for the current root's dependents
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
  const Relabelled relabelled = Relabel(graph_, /*with_in=*/false);
  const CompactAdjacency& out = relabelled.out;
  // single[v]: v's only out-neighbour other than itself (however many
  // parallel edges lead there), or -1. Every shortest path out of such a
  // node starts with that edge, so it needs no search of its own: it is a
  // dependent of that neighbour's search (BrandesSearch). A node without
  // out-edges (self-loops aside) reaches nothing and adds nothing.
  std::vector<NodeId> single(static_cast<size_t>(n), -1);
  std::vector<uint8_t> has_out(static_cast<size_t>(n), 0);
  std::vector<int64_t> dependents_offsets(static_cast<size_t>(n) + 1, 0);
  for (NodeId v = 0; v < n; ++v) {
    NodeId only = -1;
    bool several = false;
    for (NodeId w : out.Row(v)) {
      if (w == v) continue;
      if (only >= 0 && w != only) several = true;
      only = w;
    }
    has_out[v] = only >= 0 ? 1 : 0;
    if (only >= 0 && !several) {
      single[v] = only;
      ++dependents_offsets[only + 1];
    }
  }
  for (NodeId v = 0; v < n; ++v) dependents_offsets[v + 1] += dependents_offsets[v];
  std::vector<NodeId> dependents(static_cast<size_t>(dependents_offsets[n]));
  {
    std::vector<int64_t> next(dependents_offsets.begin(), dependents_offsets.end() - 1);
    for (NodeId v = 0; v < n; ++v) {
      if (single[v] >= 0) dependents[next[single[v]]++] = v;
    }
  }
  std::vector<NodeId> roots;
  for (NodeId v = 0; v < n; ++v) {
    const bool own = has_out[v] && single[v] < 0;
    if (has_out[v] && (own || dependents_offsets[v + 1] > dependents_offsets[v])) {
      roots.push_back(v);
    }
  }
  const int threads = ResolveThreads(options_.num_threads, static_cast<int64_t>(roots.size()));
  std::vector<BrandesSearch> searches(static_cast<size_t>(threads), BrandesSearch(n));
  std::vector<std::vector<double>> partial(static_cast<size_t>(threads),
                                           std::vector<double>(static_cast<size_t>(n), 0.0));
  absl::Status status = ParallelFor(
      static_cast<int64_t>(roots.size()), threads, interrupt(), [&](int thread, int64_t i) {
        const NodeId r = roots[i];
        const absl::Span<const NodeId> d =
            absl::MakeConstSpan(dependents)
                .subspan(static_cast<size_t>(dependents_offsets[r]),
                         static_cast<size_t>(dependents_offsets[r + 1] - dependents_offsets[r]));
        searches[thread].Run(out, r, /*own=*/single[r] < 0, d, partial[thread].data());
      });
  if (!status.ok()) return status;
  scores_.assign(static_cast<size_t>(n), 0.0);
  const double scale = OutputScale(graph_, options_.normalized);
  for (NodeId v = 0; v < n; ++v) {
    double sum = 0;
    for (const std::vector<double>& p : partial) sum += p[v];
    scores_[relabelled.old_of[v]] = sum * scale;
  }
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
