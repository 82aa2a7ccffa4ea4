#include "services/network/measures_proto.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/status_macros.h"

namespace innoscope::network {

absl::StatusOr<graph::LouvainParams> ToLouvainParams(const v1::LouvainOptions& options,
                                                     absl::string_view field) {
  graph::LouvainParams params;
  if (options.has_resolution()) params.resolution = options.resolution();
  params.seed = options.seed();
  params.weighted = options.weighted();
  RETURN_IF_ERROR(graph::CheckLouvainParams(params, field));
  return params;
}

absl::StatusOr<graph::ApproxParams> ToApproxParams(const v1::Approximation& approximation,
                                                   absl::string_view field) {
  graph::ApproxParams params;
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

v1::CommunityStats ToProto(const graph::CommunitySummary& c) {
  v1::CommunityStats out;
  out.set_modularity(c.modularity);
  out.set_modularity_at_resolution_1(c.modularity_at_resolution_1);
  out.set_communities(c.communities);
  out.set_resolution(c.resolution);
  out.set_gamma(c.gamma);
  out.set_seed(c.seed);
  out.set_weighted(c.weighted);
  return out;
}

v1::NetworkStats ToProto(const graph::NetworkStatistics& s) {
  v1::NetworkStats out;
  out.set_convention(codecs::ToProto(s.convention));
  out.mutable_nodes()->set_total(s.basic.nodes);
  out.set_edges(s.basic.edges);
  out.set_self_loops(s.basic.self_loops);
  out.set_directed(s.basic.directed);
  out.set_weighted(s.basic.weighted);
  out.set_average_degree(s.basic.average_degree);
  out.set_average_weighted_degree(s.basic.average_weighted_degree);
  out.set_density(s.basic.density);
  out.set_weak_components(s.weak_components);
  out.set_giant_weak_component_share(s.giant_weak_component_share);
  out.set_strong_components(s.strong_components);
  out.set_giant_strong_component_share(s.giant_strong_component_share);

  const graph::PathSummary& p = s.paths;
  v1::PathStats* paths = out.mutable_paths();
  if (p.average_path_length) paths->set_average_path_length(*p.average_path_length);
  if (p.diameter) paths->set_diameter(*p.diameter);
  if (p.radius) paths->set_radius(*p.radius);
  paths->set_reachable_pairs(p.reachable_pairs);
  paths->set_unreachable_pairs(p.unreachable_pairs);
  paths->set_exact(p.exact);
  paths->set_average_path_length_low(p.average_path_length_low);
  paths->set_average_path_length_high(p.average_path_length_high);
  paths->set_diameter_lower_bound(p.diameter_lower_bound);
  paths->set_diameter_upper_bound(p.diameter_upper_bound);
  paths->set_sources(p.sources);
  paths->set_note(p.note);

  const graph::ClusteringSummary& c = s.clustering;
  v1::ClusteringStats* clustering = out.mutable_clustering();
  clustering->set_average_clustering(c.average_clustering);
  clustering->set_nodes_averaged(c.nodes_averaged);
  clustering->set_transitivity(c.transitivity);
  clustering->set_triangles(c.triangles);
  clustering->set_average_clustering_gephi(c.average_clustering_gephi);
  clustering->set_average_clustering_undirected(c.average_clustering_undirected);
  clustering->set_average_clustering_networkx(c.average_clustering_networkx);

  if (s.reciprocity) out.set_reciprocity(*s.reciprocity);
  if (s.degree_assortativity) out.set_degree_assortativity(*s.degree_assortativity);
  if (s.communities) *out.mutable_communities() = ToProto(*s.communities);
  return out;
}

v1::MeasureInfo ToProto(const graph::MeasureInfo& info) {
  v1::MeasureInfo out;
  out.set_measure(codecs::ToProto(info.measure));
  out.set_exact(info.exact);
  out.set_absolute_error_bound(info.absolute_error_bound);
  out.set_samples(info.samples);
  out.set_converged(info.converged);
  out.set_iterations(info.iterations);
  return out;
}

absl::StatusOr<v1::NetworkStats> ComputeStats(const graph::Graph& graph,
                                              const graph::StatsOptions& options,
                                              const graph::Interrupt& interrupt) {
  ASSIGN_OR_RETURN(graph::NetworkStatistics stats,
                   graph::ComputeNetworkStatistics(graph, options, interrupt));
  return ToProto(stats);
}

}  // namespace innoscope::network
