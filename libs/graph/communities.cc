#include "libs/graph/communities.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/graph/random.h"

namespace innoscope::graph {
namespace {

// A weighted undirected graph without parallel edges, self-loops held
// apart: the working graph of Louvain (one per level) and of undirected
// modularity.
struct LevelGraph {
  std::vector<int64_t> offsets = {0};
  std::vector<NodeId> neighbors;
  std::vector<double> weights;
  std::vector<double> loop;      // self-loop weight per node
  std::vector<double> strength;  // sum of incident weights, loops twice
  double total_weight = 0;       // m

  NodeId NumNodes() const { return static_cast<NodeId>(loop.size()); }
};

void FinishLevelGraph(LevelGraph& g) {
  const NodeId n = g.NumNodes();
  g.strength.assign(static_cast<size_t>(n), 0.0);
  double twice_m = 0;
  for (NodeId v = 0; v < n; ++v) {
    double s = 2 * g.loop[v];
    for (int64_t i = g.offsets[v]; i < g.offsets[v + 1]; ++i) s += g.weights[i];
    g.strength[v] = s;
    twice_m += s;
  }
  g.total_weight = twice_m / 2;
}

// The undirected view used by Louvain and by undirected modularity. Edge
// weights are the stored weights when `weighted`, else 1. Parallel entries
// are summed, except that an unweighted directed graph under
// kNetworkx/kIgraph becomes the simple undirected graph (a reciprocal pair
// is one edge of weight 1, like networkx to_undirected / igraph
// as_undirected "collapse"); kGephi sums reciprocal edges (Gephi's
// undirected view counts both).
LevelGraph BuildLevelGraph(const Graph& graph, bool weighted, Convention convention) {
  const bool use_weights = weighted && graph.weighted();
  const bool collapse = graph.directed() && !use_weights && convention != Convention::kGephi;
  const NodeId n = graph.NumNodes();
  LevelGraph g;
  g.loop.assign(static_cast<size_t>(n), 0.0);
  for (const Edge& e : graph.Edges()) {
    if (e.source != e.target) continue;
    g.loop[e.source] = collapse ? 1.0 : g.loop[e.source] + (use_weights ? e.weight : 1.0);
  }
  std::vector<std::pair<NodeId, double>> entries;
  for (NodeId v = 0; v < n; ++v) {
    entries.clear();
    auto add = [&](absl::Span<const NodeId> nbrs, absl::Span<const double> w) {
      for (size_t i = 0; i < nbrs.size(); ++i) {
        if (nbrs[i] == v) continue;
        entries.emplace_back(nbrs[i], use_weights ? w[i] : 1.0);
      }
    };
    add(graph.OutNeighbors(v), graph.OutWeights(v));
    if (graph.directed()) add(graph.InNeighbors(v), graph.InWeights(v));
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < entries.size();) {
      const NodeId u = entries[i].first;
      double w = 0;
      for (; i < entries.size() && entries[i].first == u; ++i) {
        w += entries[i].second;
      }
      g.neighbors.push_back(u);
      g.weights.push_back(collapse ? 1.0 : w);
    }
    g.offsets.push_back(static_cast<int64_t>(g.neighbors.size()));
  }
  FinishLevelGraph(g);
  return g;
}

// Undirected modularity with null-model weight gamma (see communities.h).
double LevelModularity(const LevelGraph& g, absl::Span<const int64_t> community,
                       int64_t num_communities, double gamma) {
  const double m = g.total_weight;
  if (m <= 0) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> internal(static_cast<size_t>(num_communities), 0.0);
  std::vector<double> degree(static_cast<size_t>(num_communities), 0.0);
  for (NodeId v = 0; v < g.NumNodes(); ++v) {
    const int64_t c = community[v];
    degree[c] += g.strength[v];
    internal[c] += g.loop[v];
    for (int64_t i = g.offsets[v]; i < g.offsets[v + 1]; ++i) {
      // Each internal edge is seen from both ends.
      if (community[g.neighbors[i]] == c) internal[c] += g.weights[i] / 2;
    }
  }
  double q = 0;
  for (int64_t c = 0; c < num_communities; ++c) {
    const double share = degree[c] / (2 * m);
    q += internal[c] / m - gamma * share * share;
  }
  return q;
}

// Relabels arbitrary labels to 0..k-1 in order of first appearance; returns k.
int64_t Compact(absl::Span<const int64_t> labels, std::vector<int64_t>& out) {
  absl::flat_hash_map<int64_t, int64_t> index;
  out.resize(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    auto [it, inserted] = index.emplace(labels[i], static_cast<int64_t>(index.size()));
    out[i] = it->second;
  }
  return static_cast<int64_t>(index.size());
}

// gamma for the optimisation and the factor that turns Q_gamma into the
// reported value (Gephi reports r * Q_{1/r}).
std::pair<double, double> GammaAndScale(double resolution, Convention convention) {
  if (convention == Convention::kGephi) return {1.0 / resolution, resolution};
  return {resolution, 1.0};
}

// Local moving phase of one level, networkx's _one_level: `community`
// starts as the identity; `improved` tells whether any node moved.
absl::Status MoveNodes(const LevelGraph& g, double m, double gamma, SplitMix64& rng,
                       const Interrupt& interrupt, std::vector<NodeId>& community, bool& improved) {
  const NodeId n = g.NumNodes();
  std::vector<double> total(g.strength);  // Sigma_tot per community
  std::vector<NodeId> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Shuffle(absl::MakeSpan(order), rng);
  std::vector<double> link(static_cast<size_t>(n),
                           0.0);  // weight u -> community
  std::vector<bool> touched_flag(static_cast<size_t>(n), false);
  std::vector<NodeId> touched;
  const double two_m2 = 2 * m * m;
  improved = false;
  int64_t moves;
  do {
    RETURN_IF_ERROR(interrupt.Check());
    moves = 0;
    for (NodeId u : order) {
      touched.clear();
      for (int64_t i = g.offsets[u]; i < g.offsets[u + 1]; ++i) {
        const NodeId c = community[g.neighbors[i]];
        if (!touched_flag[c]) {
          touched_flag[c] = true;
          touched.push_back(c);
        }
        link[c] += g.weights[i];
      }
      const NodeId own = community[u];
      const double k = g.strength[u];
      total[own] -= k;
      const double remove_cost = -link[own] / m + gamma * total[own] * k / two_m2;
      double best_gain = 0;
      NodeId best = own;
      for (NodeId c : touched) {
        const double gain = remove_cost + link[c] / m - gamma * total[c] * k / two_m2;
        if (gain > best_gain) {
          best_gain = gain;
          best = c;
        }
      }
      total[best] += k;
      if (best != own) {
        community[u] = best;
        ++moves;
        improved = true;
      }
      for (NodeId c : touched) {
        link[c] = 0;
        touched_flag[c] = false;
      }
    }
  } while (moves > 0);
  return absl::OkStatus();
}

// Collapses each community of `g` into one node (communities numbered
// 0..k-1): internal weight becomes the new node's self-loop.
LevelGraph Aggregate(const LevelGraph& g, const std::vector<NodeId>& community, NodeId k) {
  LevelGraph next;
  next.loop.assign(static_cast<size_t>(k), 0.0);
  std::vector<std::vector<NodeId>> members(static_cast<size_t>(k));
  for (NodeId v = 0; v < g.NumNodes(); ++v) members[community[v]].push_back(v);
  std::vector<double> link(static_cast<size_t>(k), 0.0);
  std::vector<bool> touched_flag(static_cast<size_t>(k), false);
  std::vector<NodeId> touched;
  for (NodeId c = 0; c < k; ++c) {
    touched.clear();
    for (NodeId v : members[c]) {
      next.loop[c] += g.loop[v];
      for (int64_t i = g.offsets[v]; i < g.offsets[v + 1]; ++i) {
        const NodeId d = community[g.neighbors[i]];
        if (d == c) {
          next.loop[c] += g.weights[i] / 2;  // each internal edge seen twice
          continue;
        }
        if (!touched_flag[d]) {
          touched_flag[d] = true;
          touched.push_back(d);
        }
        link[d] += g.weights[i];
      }
    }
    std::sort(touched.begin(), touched.end());
    for (NodeId d : touched) {
      next.neighbors.push_back(d);
      next.weights.push_back(link[d]);
      link[d] = 0;
      touched_flag[d] = false;
    }
    next.offsets.push_back(static_cast<int64_t>(next.neighbors.size()));
  }
  FinishLevelGraph(next);
  return next;
}

// Renumbers communities 0..k-1 by their smallest member; returns k.
NodeId Renumber(std::vector<NodeId>& community) {
  std::vector<NodeId> relabel(community.size(), -1);
  NodeId next = 0;
  for (NodeId& c : community) {
    if (relabel[c] < 0) relabel[c] = next++;
    c = relabel[c];
  }
  return next;
}

}  // namespace

