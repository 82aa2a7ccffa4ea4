#pragma once

// Community detection and partition quality: modularity of a partition,
// Louvain (Blondel, Guillaume, Lambiotte & Lefebvre 2008), and agreement
// between two partitions (NMI, adjusted Rand index).
//
//   Louvain::Options options;
//   options.seed = 1;
//   Louvain louvain(graph, options);
//   RETURN_IF_ERROR(louvain.Run());
//   louvain.Modularity();  // 0.4198 on Zachary's karate club
//   ASSIGN_OR_RETURN(double nmi, NormalizedMutualInformation(
//       louvain.Communities(), conferences));  // vs ground truth
//
// Resolution: networkx and igraph weight the null model by gamma,
//   Q_gamma = sum_c [ L_c / m - gamma (d_c / 2m)^2 ],
// while Gephi (Lambiotte et al. 2009) weights the internal term by r,
//   Q_r = sum_c [ r L_c / m - (d_c / 2m)^2 ] = r * Q_{gamma = 1/r},
// so optimising with Gephi's r equals optimising with gamma = 1/r; under
// kGephi the reported "modularity with resolution" is Q_r (as Gephi prints)
// and Modularity at resolution 1 is the same in every convention. L_c is
// the weight of edges inside community c, d_c the total degree (strength) of
// its nodes, m the total edge weight; a self-loop counts once in L_c and
// twice in d_c (networkx).

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "libs/graph/algorithm.h"
#include "libs/graph/convention.h"
#include "libs/graph/graph.h"

namespace innoscope::graph {

struct ModularityOptions {
  // gamma for kNetworkx/kIgraph, Gephi's r for kGephi.
  double resolution = 1.0;
  Convention convention = Convention::kNetworkx;
  bool weighted = false;
};

// Modularity of `partition` (any integer label per node; nodes with equal
// labels form a community). Undirected graphs: the formula above (Newman &
// Girvan 2004; Newman 2006). Directed graphs: kNetworkx and kIgraph use
// Leicht & Newman (2008), Q = sum_c [ L_c / m - gamma out_c in_c / m^2 ]
// with out_c/in_c the communities' total out-/in-degree; kGephi uses the
// undirected view with reciprocal edges summed (an unweighted reciprocal
// pair weighs 2), our reading of Gephi's Modularity.java, which sums the
// edges returned between two nodes (not checked against a Gephi run).
// INVALID_ARGUMENT if the partition size differs from n; NaN when the graph has
// no edge weight (m = 0). Time O(n + m).
absl::StatusOr<double> Modularity(const Graph& graph, absl::Span<const int64_t> partition,
                                  const ModularityOptions& options = {});

// Louvain community detection, networkx-compatible (louvain_communities) in
// every convention (the convention sets the resolution's meaning and the
// directed view, not the visiting order; Gephi's own loop visits nodes in
// index order unless "randomize" is on):
// level by level, visit nodes in an order shuffled once per level by a
// SplitMix64 stream seeded from `seed`, move each node to the neighbouring
// community with the largest strictly positive modularity gain until no move
// improves, then aggregate communities into nodes; stop when a level gains
// <= threshold. Runs on the undirected view (reciprocal directed edges merged,
// weights summed), as Gephi and as the reference values for directed graphs
// were computed. Unweighted unless `weighted` (networkx needs weight=None for
// that; Gephi's default is weighted). Deterministic for a given seed on every
// platform; the partition differs from networkx's for the same seed (other
// random stream) but reaches the same optima (0.4198 on karate).
// Isolated nodes stay singletons; self-loops stay inside their node.
// Time O(m) per pass, typically O(m log n) overall; memory O(n + m).
class Louvain final : public Algorithm {
 public:
  struct Options {
    double resolution = 1.0;  // gamma, or Gephi's r under kGephi (gamma = 1/r)
    Convention convention = Convention::kNetworkx;
    bool weighted = false;
    uint64_t seed = 0;
    double threshold = 1e-7;  // minimum modularity gain of a level (networkx)
  };
  explicit Louvain(const Graph& graph) : Louvain(graph, Options()) {}
  Louvain(const Graph& graph, Options options) : graph_(graph), options_(options) {}
  // Algorithms keep a reference to the graph: a temporary would dangle.
  explicit Louvain(Graph&&) = delete;
  Louvain(Graph&&, Options) = delete;

  // Community of every node, numbered 0.. in order of each community's
  // smallest node id.
  const std::vector<int64_t>& Communities() const {
    AssertHasRun();
    return communities_;
  }
  int64_t NumCommunities() const {
    AssertHasRun();
    return num_communities_;
  }
  // Modularity at the requested resolution (Gephi's Q_r under kGephi) and at 1.
  double Modularity() const {
    AssertHasRun();
    return modularity_;
  }
  double ModularityAtResolution1() const {
    AssertHasRun();
    return modularity_at_1_;
  }
  // The partition of the original nodes after each level (the last is
  // Communities()).
  const std::vector<std::vector<int64_t>>& Levels() const {
    AssertHasRun();
    return levels_;
  }
  Convention convention() const { return options_.convention; }

 private:
  absl::Status RunImpl() override;

  const Graph& graph_;
  Options options_;
  std::vector<int64_t> communities_;
  int64_t num_communities_ = 0;
  double modularity_ = 0;
  double modularity_at_1_ = 0;
  std::vector<std::vector<int64_t>> levels_;
};

// Normalised mutual information of two labelings of the same nodes,
// NMI = I(A;B) / ((H(A) + H(B)) / 2) (the arithmetic normalisation of
// Danon et al. 2005 and scikit-learn's default). 1 when both labelings are
// a single cluster. INVALID_ARGUMENT if sizes differ or are 0. O(n log n).
absl::StatusOr<double> NormalizedMutualInformation(absl::Span<const int64_t> a,
                                                   absl::Span<const int64_t> b);

// Adjusted Rand index (Hubert & Arabie 1985), as scikit-learn: 1 for
// identical partitions, about 0 for independent ones; 1 when both are
// trivial (one cluster each or all singletons). O(n log n).
absl::StatusOr<double> AdjustedRandIndex(absl::Span<const int64_t> a, absl::Span<const int64_t> b);

}  // namespace innoscope::graph
