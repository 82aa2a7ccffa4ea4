#include "libs/report/network_builder.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/graph/communities.h"
#include "libs/graph/distributions.h"
#include "libs/graph/force_atlas2.h"

namespace innoscope::report {
namespace {

// Node ids by total degree, highest first, ties by id.
std::vector<graph::NodeId> ByDegree(const graph::Graph& g) {
  std::vector<graph::NodeId> order(static_cast<size_t>(g.NumNodes()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](graph::NodeId a, graph::NodeId b) { return g.Degree(a) > g.Degree(b); });
  return order;
}

std::string WithCommas(int64_t n) {
  std::string s = absl::StrCat(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

}  // namespace

absl::StatusOr<NetworkLayout> LayoutNetwork(const graph::Graph& g, const LayoutOptions& options) {
  NetworkLayout out;
  out.total_nodes = g.NumNodes();
  out.labelled = options.labelled;
  std::vector<graph::NodeId> drawn = ByDegree(g);
  if (drawn.size() > options.max_nodes) {
    drawn.resize(options.max_nodes);
    out.note = absl::StrCat("the ", WithCommas(static_cast<int64_t>(options.max_nodes)),
                            " nodes of highest degree of ", WithCommas(g.NumNodes()),
                            ", and the edges among them");
  }
  std::sort(drawn.begin(), drawn.end());
  std::vector<graph::NodeId> index(static_cast<size_t>(g.NumNodes()), -1);
  for (size_t i = 0; i < drawn.size(); ++i) index[drawn[i]] = static_cast<graph::NodeId>(i);
  std::vector<graph::Edge> edges;
  for (const graph::Edge& e : g.Edges()) {
    if (e.source == e.target || index[e.source] < 0 || index[e.target] < 0) continue;
    edges.push_back({index[e.source], index[e.target], 1.0});
  }
  graph::BuildOptions build;
  build.directed = false;
  build.multi_edges = graph::MultiEdgePolicy::kMergeKeepFirst;
  build.self_loops = graph::SelfLoopPolicy::kDrop;
  absl::StatusOr<graph::Graph> sub =
      graph::Graph::FromEdges(static_cast<graph::NodeId>(drawn.size()), edges, build);
  if (!sub.ok()) return sub.status();

  graph::ForceAtlas2::Options fa2;
  fa2.iterations = options.iterations;
  fa2.seed = options.seed;
  fa2.num_threads = options.num_threads;
  graph::ForceAtlas2 layout(*sub, fa2);
  if (absl::Status s = layout.Run(); !s.ok()) return s;
  out.method = absl::StrCat("ForceAtlas2 with Barnes-Hut (theta 1.2), ", options.iterations,
                            " iterations, seed ", options.seed);

  std::vector<int64_t> community(drawn.size(), 0);
  if (sub->NumEdges() > 0) {
    graph::Louvain::Options louvain;
    louvain.seed = options.seed;
    graph::Louvain communities(*sub, louvain);
    if (absl::Status s = communities.Run(); !s.ok()) return s;
    community = communities.Communities();
  }
  std::map<int64_t, int64_t> sizes;
  for (int64_t c : community) ++sizes[c];
  std::vector<std::pair<int64_t, int64_t>> by_size(sizes.begin(), sizes.end());
  std::stable_sort(by_size.begin(), by_size.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  std::map<int64_t, int> group_of;
  for (size_t k = 0; k < by_size.size(); ++k) {
    group_of[by_size[k].first] = static_cast<int>(k);
    out.group_names.push_back(
        absl::StrCat("community ", k + 1, " (", by_size[k].second, " nodes)"));
  }
  out.group_kind = "Louvain community of the drawn nodes";
  for (size_t i = 0; i < drawn.size(); ++i) {
    LayoutNode node;
    node.code = g.NodeKey(drawn[i]);
    node.label = g.NodeLabel(drawn[i]);
    node.x = layout.X()[i];
    node.y = layout.Y()[i];
    node.degree = static_cast<double>(g.Degree(drawn[i]));
    node.group = group_of[community[i]];
    out.nodes.push_back(std::move(node));
  }
  for (const graph::Edge& e : sub->Edges()) out.edges.push_back({e.source, e.target});
  return out;
}

DegreeDistribution DegreesOf(const graph::Graph& g) {
  DegreeDistribution out;
  out.histogram.assign(1, 0);
  for (graph::NodeId v = 0; v < g.NumNodes(); ++v) {
    const size_t d = static_cast<size_t>(g.Degree(v));
    if (d >= out.histogram.size()) out.histogram.resize(d + 1, 0);
    ++out.histogram[d];
  }
  std::vector<int64_t> degrees;
  for (graph::NodeId v = 0; v < g.NumNodes(); ++v) degrees.push_back(g.Degree(v));
  graph::PowerLawFit fit(std::move(degrees));
  if (absl::Status s = fit.Run(); s.ok()) {
    out.has_fit = true;
    out.alpha = fit.Alpha();
    out.xmin = fit.Xmin();
    out.ks_distance = fit.KsDistance();
    out.tail_size = fit.TailSize();
  } else {
    out.note = std::string(s.message());
  }
  return out;
}

std::vector<TopNode> TopByDegree(const graph::Graph& g, size_t n) {
  std::vector<TopNode> out;
  for (graph::NodeId v : ByDegree(g)) {
    if (out.size() >= n) break;
    TopNode node;
    node.code = g.NodeKey(v);
    node.name = g.NodeLabel(v);
    node.degree = static_cast<double>(g.Degree(v));
    node.in_degree = static_cast<double>(g.InDegree(v));
    node.out_degree = static_cast<double>(g.OutDegree(v));
    out.push_back(std::move(node));
  }
  return out;
}

NetworkYear YearOf(const graph::NetworkStatistics& s, int32_t year) {
  NetworkYear y;
  y.year = year;
  y.nodes = s.basic.nodes;
  y.edges = s.basic.edges;
  y.average_degree = s.basic.average_degree;
  y.density = s.basic.density;
  if (s.paths.diameter) y.diameter = static_cast<double>(*s.paths.diameter);
  y.path_length = s.paths.average_path_length;
  y.clustering = s.clustering.average_clustering;
  if (s.communities) y.modularity = s.communities->modularity;
  return y;
}

}  // namespace innoscope::report