absl::StatusOr<double> Modularity(const Graph& graph, absl::Span<const int64_t> partition,
                                  const ModularityOptions& options) {
  if (partition.size() != static_cast<size_t>(graph.NumNodes())) {
    return absl::InvalidArgumentError(absl::StrCat("partition has ", partition.size(),
                                                   " labels for ", graph.NumNodes(), " nodes"));
  }
  if (!(options.resolution > 0)) {
    return absl::InvalidArgumentError("resolution must be positive");
  }
  std::vector<int64_t> community;
  const int64_t k = Compact(partition, community);
  const auto [gamma, scale] = GammaAndScale(options.resolution, options.convention);
  if (!graph.directed() || options.convention == Convention::kGephi) {
    LevelGraph g = BuildLevelGraph(graph, options.weighted, options.convention);
    return scale * LevelModularity(g, community, k, gamma);
  }
  // Leicht & Newman (2008) directed modularity.
  const bool use_weights = options.weighted && graph.weighted();
  std::vector<double> internal(static_cast<size_t>(k), 0.0);
  std::vector<double> out(static_cast<size_t>(k), 0.0);
  std::vector<double> in(static_cast<size_t>(k), 0.0);
  double m = 0;
  for (const Edge& e : graph.Edges()) {
    const double w = use_weights ? e.weight : 1.0;
    m += w;
    out[community[e.source]] += w;
    in[community[e.target]] += w;
    if (community[e.source] == community[e.target]) {
      internal[community[e.source]] += w;
    }
  }
  if (m <= 0) return std::numeric_limits<double>::quiet_NaN();
  double q = 0;
  for (int64_t c = 0; c < k; ++c) {
    q += internal[c] / m - gamma * out[c] * in[c] / (m * m);
  }
  return q;
}

