#include "libs/graph/network_measures.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"
#include "libs/graph/approx_paths.h"
#include "libs/graph/betweenness.h"
#include "libs/graph/centrality.h"
#include "libs/graph/clustering.h"
#include "libs/graph/communities.h"
#include "libs/graph/components.h"
#include "libs/graph/core_decomposition.h"
#include "libs/graph/paths.h"
#include "libs/graph/statistics.h"

namespace innoscope::graph {
namespace {

// Runs an algorithm under the caller's interrupt.
absl::Status RunWith(Algorithm& algorithm, const Interrupt& interrupt) {
  algorithm.set_interrupt(interrupt);
  return algorithm.Run();
}

absl::Status FillPaths(const Graph& g, const StatsOptions& options, const Interrupt& interrupt,
                       PathSummary* out) {
  const int64_t n = g.NumNodes();
  const int64_t ordered_pairs = n * (n - 1);
  std::optional<double> average;
  std::optional<int64_t> diameter;
  if (options.approximation.enabled) {
    ApproxPathStatistics::Options o;
    o.samples = options.approximation.path_samples;
    o.delta = options.approximation.delta;
    o.seed = options.approximation.seed;
    o.num_threads = options.num_threads;
    ApproxPathStatistics paths(g, o);
    RETURN_IF_ERROR(RunWith(paths, interrupt));
    out->exact = false;
    out->reachable_pairs = std::llround(paths.ReachablePairs());
    out->average_path_length_low = paths.AveragePathLengthLow();
    out->average_path_length_high = paths.AveragePathLengthHigh();
    out->diameter_lower_bound = paths.DiameterLowerBound();
    out->diameter_upper_bound = paths.DiameterUpperBound();
    out->sources = paths.PairsDrawn();
    average = paths.AveragePathLength();
    if (paths.DiameterLowerBound() == paths.DiameterUpperBound()) {
      diameter = paths.DiameterLowerBound();
    }
  } else {
    // Unreachable pairs are skipped here (Gephi, igraph); networkx's rule is
    // applied below, so one search from every node serves every convention.
    PathStatistics paths(g, {Convention::kGephi, options.num_threads});
    RETURN_IF_ERROR(RunWith(paths, interrupt));
    out->exact = true;
    out->reachable_pairs = paths.ReachablePairs();
    out->sources = n;
    average = paths.AveragePathLength();
    diameter = paths.Diameter();
    out->radius = paths.Radius();
  }
  out->unreachable_pairs = std::max<int64_t>(0, ordered_pairs - out->reachable_pairs);
  if (options.convention == Convention::kNetworkx && out->unreachable_pairs > 0) {
    out->radius.reset();
    out->note = absl::StrCat(
        out->unreachable_pairs, " ordered pairs are unreachable (the graph is not ",
        g.directed() ? "strongly " : "",
        "connected): networkx's average path length and diameter are undefined; use the "
        "gephi or igraph convention to skip unreachable pairs");
    return absl::OkStatus();
  }
  out->average_path_length = average;
  out->diameter = diameter;
  return absl::OkStatus();
}

absl::Status FillClustering(const Graph& g, Convention convention, const Interrupt& interrupt,
                            ClusteringSummary* out) {
  for (Convention c : {Convention::kGephi, Convention::kNetworkx, Convention::kIgraph}) {
    ClusteringCoefficient clustering(g, c);
    RETURN_IF_ERROR(RunWith(clustering, interrupt));
    if (c == Convention::kGephi) out->average_clustering_gephi = clustering.AverageClustering();
    if (c == Convention::kNetworkx) {
      out->average_clustering_networkx = clustering.AverageClustering();
    }
    // igraph's is Gephi's undirected definition on the undirected view.
    if (c == Convention::kIgraph) {
      out->average_clustering_undirected = clustering.AverageClustering();
    }
    if (c == convention) {
      out->average_clustering = clustering.AverageClustering();
      out->nodes_averaged = clustering.NodesAveraged();
      out->transitivity = clustering.Transitivity();
      out->triangles = clustering.Triangles();
    }
  }
  return absl::OkStatus();
}

}  // namespace

Louvain::Options LouvainOptionsOf(const LouvainParams& params, Convention convention) {
  Louvain::Options o;
  o.resolution = params.resolution;
  o.convention = convention;
  o.weighted = params.weighted;
  o.seed = params.seed;
  return o;
}

CommunitySummary CommunitySummaryOf(const Louvain& louvain, const LouvainParams& params,
                                    Convention convention) {
  CommunitySummary c;
  c.modularity = louvain.Modularity();
  c.modularity_at_resolution_1 = louvain.ModularityAtResolution1();
  c.communities = louvain.NumCommunities();
  c.resolution = params.resolution;
  c.gamma = convention == Convention::kGephi ? 1.0 / params.resolution : params.resolution;
  c.seed = params.seed;
  c.weighted = params.weighted;
  return c;
}

absl::Status CheckLouvainParams(const LouvainParams& params, absl::string_view field) {
  if (!(params.resolution > 0) || !std::isfinite(params.resolution)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".resolution: ", params.resolution,
        " is not > 0; use 1 for standard modularity, larger values for smaller communities "
        "(gamma) or, under the gephi convention, smaller values (r)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<NetworkStatistics> ComputeNetworkStatistics(const Graph& g,
                                                           const StatsOptions& options,
                                                           const Interrupt& interrupt) {
  NetworkStatistics stats;
  stats.convention = options.convention;
  stats.basic = ComputeBasicStatistics(g);

  ConnectedComponents weak(g, ComponentKind::kWeak);
  RETURN_IF_ERROR(RunWith(weak, interrupt));
  stats.weak_components = weak.NumComponents();
  stats.giant_weak_component_share = weak.GiantComponentShare();
  ConnectedComponents strong(g, ComponentKind::kStrong);
  RETURN_IF_ERROR(RunWith(strong, interrupt));
  stats.strong_components = strong.NumComponents();
  stats.giant_strong_component_share = strong.GiantComponentShare();

  RETURN_IF_ERROR(FillPaths(g, options, interrupt, &stats.paths));
  RETURN_IF_ERROR(FillClustering(g, options.convention, interrupt, &stats.clustering));
  if (g.directed()) stats.reciprocity = Reciprocity(g, options.convention);
  const double assortativity = DegreeAssortativity(g);
  if (std::isfinite(assortativity)) stats.degree_assortativity = assortativity;

  if (options.communities && g.NumEdges() > 0) {
    Louvain louvain(g, LouvainOptionsOf(options.louvain, options.convention));
    RETURN_IF_ERROR(RunWith(louvain, interrupt));
    stats.communities = CommunitySummaryOf(louvain, options.louvain, options.convention);
  }
  return stats;
}

absl::StatusOr<MeasureResult> ComputeMeasure(const Graph& g, Measure measure,
                                             const MeasureOptions& options,
                                             const Interrupt& interrupt) {
  MeasureResult result;
  result.info.measure = measure;
  result.info.exact = true;
  switch (measure) {
    case Measure::kDegree:
    case Measure::kInDegree:
    case Measure::kOutDegree:
    case Measure::kStrength:
    case Measure::kInStrength:
    case Measure::kOutStrength: {
      DegreeCentrality::Options o;
      o.mode = measure == Measure::kInDegree || measure == Measure::kInStrength ? DegreeMode::kIn
               : measure == Measure::kOutDegree || measure == Measure::kOutStrength
                   ? DegreeMode::kOut
                   : DegreeMode::kTotal;
      o.weighted = measure == Measure::kStrength || measure == Measure::kInStrength ||
                   measure == Measure::kOutStrength;
      if (o.weighted && !g.weighted()) {
        return absl::InvalidArgumentError(absl::StrCat(
            EnumToName(measure),
            " needs edge weights: choose selection.weight (weight, amount or count) or pass "
            "--weighted"));
      }
      o.normalized = options.normalized;
      DegreeCentrality degree(g, o);
      RETURN_IF_ERROR(RunWith(degree, interrupt));
      result.scores = degree.Scores();
      break;
    }
    case Measure::kBetweenness:
      if (options.approximation.enabled) {
        ApproxBetweenness::Options o;
        o.epsilon = options.approximation.epsilon;
        o.delta = options.approximation.delta;
        o.seed = options.approximation.seed;
        o.normalized = options.normalized;
        o.num_threads = options.num_threads;
        ApproxBetweenness betweenness(g, o);
        RETURN_IF_ERROR(RunWith(betweenness, interrupt));
        result.scores = betweenness.Scores();
        result.info.exact = false;
        result.info.absolute_error_bound = betweenness.AbsoluteErrorBound();
        result.info.samples = betweenness.SampleSize();
      } else {
        Betweenness betweenness(g, {options.normalized, options.num_threads});
        RETURN_IF_ERROR(RunWith(betweenness, interrupt));
        result.scores = betweenness.Scores();
      }
      break;
    case Measure::kCloseness: {
      Closeness closeness(g, {options.convention, options.num_threads});
      RETURN_IF_ERROR(RunWith(closeness, interrupt));
      result.scores = closeness.Scores();
      break;
    }
    case Measure::kHarmonic: {
      HarmonicCloseness harmonic(g, {options.convention, options.num_threads});
      RETURN_IF_ERROR(RunWith(harmonic, interrupt));
      result.scores = harmonic.Scores();
      break;
    }
    case Measure::kPagerank: {
      PageRank::Options o;
      o.weighted = options.weighted;
      PageRank pagerank(g, o);
      RETURN_IF_ERROR(RunWith(pagerank, interrupt));
      result.scores = pagerank.Scores();
      result.info.converged = pagerank.converged();
      result.info.iterations = pagerank.iterations();
      break;
    }
    case Measure::kEigenvector: {
      EigenvectorCentrality::Options o;
      o.weighted = options.weighted;
      EigenvectorCentrality eigenvector(g, o);
      RETURN_IF_ERROR(RunWith(eigenvector, interrupt));
      result.scores = eigenvector.Scores();
      result.info.converged = eigenvector.converged();
      result.info.iterations = eigenvector.iterations();
      break;
    }
    case Measure::kKcore: {
      CoreDecomposition cores(g);
      RETURN_IF_ERROR(RunWith(cores, interrupt));
      result.scores.assign(cores.CoreNumbers().begin(), cores.CoreNumbers().end());
      break;
    }
    case Measure::kCommunity: {
      Louvain louvain(g, LouvainOptionsOf(options.louvain, options.convention));
      RETURN_IF_ERROR(RunWith(louvain, interrupt));
      result.scores.assign(louvain.Communities().begin(), louvain.Communities().end());
      break;
    }
    case Measure::kClustering: {
      ClusteringCoefficient clustering(g, options.convention);
      RETURN_IF_ERROR(RunWith(clustering, interrupt));
      result.scores = clustering.LocalClustering();
      break;
    }
  }
  return result;
}

}  // namespace innoscope::graph
