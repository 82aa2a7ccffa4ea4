#pragma once

// ApproxPathStatistics: average shortest path length and diameter of graphs
// too large for a search from every node (PathStatistics), from sampled node
// pairs, with stated error bounds; BoundDiameter: diameter bounds that
// always hold.
//
//   ApproxPathStatistics::Options options;
//   options.samples = 20000;
//   options.delta = 0.1;
//   ApproxPathStatistics paths(graph, options);
//   RETURN_IF_ERROR(paths.Run());
//   paths.AveragePathLength();      // the estimate; with probability >= 1 -
//   delta paths.AveragePathLengthLow();   //   Low() <= exact value <= High()
//   paths.DiameterLowerBound();     // always Lower <= diameter <= Upper
//
// Quantities are PathStatistics' under kGephi and kIgraph: hop distances
// (weights ignored), the mean over the R reachable ordered pairs, and the
// longest finite distance.
//
// Diameter bounds (BoundDiameter), which always hold:
//   lower  the largest distance any search found, raised by `sweeps` rounds
//          of the double sweep (search again from the farthest node found);
//   upper  per component C (connected components of undirected graphs,
//          strongly connected ones of directed graphs), searches out of and
//          into its highest-degree node c inside C bound its diameter by
//          ecc_out(c) + ecc_in(c) (undirected: 2 ecc(c)), at most |C| - 1.
//          Undirected graphs: the maximum over components. Directed graphs:
//          a shortest path runs through strongly connected components in
//          topological order and, between two of its nodes in one component,
//          stays inside it, so the diameter is at most the longest path
//          c_1 -> ... -> c_k of the condensation with length
//          sum of the components' bounds + (k - 1).
//   exact  undirected graphs, when `exact_searches` > 0: iFUB (Crescenzi,
//          Grossi, Habib, Lanzi & Marino 2013) on each component whose
//          bound exceeds the lower bound, largest first: with F_i the
//          nodes at distance i from the centre, pairs inside levels <= i
//          are at most 2i apart, so after searching from every node of
//          the levels above i the diameter is at most max(lower, 2i); the
//          levels are searched from the top until lower >= 2(i - 1), and
//          then lower = upper = the diameter. Each search only raises the
//          lower bound or lowers the upper one, so when the budget runs out
//          the bounds still hold. On small-world graphs a handful of
//          searches suffices (the top levels are thin). Directed graphs
//          keep the bounds above: iFUB's directed variant (DiFUB) and
//          Takes & Kosters' (2011) eccentricity bounding need every pair
//          reachable, which graphs with several strongly connected
//          components do not give.
//   Time O(n + m) plus 2 + sweeps searches of the largest component, plus
//   at most `exact_searches`.
// Average path length: ordered pairs (s, t) are drawn uniformly (pair i from
// its own seeded stream, so results do not depend on the thread count) and
// d(s, t) is found by a balanced bidirectional search (bidirectional.h),
// until `samples` reachable pairs are found (or `max_attempts` pairs drawn).
// The reachable pairs drawn are i.i.d. uniform over the R reachable pairs,
// so their mean distance is unbiased for the average path length; distances
// lie in [1, U] for the diameter upper bound U, and the interval is the
// two-sided empirical Bernstein bound of Maurer & Pontil (2009, Theorem 4):
//   sqrt(2 V ln(4/delta) / k) + 7 (U - 1) ln(4/delta) / (3 (k - 1)),
// V the sample variance of the k distances. R is exact for undirected
// graphs (from the components) and estimated as (reachable draws / draws)
// n (n - 1) for directed ones.
// Time O(attempts x edges a bidirectional search touches) on T threads,
// memory O(T n + m + attempts).
#include <cstdint>

#include "absl/status/statusor.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

struct DiameterBounds {
  int64_t lower = 0;
  int64_t upper = 0;
  int64_t searches = 0;  // breadth-first searches run
};

// Bounds on the diameter (the longest finite hop distance); see above.
absl::StatusOr<DiameterBounds> BoundDiameter(const Graph& graph, int sweeps, int num_threads,
                                             const Interrupt& interrupt,
                                             int64_t exact_searches = 0);

class ApproxPathStatistics final : public Algorithm {
 public:
  struct Options {
    int64_t samples = 20000;   // reachable pairs to sample, >= 1
    int64_t max_attempts = 0;  // pairs drawn at most; 0 = 100 x samples
    double delta = 0.1;        // the interval fails with probability <= delta
    int sweeps = 4;            // double-sweep rounds for the diameter lower bound
    // Undirected graphs: searches iFUB may add to make the diameter exact.
    int64_t exact_diameter_searches = 64;
    uint64_t seed = 0;
    int num_threads = 0;  // 0: all hardware threads
  };

  explicit ApproxPathStatistics(const Graph& graph) : ApproxPathStatistics(graph, Options()) {}
  ApproxPathStatistics(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit ApproxPathStatistics(Graph&&) = delete;
  ApproxPathStatistics(Graph&&, Options) = delete;

  double AveragePathLength() const {
    AssertHasRun();
    return average_path_length_;
  }
  double AveragePathLengthLow() const {
    AssertHasRun();
    return average_path_length_low_;
  }
  double AveragePathLengthHigh() const {
    AssertHasRun();
    return average_path_length_high_;
  }
  int64_t DiameterLowerBound() const {
    AssertHasRun();
    return diameter_lower_;
  }
  int64_t DiameterUpperBound() const {
    AssertHasRun();
    return diameter_upper_;
  }
  // Exact for undirected graphs, estimated for directed ones.
  double ReachablePairs() const {
    AssertHasRun();
    return reachable_pairs_;
  }
  // Pairs drawn and reachable pairs among them (the k of the bound).
  int64_t PairsDrawn() const {
    AssertHasRun();
    return pairs_drawn_;
  }
  int64_t ReachablePairsSampled() const {
    AssertHasRun();
    return pairs_reachable_;
  }
  // Full breadth-first searches run for the diameter bounds.
  int64_t Searches() const {
    AssertHasRun();
    return searches_;
  }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  double average_path_length_ = 0;
  double average_path_length_low_ = 0;
  double average_path_length_high_ = 0;
  int64_t diameter_lower_ = 0;
  int64_t diameter_upper_ = 0;
  double reachable_pairs_ = 0;
  int64_t pairs_drawn_ = 0;
  int64_t pairs_reachable_ = 0;
  int64_t searches_ = 0;
};

// Half-width of the two-sided empirical Bernstein interval (Maurer & Pontil
// 2009, Theorem 4, applied to both tails) for the mean of k >= 2 i.i.d.
// values lying in an interval of length `range`, given their unbiased sample
// variance: sqrt(2 variance ln(4/delta) / k) + 7 range ln(4/delta) /
// (3 (k - 1)). Infinity for k < 2.
double EmpiricalBernsteinHalfWidth(double variance, double range, int64_t k, double delta);

}  // namespace innoscope::graph