absl::Status Louvain::RunImpl() {
  if (!(options_.resolution > 0)) {
    return absl::InvalidArgumentError("resolution must be positive");
  }
  if (options_.weighted && graph_.HasNegativeWeights()) {
    return absl::InvalidArgumentError("Louvain needs non-negative edge weights");
  }
  const auto [gamma, scale] = GammaAndScale(options_.resolution, options_.convention);
  const NodeId n = graph_.NumNodes();
  const LevelGraph original = BuildLevelGraph(graph_, options_.weighted, options_.convention);
  const double m = original.total_weight;
  SplitMix64 rng(options_.seed);

  levels_.clear();
  // node_to_community maps original nodes to the current level's nodes.
  std::vector<int64_t> node_to_community(static_cast<size_t>(n));
  std::iota(node_to_community.begin(), node_to_community.end(), 0);
  if (m > 0) {
    double modularity = LevelModularity(original, node_to_community, n, gamma);
    LevelGraph level = original;
    while (true) {
      std::vector<NodeId> community(static_cast<size_t>(level.NumNodes()));
      std::iota(community.begin(), community.end(), 0);
      bool improved = false;
      RETURN_IF_ERROR(MoveNodes(level, m, gamma, rng, interrupt(), community, improved));
      if (!improved) break;
      const NodeId k = Renumber(community);
      for (int64_t& c : node_to_community) c = community[c];
      levels_.push_back(node_to_community);
      const double next_modularity = LevelModularity(original, node_to_community, k, gamma);
      if (next_modularity - modularity <= options_.threshold) break;
      modularity = next_modularity;
      level = Aggregate(level, community, k);
    }
  }
  if (levels_.empty()) levels_.push_back(node_to_community);  // singletons
  num_communities_ = Compact(levels_.back(), communities_);
  modularity_ = scale * LevelModularity(original, communities_, num_communities_, gamma);
  modularity_at_1_ = LevelModularity(original, communities_, num_communities_, 1.0);
  return absl::OkStatus();
}

