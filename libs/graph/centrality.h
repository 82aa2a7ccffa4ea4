#pragma once

// Node centralities: degree and strength, closeness, harmonic closeness,
// PageRank, eigenvector centrality, and TopN over any score vector.
// Betweenness is in betweenness.h, k-core numbers in core_decomposition.h.
//
//   PageRank pagerank(graph);
//   RETURN_IF_ERROR(pagerank.Run());
//   for (const NodeScore& top : TopN(pagerank.Scores(), 20)) {
//     std::cout << graph.NodeLabel(top.node) << " " << top.score << "\n";
//   }
//
// Distance-based measures count hops and ignore weights (Gephi's
// GraphDistance convention); see each class for disconnected graphs.

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

enum class DegreeMode { kIn, kOut, kTotal };

// Degree or (weighted) strength of every node.
//   kOut/kIn: out-/in-degree (the same for undirected graphs);
//   kTotal:   in + out for directed graphs, degree for undirected ones.
// Parallel edges count once per copy; an undirected self-loop counts 2, a
// directed one 1 in and 1 out (networkx, igraph, Gephi). With `weighted`
// each edge contributes its weight (strength). With `normalized` scores are
// divided by n - 1 (networkx degree_centrality; n < 2 gives 0).
// Time O(n), or O(m) when weighted.
class DegreeCentrality final : public Algorithm {
 public:
  struct Options {
    DegreeMode mode = DegreeMode::kTotal;
    bool weighted = false;
    bool normalized = false;
  };
  explicit DegreeCentrality(const Graph& graph) : DegreeCentrality(graph, Options()) {}
  DegreeCentrality(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit DegreeCentrality(Graph&&) = delete;
  DegreeCentrality(Graph&&, Options) = delete;

  const std::vector<double>& Scores() const {
    AssertHasRun();
    return scores_;
  }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<double> scores_;
};

// Closeness centrality from hop distances, with r(v) the number of nodes
// reachable from v (excluding v) and S(v) the sum of their distances:
//   kGephi     r / S, over outgoing distances (GraphDistance.java); 0 when
//              nothing is reachable;
//   kNetworkx  (r / S) * (r / (n - 1)), Wasserman & Faust's correction
//              (networkx closeness_centrality, wf_improved=True), over
//              INCOMING distances for directed graphs as networkx does; 0
//              when r = 0;
//   kIgraph    r / S over outgoing distances (igraph 0.10 closeness, mode
//              "out"); NaN when nothing is reachable, as igraph.
// Time O(n (n + m)) on T threads, memory O(T n).
class Closeness final : public Algorithm {
 public:
  struct Options {
    Convention convention = Convention::kGephi;
    int num_threads = 0;
  };
  explicit Closeness(const Graph& graph) : Closeness(graph, Options()) {}
  Closeness(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit Closeness(Graph&&) = delete;
  Closeness(Graph&&, Options) = delete;

  const std::vector<double>& Scores() const {
    AssertHasRun();
    return scores_;
  }
  Convention convention() const { return options_.convention; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<double> scores_;
};

// Harmonic closeness (Marchiori & Latora 2000; Boldi & Vigna 2014),
// H(v) = sum over nodes u != v reachable from v of 1 / d(v, u), scaled:
//   kGephi     H / r, r = number of reachable nodes (GraphDistance.java;
//              0 when r = 0), outgoing distances;
//   kNetworkx  H unscaled over INCOMING distances for directed graphs
//              (networkx harmonic_centrality);
//   kIgraph    H / (n - 1), outgoing distances (igraph harmonic_centrality,
//              normalized=True); 0 for n < 2.
// Unreachable nodes contribute 0 (1/inf). Time O(n (n + m)), memory O(T n).
class HarmonicCloseness final : public Algorithm {
 public:
  struct Options {
    Convention convention = Convention::kGephi;
    int num_threads = 0;
  };
  explicit HarmonicCloseness(const Graph& graph) : HarmonicCloseness(graph, Options()) {}
  HarmonicCloseness(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit HarmonicCloseness(Graph&&) = delete;
  HarmonicCloseness(Graph&&, Options) = delete;

  const std::vector<double>& Scores() const {
    AssertHasRun();
    return scores_;
  }
  Convention convention() const { return options_.convention; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<double> scores_;
};

// PageRank (Brin & Page 1998) exactly as networkx.pagerank: power iteration
//   x'(v) = d * sum_{u->v} x(u) w(u,v) / W(u) + (d * D + 1 - d) / n,
// where W(u) is u's total out-weight and D the total score of dangling nodes
// (W = 0), spread uniformly; an undirected edge is followed both ways.
// Start x = 1/n; stop when sum |x' - x| < n * tolerance (networkx's test),
// or after max_iterations, in which case Run() returns OK with converged()
// false (networkx raises PowerIterationFailedConvergence). Weights are used
// when `weighted` and the graph has them (networkx's default weight="weight");
// negative weights are INVALID_ARGUMENT. Self-loops and parallel edges count
// as edges. Scores sum to 1; an empty graph gives no scores.
// Gephi's PageRank differs (epsilon 0.001, its own dangling handling) and is
// not reproduced. Time O(iterations * (n + m)), memory O(n).
class PageRank final : public Algorithm {
 public:
  struct Options {
    double damping = 0.85;
    double tolerance = 1e-6;
    int max_iterations = 100;
    bool weighted = true;  // networkx's default weight="weight"
  };
  explicit PageRank(const Graph& graph) : PageRank(graph, Options()) {}
  PageRank(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit PageRank(Graph&&) = delete;
  PageRank(Graph&&, Options) = delete;

  const std::vector<double>& Scores() const {
    AssertHasRun();
    return scores_;
  }
  int iterations() const { return iterations_; }
  bool converged() const { return converged_; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<double> scores_;
  int iterations_ = 0;
  bool converged_ = false;
};

// Eigenvector centrality (Bonacich 1987) exactly as
// networkx.eigenvector_centrality: power iteration on (A^T + I) from the
// uniform vector, x'(v) = x(v) + sum_{u->v} w(u,v) x(u), normalised to unit
// Euclidean length each step; stop when sum |x' - x| < n * tolerance. For
// directed graphs this is the in-edge ("left eigenvector") centrality. The
// shift by I makes the iteration converge on bipartite graphs. On a
// disconnected graph the result depends on the start vector (as in
// networkx). Not converged after max_iterations: Run() returns OK with
// converged() false (networkx raises). A graph without edges: all 1/sqrt(n).
// Time O(iterations * (n + m)), memory O(n).
class EigenvectorCentrality final : public Algorithm {
 public:
  struct Options {
    double tolerance = 1e-6;
    int max_iterations = 100;
    bool weighted = false;  // networkx's default weight=None
  };
  explicit EigenvectorCentrality(const Graph& graph) : EigenvectorCentrality(graph, Options()) {}
  EigenvectorCentrality(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit EigenvectorCentrality(Graph&&) = delete;
  EigenvectorCentrality(Graph&&, Options) = delete;

  const std::vector<double>& Scores() const {
    AssertHasRun();
    return scores_;
  }
  int iterations() const { return iterations_; }
  bool converged() const { return converged_; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<double> scores_;
  int iterations_ = 0;
  bool converged_ = false;
};

struct NodeScore {
  NodeId node = 0;
  double score = 0;
};

// The `n` highest scores, descending; ties broken by smaller node id; NaN
// scores rank last. Time O(N log n).
std::vector<NodeScore> TopN(absl::Span<const double> scores, int n);

}  // namespace innoscope::graph

namespace innoscope {

template <>
struct EnumNames<graph::DegreeMode> {
  static constexpr absl::string_view kWhat = "degree mode";
  static constexpr EnumName<graph::DegreeMode> kRows[] = {
      {graph::DegreeMode::kIn, "in"},
      {graph::DegreeMode::kOut, "out"},
      {graph::DegreeMode::kTotal, "total"},
  };
};

}  // namespace innoscope
