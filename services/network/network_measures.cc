#include "services/network/network_measures.h"

#include <cmath>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/codecs/enum_codecs.h"
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

namespace innoscope::network {
namespace {

using graph::Convention;

// Runs an algorithm under the caller's interrupt.
absl::Status RunWith(graph::Algorithm& algorithm, const graph::Interrupt& interrupt) {
  algorithm.set_interrupt(interrupt);
  return algorithm.Run();
}

absl::Status FillPaths(const graph::Graph& g, const StatsOptions& options,
                       const graph::Interrupt& interrupt, v1::PathStats* out) {
  const int64_t n = g.NumNodes();
  const int64_t ordered_pairs = n * (n - 1);
  std::optional<double> average;
  std::optional<int64_t> diameter;
  if (options.approximation.enabled) {
    graph::ApproxPathStatistics::Options o;
    o.samples = options.approximation.path_samples;
    o.delta = options.approximation.delta;
    o.seed = options.approximation.seed;
    o.num_threads = options.num_threads;
    graph::ApproxPathStatistics paths(g, o);
    RETURN_IF_ERROR(RunWith(paths, interrupt));
    out->set_exact(false);
    out->set_reachable_pairs(std::llround(paths.ReachablePairs()));
    out->set_average_path_length_low(paths.AveragePathLengthLow());
    out->set_average_path_length_high(paths.AveragePathLengthHigh());
    out->set_diameter_lower_bound(paths.DiameterLowerBound());
    out->set_diameter_upper_bound(paths.DiameterUpperBound());
    out->set_sources(paths.PairsDrawn());
    average = paths.AveragePathLength();
    if (paths.DiameterLowerBound() == paths.DiameterUpperBound()) {
      diameter = paths.DiameterLowerBound();
    }
  } else {
    // Unreachable pairs are skipped here (Gephi, igraph); networkx's rule is
    // applied below, so one search from every node serves every convention.
    graph::PathStatistics paths(g, {Convention::kGephi, options.num_threads});
    RETURN_IF_ERROR(RunWith(paths, interrupt));
    out->set_exact(true);
    out->set_reachable_pairs(paths.ReachablePairs());
    out->set_sources(n);
    average = paths.AveragePathLength();
    diameter = paths.Diameter();
    out->set_radius(paths.Radius());
  }
  out->set_unreachable_pairs(std::max<int64_t>(0, ordered_pairs - out->reachable_pairs()));
  if (options.convention == Convention::kNetworkx && out->unreachable_pairs() > 0) {
    out->clear_radius();
    out->set_note(absl::StrCat(
        out->unreachable_pairs(), " ordered pairs are unreachable (the graph is not ",
        g.directed() ? "strongly " : "",
        "connected): networkx's average path length and diameter are undefined; use the "
        "gephi or igraph convention to skip unreachable pairs"));
    return absl::OkStatus();
  }
  if (average) out->set_average_path_length(*average);
  if (diameter) out->set_diameter(*diameter);
  return absl::OkStatus();
}

absl::Status FillClustering(const graph::Graph& g, Convention convention,
                            const graph::Interrupt& interrupt, v1::ClusteringStats* out) {
  for (Convention c : {Convention::kGephi, Convention::kNetworkx, Convention::kIgraph}) {
    graph::ClusteringCoefficient clustering(g, c);
    RETURN_IF_ERROR(RunWith(clustering, interrupt));
    if (c == Convention::kGephi) out->set_average_clustering_gephi(clustering.AverageClustering());
    if (c == Convention::kNetworkx) {
      out->set_average_clustering_networkx(clustering.AverageClustering());
    }
    // igraph's is Gephi's undirected definition on the undirected view.
    if (c == Convention::kIgraph) {
      out->set_average_clustering_undirected(clustering.AverageClustering());
    }
    if (c == convention) {
      out->set_average_clustering(clustering.AverageClustering());
      out->set_nodes_averaged(clustering.NodesAveraged());
      out->set_transitivity(clustering.Transitivity());
      out->set_triangles(clustering.Triangles());
    }
  }
  return absl::OkStatus();
}

}  // namespace

graph::Louvain::Options LouvainOptionsOf(const LouvainParams& params, Convention convention) {
  graph::Louvain::Options o;
  o.resolution = params.resolution;
  o.convention = convention;
  o.weighted = params.weighted;
  o.seed = params.seed;
  return o;
}

v1::CommunityStats CommunityStatsOf(const graph::Louvain& louvain, const LouvainParams& params,
                                    Convention convention) {
  v1::CommunityStats c;
  c.set_modularity(louvain.Modularity());
  c.set_modularity_at_resolution_1(louvain.ModularityAtResolution1());
  c.set_communities(louvain.NumCommunities());
  c.set_resolution(params.resolution);
  c.set_gamma(convention == Convention::kGephi ? 1.0 / params.resolution : params.resolution);
  c.set_seed(params.seed);
  c.set_weighted(params.weighted);
  return c;
}

absl::StatusOr<LouvainParams> ToLouvainParams(const v1::LouvainOptions& options,
                                              absl::string_view field) {
  LouvainParams params;
  if (options.has_resolution()) {
    if (!(options.resolution() > 0) || !std::isfinite(options.resolution())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".resolution: ", options.resolution(),
          " is not > 0; use 1 for standard modularity, larger values for smaller communities "
          "(gamma) or, under the gephi convention, smaller values (r)"));
    }
    params.resolution = options.resolution();
  }
  params.seed = options.seed();
  params.weighted = options.weighted();
  return params;
}