namespace {

// Contingency counts of two compacted labelings.
struct Contingency {
  std::vector<double> row;   // cluster sizes in a
  std::vector<double> col;   // cluster sizes in b
  std::vector<double> cell;  // non-zero joint counts
  double n = 0;
};

absl::StatusOr<Contingency> BuildContingency(absl::Span<const int64_t> a,
                                             absl::Span<const int64_t> b) {
  if (a.size() != b.size() || a.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("labelings must be non-empty and equally long (",
                                                   a.size(), " vs ", b.size(), ")"));
  }
  std::vector<int64_t> ca, cb;
  const int64_t ka = Compact(a, ca), kb = Compact(b, cb);
  Contingency t;
  t.row.assign(static_cast<size_t>(ka), 0.0);
  t.col.assign(static_cast<size_t>(kb), 0.0);
  absl::flat_hash_map<int64_t, double> joint;
  for (size_t i = 0; i < a.size(); ++i) {
    t.row[ca[i]] += 1;
    t.col[cb[i]] += 1;
    joint[ca[i] * kb + cb[i]] += 1;
  }
  for (const auto& [unused, count] : joint) t.cell.push_back(count);
  std::sort(t.cell.begin(), t.cell.end());  // deterministic summation order
  t.n = static_cast<double>(a.size());
  return t;
}

}  // namespace

absl::StatusOr<double> NormalizedMutualInformation(absl::Span<const int64_t> a,
                                                   absl::Span<const int64_t> b) {
  ASSIGN_OR_RETURN(const Contingency t, BuildContingency(a, b));
  if (t.row.size() == 1 && t.col.size() == 1) return 1.0;
  auto entropy = [&](const std::vector<double>& sizes) {
    double h = 0;
    for (double s : sizes) h -= s / t.n * std::log(s / t.n);
    return h;
  };
  const double ha = entropy(t.row), hb = entropy(t.col);
  // I(A;B) = H(A) + H(B) - H(A,B).
  const double mutual = ha + hb - entropy(t.cell);
  const double denominator = (ha + hb) / 2;
  return denominator <= 0 ? 0.0 : std::max(0.0, mutual) / denominator;
}

absl::StatusOr<double> AdjustedRandIndex(absl::Span<const int64_t> a, absl::Span<const int64_t> b) {
  ASSIGN_OR_RETURN(const Contingency t, BuildContingency(a, b));
  auto pairs = [](double x) { return x * (x - 1) / 2; };
  double index = 0, sum_a = 0, sum_b = 0;
  for (double c : t.cell) index += pairs(c);
  for (double s : t.row) sum_a += pairs(s);
  for (double s : t.col) sum_b += pairs(s);
  const double total = pairs(t.n);
  const double expected = total == 0 ? 0 : sum_a * sum_b / total;
  const double maximum = (sum_a + sum_b) / 2;
  if (maximum == expected) return 1.0;
  return (index - expected) / (maximum - expected);
}

}  // namespace innoscope::graph
