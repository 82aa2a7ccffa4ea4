#pragma once

// Betweenness centrality: exact (Brandes 2001, multi-threaded) and a sampled
// approximation with a uniform error guarantee (Riondato & Kornaropoulos
// 2016).
//
//   Betweenness exact(graph);                       // raw scores
//   RETURN_IF_ERROR(exact.Run());
//   exact.Scores()[0];                              // 231.07 for karate node 1
//
//   ApproxBetweenness::Options options;
//   options.epsilon = 0.01;  options.delta = 0.1;  options.seed = 7;
//   ApproxBetweenness approx(graph, options);
//   RETURN_IF_ERROR(approx.Run());
//   approx.Scores();             // same scale as Betweenness::Scores()
//   approx.AbsoluteErrorBound(); // max |approx - exact| with prob. 1 - delta
//
// Definition: B(v) = sum over ordered pairs s != v != t of sigma_st(v) /
// sigma_st, where sigma_st counts shortest s-t paths (hop counts; weights
// ignored, as Gephi) and sigma_st(v) those through v. For undirected graphs
// each unordered pair counts once (B is halved), as networkx, igraph and
// Gephi report. Normalised scores divide by (n-1)(n-2) (directed) or
// (n-1)(n-2)/2 (undirected), as networkx and Gephi; no normalisation when
// n <= 2. Endpoints are not counted. Disconnected graphs: unreachable pairs
// contribute nothing. Parallel edges multiply path counts (Gephi and igraph
// count edges; networkx collapses them), self-loops are ignored.
//
// Exact: Brandes (2001) on nodes relabelled in breadth-first order
// (relabel.h) with per-thread search buffers reused for every source. A node
// whose out-edges all lead to one node r (an out-degree-1 node of a
// directed graph, a leaf of an undirected one) runs no search of its own:
// its shortest paths are the edge to r followed by r's, so r's search adds
// its dependencies with the targets weighted by how many sources they stand
// for (betweenness.cc; the degree-1 reduction of Baglioni, Geraci,
// Pellegrini and Lastres 2012, generalised to directed graphs). Time
// O(k m) for the k searches left (k <= n) on T threads (static interleaved
// schedule: results are bit-identical for a given T), memory O(T n + m).

#include <cstdint>
#include <vector>

#include "libs/graph/algorithm.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

class Betweenness final : public Algorithm {
 public:
  struct Options {
    bool normalized = false;
    int num_threads = 0;  // 0: all hardware threads
  };
  explicit Betweenness(const Graph& graph) : Betweenness(graph, Options()) {}
  Betweenness(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit Betweenness(Graph&&) = delete;
  Betweenness(Graph&&, Options) = delete;

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

// Riondato & Kornaropoulos (2016), "Fast approximation of betweenness
// centrality through sampling": draws r = ceil(c / eps^2 (floor(log2(VD - 2))
// + 1 + ln(1/delta))) uniform node pairs (c = 0.5), samples one shortest path
// per reachable pair uniformly, and counts its inner nodes. With probability
// at least 1 - delta every node's estimate of b(v) = B(v) / (n(n-1))
// (ordered pairs) is within eps of the truth, simultaneously. VD bounds the
// vertex diameter (nodes on a longest shortest path) by BoundDiameter's
// upper bound + 1 (approx_paths.h: per component 2 ecc of its
// highest-degree node, and for directed graphs the longest path through the
// condensation). Each pair is searched with a balanced bidirectional BFS
// (Borassi & Natale 2016, KADABRA; bidirectional.h), which touches a small
// part of heavy-tailed graphs and stops as soon as the smaller side of an
// unreachable pair runs dry. Scores() are rescaled to Betweenness::Scores()'
// scale for the same `normalized` flag, and AbsoluteErrorBound() is eps on
// that scale. Sample i uses its own SplitMix64 stream from `seed`, so
// results are identical for any thread count. Time O(r (n + m)) worst case,
// usually far less; memory O(T n).
class ApproxBetweenness final : public Algorithm {
 public:
  struct Options {
    double epsilon = 0.01;
    double delta = 0.1;
    uint64_t seed = 0;
    bool normalized = false;
    int num_threads = 0;
  };
  explicit ApproxBetweenness(const Graph& graph) : ApproxBetweenness(graph, Options()) {}
  ApproxBetweenness(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit ApproxBetweenness(Graph&&) = delete;
  ApproxBetweenness(Graph&&, Options) = delete;

  const std::vector<double>& Scores() const {
    AssertHasRun();
    return scores_;
  }
  int64_t SampleSize() const {
    AssertHasRun();
    return samples_;
  }
  int64_t VertexDiameterBound() const {
    AssertHasRun();
    return vertex_diameter_;
  }
  double AbsoluteErrorBound() const {
    AssertHasRun();
    return error_bound_;
  }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<double> scores_;
  int64_t samples_ = 0;
  int64_t vertex_diameter_ = 0;
  double error_bound_ = 0;
};

}  // namespace innoscope::graph