absl::StatusOr<ApproxParams> ToApproxParams(const v1::Approximation& approximation,
                                            absl::string_view field) {
  ApproxParams params;
  params.enabled = approximation.enabled();
  params.seed = approximation.seed();
  auto probability = [&](double value, double fallback,
                         const char* name) -> absl::StatusOr<double> {
    if (value == 0) return fallback;
    if (!(value > 0 && value < 1)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".", name, ": ", value, " is not in (0, 1)"));
    }
    return value;
  };
  ASSIGN_OR_RETURN(params.epsilon, probability(approximation.epsilon(), 0.01, "epsilon"));
  ASSIGN_OR_RETURN(params.delta, probability(approximation.delta(), 0.1, "delta"));
  if (approximation.has_path_samples()) {
    if (approximation.path_samples() <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".path_samples: the sample size must be > 0 (got ",
                       approximation.path_samples(), "); leave it unset for the default 20,000"));
    }
    params.path_samples = approximation.path_samples();
  }
  return params;
}

absl::StatusOr<v1::NetworkStats> ComputeStats(const graph::Graph& g, const StatsOptions& options,
                                              const graph::Interrupt& interrupt) {
  v1::NetworkStats stats;
  stats.set_convention(codecs::ToProto(options.convention));
  const graph::BasicStatistics basic = graph::ComputeBasicStatistics(g);
  stats.mutable_nodes()->set_total(basic.nodes);
  stats.set_edges(basic.edges);
  stats.set_self_loops(basic.self_loops);
  stats.set_directed(basic.directed);
  stats.set_weighted(basic.weighted);
  stats.set_average_degree(basic.average_degree);
  stats.set_average_weighted_degree(basic.average_weighted_degree);
  stats.set_density(basic.density);

  graph::ConnectedComponents weak(g, graph::ComponentKind::kWeak);
  RETURN_IF_ERROR(RunWith(weak, interrupt));
  stats.set_weak_components(weak.NumComponents());
  stats.set_giant_weak_component_share(weak.GiantComponentShare());
  graph::ConnectedComponents strong(g, graph::ComponentKind::kStrong);
  RETURN_IF_ERROR(RunWith(strong, interrupt));
  stats.set_strong_components(strong.NumComponents());
  stats.set_giant_strong_component_share(strong.GiantComponentShare());

  RETURN_IF_ERROR(FillPaths(g, options, interrupt, stats.mutable_paths()));
  RETURN_IF_ERROR(FillClustering(g, options.convention, interrupt, stats.mutable_clustering()));
  if (g.directed()) stats.set_reciprocity(graph::Reciprocity(g, options.convention));
  const double assortativity = graph::DegreeAssortativity(g);
  if (std::isfinite(assortativity)) stats.set_degree_assortativity(assortativity);

  if (options.communities && g.NumEdges() > 0) {
    graph::Louvain louvain(g, LouvainOptionsOf(options.louvain, options.convention));
    RETURN_IF_ERROR(RunWith(louvain, interrupt));
    *stats.mutable_communities() = CommunityStatsOf(louvain, options.louvain, options.convention);
  }
  return stats;
}

