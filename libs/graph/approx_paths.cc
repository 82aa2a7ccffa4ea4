#include "libs/graph/approx_paths.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "absl/types/span.h"
#include "libs/common/status_macros.h"
#include "libs/graph/bfs.h"
#include "libs/graph/bidirectional.h"
#include "libs/graph/components.h"
#include "libs/graph/parallel.h"
#include "libs/graph/random.h"

namespace innoscope::graph {
namespace {

constexpr int64_t kPollInterval = 4096;

// The farthest node of the last search and its distance.
struct Farthest {
  int32_t distance = 0;
  NodeId node = 0;
  Direction direction = Direction::kOut;
};

Farthest FarthestOf(const BfsWorkspace& bfs, Direction direction) {
  const NodeId last = bfs.Order().back();  // BFS order: non-decreasing distance
  return {bfs.Distance(last), last, direction};
}

// The longest path of the condensation of a directed graph, each component
// weighing bound[c] and each step between components 1 (Kahn's topological
// order). O(n + m).
absl::StatusOr<int64_t> LongestCondensationPath(const Graph& graph,
                                                const std::vector<int32_t>& component,
                                                const std::vector<int64_t>& bound,
                                                const Interrupt& interrupt) {
  const NodeId n = graph.NumNodes();
  const size_t components = bound.size();
  std::vector<int64_t> offsets(components + 1, 0);
  for (NodeId v = 0; v < n; ++v) ++offsets[component[v] + 1];
  for (size_t c = 0; c < components; ++c) offsets[c + 1] += offsets[c];
  std::vector<NodeId> members(static_cast<size_t>(n));
  {
    std::vector<int64_t> next(offsets.begin(), offsets.end() - 1);
    for (NodeId v = 0; v < n; ++v) members[next[component[v]]++] = v;
  }
  std::vector<int64_t> indegree(components, 0);
  for (NodeId u = 0; u < n; ++u) {
    for (NodeId v : graph.OutNeighbors(u)) {
      if (component[v] != component[u]) ++indegree[component[v]];
    }
  }
  std::vector<int32_t> ready;
  for (size_t c = 0; c < components; ++c) {
    if (indegree[c] == 0) ready.push_back(static_cast<int32_t>(c));
  }
  // before[c]: the longest path ending just before c, with the step into c
  // (0 when c has no predecessor).
  std::vector<int64_t> before(components, 0);
  int64_t longest = 0;
  int64_t processed = 0;
  while (!ready.empty()) {
    if (++processed % kPollInterval == 0) RETURN_IF_ERROR(interrupt.Check());
    const int32_t c = ready.back();
    ready.pop_back();
    const int64_t through = before[c] + bound[c];
    longest = std::max(longest, through);
    for (int64_t i = offsets[c]; i < offsets[c + 1]; ++i) {
      for (NodeId v : graph.OutNeighbors(members[i])) {
        const int32_t d = component[v];
        if (d == c) continue;
        before[d] = std::max(before[d], through + 1);
        if (--indegree[d] == 0) ready.push_back(d);
      }
    }
  }
  return longest;
}

// Mean and unbiased sample variance.
std::pair<double, double> Moments(const std::vector<double>& x) {
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  const double variance = x.size() < 2 ? 0.0 : squares / static_cast<double>(x.size() - 1);
  return {mean, variance};
}

// iFUB (Crescenzi, Grossi, Habib, Lanzi & Marino 2013) on the connected
// component of `centre` in an undirected graph: with F_i the nodes at
// distance i from the centre, every pair inside levels <= i is at most 2i
// apart, so once every node of the levels above i has been searched from,
// the component's diameter is at most max(lower, 2i), lower being the
// largest eccentricity found. Levels are searched from the top down until
// lower >= 2(i - 1) (the diameter is then `lower`) or `budget` searches
// have run (the bounds then still hold). Returns {lower, upper, searches}.
DiameterBounds Ifub(const Graph& graph, NodeId centre, int64_t lower, int64_t budget,
                    BfsWorkspace& from_centre, BfsWorkspace& bfs) {
  DiameterBounds b;
  from_centre.Run(graph, Direction::kOut, centre);
  b.searches = 1;
  absl::Span<const NodeId> order = from_centre.Order();
  int64_t level = from_centre.Distance(order.back());
  b.lower = std::max(lower, level);
  size_t end = order.size();
  while (b.lower < 2 * level) {
    size_t begin = end;
    while (begin > 0 && from_centre.Distance(order[begin - 1]) == level) --begin;
    for (size_t k = begin; k < end; ++k) {
      if (b.searches >= budget) {
        b.upper = 2 * level;  // F_level not finished: levels <= level remain
        return b;
      }
      bfs.Run(graph, Direction::kOut, order[k]);
      ++b.searches;
      b.lower = std::max<int64_t>(b.lower, bfs.Distance(bfs.Order().back()));
    }
    end = begin;
    --level;
  }
  b.upper = b.lower;
  return b;
}

}  // namespace

double EmpiricalBernsteinHalfWidth(double variance, double range, int64_t k, double delta) {
  if (k < 2) return std::numeric_limits<double>::infinity();
  const double log_term = std::log(4.0 / delta);
  return std::sqrt(2.0 * variance * log_term / static_cast<double>(k)) +
         7.0 * range * log_term / (3.0 * static_cast<double>(k - 1));
}

namespace {

// The components BoundDiameter works on: strongly connected ones for
// directed graphs, connected ones otherwise.
absl::StatusOr<ConnectedComponents> DiameterComponents(const Graph& graph,
                                                       const Interrupt& interrupt) {
  ConnectedComponents components(graph,
                                 graph.directed() ? ComponentKind::kStrong : ComponentKind::kWeak);
  components.set_interrupt(interrupt);
  RETURN_IF_ERROR(components.Run());
  return components;
}

// BoundDiameter on components already computed (n >= 2).
absl::StatusOr<DiameterBounds> BoundDiameterWith(const Graph& graph,
                                                 const ConnectedComponents& components, int sweeps,
                                                 int64_t exact_searches, int num_threads,
                                                 const Interrupt& interrupt) {
  DiameterBounds bounds;
  const NodeId n = graph.NumNodes();
  const bool directed = graph.directed();
  const std::vector<int32_t>& component = components.ComponentOf();
  const std::vector<int64_t>& sizes = components.Sizes();

  // Each component's centre: its highest-degree node (smallest id on ties).
  std::vector<NodeId> centre(sizes.size(), -1);
  for (NodeId v = 0; v < n; ++v) {
    NodeId& c = centre[component[v]];
    if (c < 0 || graph.Degree(v) > graph.Degree(c)) c = v;
  }
  std::vector<int32_t> nontrivial;
  for (size_t c = 0; c < sizes.size(); ++c) {
    if (sizes[c] >= 2) nontrivial.push_back(static_cast<int32_t>(c));
  }
  const int threads = ResolveThreads(num_threads, static_cast<int64_t>(nontrivial.size()));
  std::vector<BfsWorkspace> workspaces(static_cast<size_t>(threads), BfsWorkspace(n));
  std::vector<Farthest> farthest(static_cast<size_t>(threads));
  auto offer = [&](int t, const Farthest& f) {
    if (f.distance > farthest[t].distance) farthest[t] = f;
  };
  // Searches out of (and into) each centre, staying inside its component.
  std::vector<int64_t> bound(sizes.size(), 0);
  RETURN_IF_ERROR(ParallelFor(
      static_cast<int64_t>(nontrivial.size()), threads, interrupt, [&](int t, int64_t i) {
        const int32_t c = nontrivial[i];
        auto inside = [&](NodeId v) { return component[v] == c; };
        BfsWorkspace& bfs = workspaces[t];
        bfs.Run(graph, Direction::kOut, centre[c], inside);
        const Farthest out = FarthestOf(bfs, Direction::kOut);
        offer(t, out);
        int64_t in_eccentricity = out.distance;
        if (directed) {
          bfs.Run(graph, Direction::kIn, centre[c], inside);
          const Farthest in = FarthestOf(bfs, Direction::kIn);
          offer(t, in);
          in_eccentricity = in.distance;
        }
        bound[c] = std::min<int64_t>(out.distance + in_eccentricity, sizes[c] - 1);
      }));
  bounds.searches = static_cast<int64_t>(nontrivial.size()) * (directed ? 2 : 1);
  if (directed) {
    ASSIGN_OR_RETURN(bounds.upper, LongestCondensationPath(graph, component, bound, interrupt));
  } else {
    bounds.upper = *std::max_element(bound.begin(), bound.end());
  }

  // Double sweep from the farthest node found, against the direction of the
  // search that found it (directed graphs), on the whole graph.
  Farthest best;
  for (const Farthest& f : farthest) {
    if (f.distance > best.distance) best = f;
  }
  bounds.lower = best.distance;
  for (int sweep = 0; sweep < sweeps && best.distance > 0; ++sweep) {
    RETURN_IF_ERROR(interrupt.Check());
    const Direction direction =
        directed && best.direction == Direction::kOut ? Direction::kIn : Direction::kOut;
    workspaces[0].Run(graph, direction, best.node);
    ++bounds.searches;
    best = FarthestOf(workspaces[0], direction);
    bounds.lower = std::max<int64_t>(bounds.lower, best.distance);
  }
  bounds.upper = std::max(bounds.upper, bounds.lower);

  // Undirected graphs: iFUB on the components whose bound exceeds the lower
  // bound, largest bound first, while the budget lasts.
  if (!directed && exact_searches > 0 && bounds.upper > bounds.lower) {
    std::vector<int32_t> by_bound = nontrivial;
    std::stable_sort(by_bound.begin(), by_bound.end(),
                     [&](int32_t a, int32_t b) { return bound[a] > bound[b]; });
    int64_t budget = exact_searches;
    int64_t upper = 0;  // over the components refined or skipped
    BfsWorkspace& spare = workspaces.size() > 1 ? workspaces[1] : workspaces.emplace_back(n);
    for (int32_t c : by_bound) {
      if (bound[c] <= bounds.lower) break;  // this and every later one are done
      RETURN_IF_ERROR(interrupt.Check());
      if (budget <= 0) {
        upper = std::max(upper, bound[c]);
        continue;
      }
      const DiameterBounds refined =
          Ifub(graph, centre[c], bounds.lower, budget, workspaces[0], spare);
      budget -= refined.searches;
      bounds.searches += refined.searches;
      bounds.lower = std::max(bounds.lower, refined.lower);
      upper = std::max(upper, std::min(bound[c], refined.upper));
    }
    bounds.upper = std::max(upper, bounds.lower);
  }
  return bounds;
}

}  // namespace

absl::StatusOr<DiameterBounds> BoundDiameter(const Graph& graph, int sweeps, int num_threads,
                                             const Interrupt& interrupt, int64_t exact_searches) {
  if (graph.NumNodes() < 2) return DiameterBounds();
  ASSIGN_OR_RETURN(const ConnectedComponents components, DiameterComponents(graph, interrupt));
  return BoundDiameterWith(graph, components, sweeps, exact_searches, num_threads, interrupt);
}

absl::Status ApproxPathStatistics::RunImpl() {
  if (options_.samples < 1) return absl::InvalidArgumentError("samples must be >= 1");
  if (!(options_.delta > 0 && options_.delta < 1)) {
    return absl::InvalidArgumentError("delta must be in (0, 1)");
  }
  if (options_.max_attempts < 0) {
    return absl::InvalidArgumentError("max_attempts must be >= 0");
  }
  average_path_length_ = average_path_length_low_ = average_path_length_high_ = 0;
  diameter_lower_ = diameter_upper_ = 0;
  reachable_pairs_ = 0;
  pairs_drawn_ = pairs_reachable_ = searches_ = 0;
  const NodeId n = graph_.NumNodes();
  if (n < 2) return absl::OkStatus();

  ASSIGN_OR_RETURN(const ConnectedComponents components, DiameterComponents(graph_, interrupt()));
  ASSIGN_OR_RETURN(
      const DiameterBounds bounds,
      BoundDiameterWith(graph_, components, options_.sweeps, options_.exact_diameter_searches,
                        options_.num_threads, interrupt()));
  diameter_lower_ = bounds.lower;
  diameter_upper_ = bounds.upper;
  searches_ = bounds.searches;
  if (diameter_upper_ == 0) return absl::OkStatus();  // no pair is reachable

  // Undirected graphs: pairs in different components are rejected without a
  // search, and R is exact.
  const bool undirected = !graph_.directed();
  const std::vector<int32_t>& component = components.ComponentOf();
  if (undirected) {
    for (int64_t size : components.Sizes()) {
      reachable_pairs_ += static_cast<double>(size) * static_cast<double>(size - 1);
    }
  }

  // Rounds of draws until enough reachable pairs are found: `samples` first,
  // then as many as the reachable share seen so far says are missing (plus
  // 5%). A draw's outcome depends only on its index, so the rounds, and the
  // result, do not depend on the thread count.
  const int64_t k = options_.samples;
  const int64_t max_attempts = options_.max_attempts > 0 ? options_.max_attempts : 100 * k;
  const int threads = ResolveThreads(options_.num_threads, k);
  std::vector<BidirectionalSearch> searches(static_cast<size_t>(threads), BidirectionalSearch(n));
  std::vector<int32_t> distance;  // per draw; -1 unreachable
  int64_t reachable = 0;
  while (reachable < k && static_cast<int64_t>(distance.size()) < max_attempts) {
    const int64_t first = static_cast<int64_t>(distance.size());
    const int64_t wanted =
        first == 0 ? k
                   : static_cast<int64_t>(std::ceil(
                         1.05 * static_cast<double>(k - reachable) * static_cast<double>(first) /
                         static_cast<double>(std::max<int64_t>(reachable, 1))));
    const int64_t count = std::min(std::max<int64_t>(wanted, 64), max_attempts - first);
    distance.resize(static_cast<size_t>(first + count), -1);
    RETURN_IF_ERROR(ParallelFor(count, threads, interrupt(), [&](int t, int64_t i) {
      SplitMix64 rng(StreamSeed(options_.seed, static_cast<uint64_t>(first + i)));
      const NodeId s = static_cast<NodeId>(rng.Uniform(static_cast<uint64_t>(n)));
      NodeId target = static_cast<NodeId>(rng.Uniform(static_cast<uint64_t>(n - 1)));
      if (target >= s) ++target;
      if (undirected && component[s] != component[target]) return;
      distance[first + i] = searches[t].Distance(graph_, s, target);
    }));
    for (int64_t i = first; i < first + count; ++i) reachable += distance[i] > 0 ? 1 : 0;
  }
  pairs_drawn_ = static_cast<int64_t>(distance.size());
  pairs_reachable_ = reachable;
  if (!undirected) {
    reachable_pairs_ = static_cast<double>(reachable) / static_cast<double>(pairs_drawn_) *
                       static_cast<double>(n) * static_cast<double>(n - 1);
  }
  std::vector<double> sampled;
  sampled.reserve(static_cast<size_t>(reachable));
  for (int32_t d : distance) {
    if (d > 0) {
      sampled.push_back(d);
      diameter_lower_ = std::max<int64_t>(diameter_lower_, d);
    }
  }
  diameter_upper_ = std::max(diameter_upper_, diameter_lower_);
  const double upper = static_cast<double>(diameter_upper_);
  if (sampled.empty()) {
    average_path_length_low_ = 1;
    average_path_length_high_ = upper;
    return absl::OkStatus();
  }
  const auto [mean, variance] = Moments(sampled);
  const double half = EmpiricalBernsteinHalfWidth(variance, upper - 1, reachable, options_.delta);
  average_path_length_ = mean;
  average_path_length_low_ = std::max(1.0, mean - half);
  average_path_length_high_ = std::min(upper, mean + half);
  return absl::OkStatus();
}

}  // namespace innoscope::graph
