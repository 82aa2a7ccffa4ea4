#include "libs/graph/approx_paths.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "libs/common/status_macros.h"
#include "libs/graph/bfs.h"
#include "libs/graph/components.h"
#include "libs/graph/parallel.h"
#include "libs/graph/random.h"

namespace innoscope::graph {
namespace {

constexpr int64_t kPollInterval = 4096;

// What one search found.
struct Search {
  int64_t distance_sum = 0;
  int64_t reached = 0;  // nodes reached besides the source
  int32_t eccentricity = 0;
  NodeId farthest = 0;
};

Search Summarise(const BfsWorkspace& bfs) {
  Search s;
  absl::Span<const NodeId> order = bfs.Order();
  for (size_t i = 1; i < order.size(); ++i) s.distance_sum += bfs.Distance(order[i]);
  s.reached = static_cast<int64_t>(order.size()) - 1;
  s.farthest = order.back();  // BFS order: non-decreasing distance
  s.eccentricity = bfs.Distance(s.farthest);
  return s;
}

// Mean and unbiased sample variance.
std::pair<double, double> Moments(const std::vector<double>& x) {
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  const double variance =
      x.size() < 2 ? 0.0 : squares / static_cast<double>(x.size() - 1);
  return {mean, variance};
}

// The longest path of the condensation of a directed graph, each component
// weighing bound[c] and each step between components 1 (Kahn's topological
// order). O(n + m).
absl::StatusOr<int64_t> LongestCondensationPath(
    const Graph& graph, const std::vector<int32_t>& component,
    const std::vector<int64_t>& bound, const Interrupt& interrupt) {
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
  // before[c]: longest path ending just before c (0 when c has no
  // predecessor), including the step into c.
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

}  // namespace

double EmpiricalBernsteinHalfWidth(double variance, double range, int64_t k,
                                   double delta) {
  if (k < 2) return std::numeric_limits<double>::infinity();
  const double log_term = std::log(4.0 / delta);
  return std::sqrt(2.0 * variance * log_term / static_cast<double>(k)) +
         7.0 * range * log_term / (3.0 * static_cast<double>(k - 1));
}

absl::Status ApproxPathStatistics::RunImpl() {
  if (options_.samples < 1) {
    return absl::InvalidArgumentError("samples must be >= 1");
  }
  if (!(options_.delta > 0 && options_.delta < 1)) {
    return absl::InvalidArgumentError("delta must be in (0, 1)");
  }
  average_path_length_ = average_path_length_low_ = average_path_length_high_ = 0;
  diameter_lower_ = diameter_upper_ = 0;
  reachable_pairs_ = 0;
  searches_ = 0;
  const NodeId n = graph_.NumNodes();
  if (n < 2) return absl::OkStatus();
  const bool directed = graph_.directed();

  ConnectedComponents components(graph_, directed ? ComponentKind::kStrong
                                                  : ComponentKind::kWeak);
  components.set_interrupt(interrupt());
  RETURN_IF_ERROR(components.Run());
  const std::vector<int32_t>& component = components.ComponentOf();
  const std::vector<int64_t>& sizes = components.Sizes();
  const size_t num_components = sizes.size();

  // Each component's centre: its highest-degree node (smallest id on ties).
  std::vector<NodeId> centre(num_components, -1);
  for (NodeId v = 0; v < n; ++v) {
    NodeId& c = centre[component[v]];
    if (c < 0 || graph_.Degree(v) > graph_.Degree(c)) c = v;
  }
  std::vector<int32_t> nontrivial;
  for (size_t c = 0; c < num_components; ++c) {
    if (sizes[c] >= 2) nontrivial.push_back(static_cast<int32_t>(c));
  }

  const int threads = ResolveThreads(
      options_.num_threads,
      std::max<int64_t>(options_.samples, static_cast<int64_t>(nontrivial.size())));
  std::vector<BfsWorkspace> workspaces(static_cast<size_t>(threads), BfsWorkspace(n));
  // Per thread: the farthest pair seen, as (distance, farthest node,
  // direction of the search that found it).
  struct Farthest {
    int32_t distance = 0;
    NodeId node = 0;
    Direction direction = Direction::kOut;
    void Offer(const Search& s, Direction d) {
      if (s.eccentricity > distance) *this = {s.eccentricity, s.farthest, d};
    }
  };
  std::vector<Farthest> farthest(static_cast<size_t>(threads));

  // Diameter upper bounds per component from searches out of (and into) its
  // centre, staying inside the component.
  std::vector<int64_t> bound(num_components, 0);
  RETURN_IF_ERROR(ParallelFor(
      static_cast<int64_t>(nontrivial.size()), threads, interrupt(),
      [&](int t, int64_t i) {
        const int32_t c = nontrivial[i];
        auto inside = [&](NodeId v) { return component[v] == c; };
        BfsWorkspace& bfs = workspaces[t];
        bfs.Run(graph_, Direction::kOut, centre[c], inside);
        const Search out = Summarise(bfs);
        farthest[t].Offer(out, Direction::kOut);
        int64_t in_eccentricity = out.eccentricity;
        if (directed) {
          bfs.Run(graph_, Direction::kIn, centre[c], inside);
          const Search in = Summarise(bfs);
          farthest[t].Offer(in, Direction::kIn);
          in_eccentricity = in.eccentricity;
        }
        bound[c] = std::min<int64_t>(out.eccentricity + in_eccentricity, sizes[c] - 1);
      }));
  searches_ += static_cast<int64_t>(nontrivial.size()) * (directed ? 2 : 1);
  if (directed) {
    ASSIGN_OR_RETURN(diameter_upper_,
                     LongestCondensationPath(graph_, component, bound, interrupt()));
  } else {
    diameter_upper_ = *std::max_element(bound.begin(), bound.end());
  }

  // Sampled sources: weighted by r(s) = |C(s)| - 1 (undirected) or uniform.
  std::vector<int64_t> cumulative;  // undirected: prefix sums of r
  int64_t total_pairs = 0;
  if (!directed) {
    cumulative.resize(static_cast<size_t>(n) + 1, 0);
    for (NodeId v = 0; v < n; ++v) cumulative[v + 1] = cumulative[v] + sizes[component[v]] - 1;
    total_pairs = cumulative.back();
    if (total_pairs == 0) return absl::OkStatus();  // no edge: nothing is reachable
  }
  const int64_t k = options_.samples;
  std::vector<Search> samples(static_cast<size_t>(k));
  RETURN_IF_ERROR(ParallelFor(k, threads, interrupt(), [&](int t, int64_t i) {
    SplitMix64 rng(StreamSeed(options_.seed, static_cast<uint64_t>(i)));
    NodeId source;
    if (directed) {
      source = static_cast<NodeId>(rng.Uniform(static_cast<uint64_t>(n)));
    } else {
      const int64_t pick = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(total_pairs)));
      source = static_cast<NodeId>(
          std::upper_bound(cumulative.begin(), cumulative.end(), pick) - cumulative.begin() - 1);
    }
    workspaces[t].Run(graph_, Direction::kOut, source);
    samples[i] = Summarise(workspaces[t]);
    farthest[t].Offer(samples[i], Direction::kOut);
  }));
  searches_ += k;