absl::StatusOr<MeasureResult> ComputeMeasure(const graph::Graph& g, graph::Measure measure,
                                             const MeasureOptions& options,
                                             const graph::Interrupt& interrupt) {
  using graph::Measure;
  MeasureResult result;
  result.info.set_measure(codecs::ToProto(measure));
  result.info.set_exact(true);
  switch (measure) {
    case Measure::kDegree:
    case Measure::kInDegree:
    case Measure::kOutDegree:
    case Measure::kStrength:
    case Measure::kInStrength:
    case Measure::kOutStrength: {
      graph::DegreeCentrality::Options o;
      o.mode = measure == Measure::kInDegree || measure == Measure::kInStrength
                   ? graph::DegreeMode::kIn
               : measure == Measure::kOutDegree || measure == Measure::kOutStrength
                   ? graph::DegreeMode::kOut
                   : graph::DegreeMode::kTotal;
      o.weighted = measure == Measure::kStrength || measure == Measure::kInStrength ||
                   measure == Measure::kOutStrength;
      if (o.weighted && !g.weighted()) {
        return absl::InvalidArgumentError(absl::StrCat(
            EnumToName(measure),
            " needs edge weights: choose selection.weight (weight, amount or count) or pass "
            "--weighted"));
      }
      o.normalized = options.normalized;
      graph::DegreeCentrality degree(g, o);
      RETURN_IF_ERROR(RunWith(degree, interrupt));
      result.scores = degree.Scores();
      break;
    }
    case Measure::kBetweenness:
      if (options.approximation.enabled) {
        graph::ApproxBetweenness::Options o;
        o.epsilon = options.approximation.epsilon;
        o.delta = options.approximation.delta;
        o.seed = options.approximation.seed;
        o.normalized = options.normalized;
        o.num_threads = options.num_threads;
        graph::ApproxBetweenness betweenness(g, o);
        RETURN_IF_ERROR(RunWith(betweenness, interrupt));
        result.scores = betweenness.Scores();
        result.info.set_exact(false);
        result.info.set_absolute_error_bound(betweenness.AbsoluteErrorBound());
        result.info.set_samples(betweenness.SampleSize());
      } else {
        graph::Betweenness betweenness(g, {options.normalized, options.num_threads});
        RETURN_IF_ERROR(RunWith(betweenness, interrupt));
        result.scores = betweenness.Scores();
      }
      break;
    case Measure::kCloseness: {
      graph::Closeness closeness(g, {options.convention, options.num_threads});
      RETURN_IF_ERROR(RunWith(closeness, interrupt));
      result.scores = closeness.Scores();
      break;
    }
    case Measure::kHarmonic: {
      graph::HarmonicCloseness harmonic(g, {options.convention, options.num_threads});
      RETURN_IF_ERROR(RunWith(harmonic, interrupt));
      result.scores = harmonic.Scores();
      break;
    }
    case Measure::kPagerank: {
      graph::PageRank::Options o;
      o.weighted = options.weighted;
      graph::PageRank pagerank(g, o);
      RETURN_IF_ERROR(RunWith(pagerank, interrupt));
      result.scores = pagerank.Scores();
      result.info.set_converged(pagerank.converged());
      result.info.set_iterations(pagerank.iterations());
      break;
    }
    case Measure::kEigenvector: {
      graph::EigenvectorCentrality::Options o;
      o.weighted = options.weighted;
      graph::EigenvectorCentrality eigenvector(g, o);
      RETURN_IF_ERROR(RunWith(eigenvector, interrupt));
      result.scores = eigenvector.Scores();
      result.info.set_converged(eigenvector.converged());
      result.info.set_iterations(eigenvector.iterations());
      break;
    }
    case Measure::kKcore: {
      graph::CoreDecomposition cores(g);
      RETURN_IF_ERROR(RunWith(cores, interrupt));
      result.scores.assign(cores.CoreNumbers().begin(), cores.CoreNumbers().end());
      break;
    }
    case Measure::kCommunity: {
      graph::Louvain louvain(g, LouvainOptionsOf(options.louvain, options.convention));
      RETURN_IF_ERROR(RunWith(louvain, interrupt));
      result.scores.assign(louvain.Communities().begin(), louvain.Communities().end());
      break;
    }
    case Measure::kClustering: {
      graph::ClusteringCoefficient clustering(g, options.convention);
      RETURN_IF_ERROR(RunWith(clustering, interrupt));
      result.scores = clustering.LocalClustering();
      break;
    }
  }
  return result;
}

}  // namespace innoscope::network
