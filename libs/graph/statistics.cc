#include "libs/graph/statistics.h"

#include <cmath>
#include <limits>

namespace innoscope::graph {

BasicStatistics ComputeBasicStatistics(const Graph& graph) {
  BasicStatistics s;
  s.nodes = graph.NumNodes();
  s.edges = graph.NumEdges();
  s.self_loops = graph.NumSelfLoops();
  s.directed = graph.directed();
  s.weighted = graph.weighted();
  double total_weight = 0;
  for (const Edge& e : graph.Edges()) total_weight += e.weight;
  if (s.nodes > 0) {
    const double ends = s.directed ? 1.0 : 2.0;
    s.average_degree = ends * static_cast<double>(s.edges) / s.nodes;
    s.average_weighted_degree = ends * total_weight / s.nodes;
  }
  if (s.nodes > 1) {
    const double pairs = static_cast<double>(s.nodes) * (s.nodes - 1);
    s.density = (s.directed ? 1.0 : 2.0) * static_cast<double>(s.edges) / pairs;
  }
  return s;
}

double Reciprocity(const Graph& graph, Convention convention) {
  if (!graph.directed()) return 1.0;
  int64_t pairs = 0, reciprocated = 0, loops = 0;
  const std::vector<Edge>& edges = graph.Edges();
  for (size_t i = 0; i < edges.size(); ++i) {
    const Edge& e = edges[i];
    // Edges are sorted: skip parallel copies of the same ordered pair.
    if (i > 0 && edges[i - 1].source == e.source && edges[i - 1].target == e.target) {
      continue;
    }
    if (e.source == e.target) {
      ++loops;
      continue;
    }
    ++pairs;
    if (graph.HasEdge(e.target, e.source)) ++reciprocated;
  }
  const int64_t denominator = pairs + (convention == Convention::kNetworkx ? loops : 0);
  return denominator == 0 ? 0.0 : static_cast<double>(reciprocated) / denominator;
}

double DegreeAssortativity(const Graph& graph) {
  // Calls fn(x, y) for every (source-end, target-end) degree sample.
  auto for_each_sample = [&graph](auto fn) {
    for (const Edge& e : graph.Edges()) {
      if (graph.directed()) {
        fn(static_cast<double>(graph.OutDegree(e.source)),
           static_cast<double>(graph.InDegree(e.target)));
      } else {
        const double a = static_cast<double>(graph.Degree(e.source));
        const double b = static_cast<double>(graph.Degree(e.target));
        fn(a, b);
        fn(b, a);
      }
    }
  };
  // Two passes (means, then centred moments) so that a regular graph gives
  // exactly zero variance.
  double count = 0, sum_x = 0, sum_y = 0;
  for_each_sample([&](double x, double y) {
    count += 1;
    sum_x += x;
    sum_y += y;
  });
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (count == 0) return nan;
  const double mean_x = sum_x / count, mean_y = sum_y / count;
  double cov = 0, var_x = 0, var_y = 0;
  for_each_sample([&](double x, double y) {
    cov += (x - mean_x) * (y - mean_y);
    var_x += (x - mean_x) * (x - mean_x);
    var_y += (y - mean_y) * (y - mean_y);
  });
  if (var_x <= 0 || var_y <= 0) return nan;
  return cov / std::sqrt(var_x * var_y);
}

}  // namespace innoscope::graph