  // Double sweep: search again from the farthest node found (against the
  // direction of the search that found it, for directed graphs).
  Farthest best;
  for (const Farthest& f : farthest) {
    if (f.distance > best.distance) best = f;
  }
  diameter_lower_ = best.distance;
  for (int sweep = 0; sweep < options_.sweeps && best.distance > 0; ++sweep) {
    RETURN_IF_ERROR(interrupt().Check());
    const Direction direction =
        directed && best.direction == Direction::kOut ? Direction::kIn : Direction::kOut;
    workspaces[0].Run(graph_, direction, best.node);
    ++searches_;
    const Search s = Summarise(workspaces[0]);
    best = {s.eccentricity, s.farthest, direction};
    diameter_lower_ = std::max<int64_t>(diameter_lower_, s.eccentricity);
  }
  diameter_upper_ = std::max(diameter_upper_, diameter_lower_);
  const double upper = static_cast<double>(diameter_upper_);

  if (!directed) {
    reachable_pairs_ = static_cast<double>(total_pairs);
    std::vector<double> mean_distance;
    mean_distance.reserve(samples.size());
    for (const Search& s : samples) {
      mean_distance.push_back(static_cast<double>(s.distance_sum) / s.reached);
    }
    const auto [mean, variance] = Moments(mean_distance);
    const double half = EmpiricalBernsteinHalfWidth(variance, upper - 1, k, options_.delta);
    average_path_length_ = mean;
    average_path_length_low_ = std::max(1.0, mean - half);
    average_path_length_high_ = std::min(upper, mean + half);
    return absl::OkStatus();
  }
  const double others = static_cast<double>(n - 1);
  std::vector<double> x, y;
  double distance_sum = 0, reached = 0;
  for (const Search& s : samples) {
    x.push_back(static_cast<double>(s.distance_sum) / others);
    y.push_back(static_cast<double>(s.reached) / others);
    distance_sum += static_cast<double>(s.distance_sum);
    reached += static_cast<double>(s.reached);
  }
  const auto [mean_x, variance_x] = Moments(x);
  const auto [mean_y, variance_y] = Moments(y);
  reachable_pairs_ = mean_y * static_cast<double>(n) * others;
  const bool has_pairs = graph_.NumEdges() > graph_.NumSelfLoops();
  average_path_length_ = reached > 0 ? distance_sum / reached : 0.0;
  const double half_x = EmpiricalBernsteinHalfWidth(variance_x, upper, k, options_.delta / 2);
  const double half_y = EmpiricalBernsteinHalfWidth(variance_y, 1.0, k, options_.delta / 2);
  const double floor = has_pairs ? 1.0 : 0.0;
  average_path_length_low_ =
      std::min(upper, std::max(floor, (mean_x - half_x) / (mean_y + half_y)));
  average_path_length_high_ =
      mean_y - half_y > 0 ? std::min(upper, (mean_x + half_x) / (mean_y - half_y)) : upper;
  average_path_length_high_ = std::max(average_path_length_high_, average_path_length_low_);
  return absl::OkStatus();
}

}  // namespace innoscope::graph
