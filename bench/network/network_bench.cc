// The network benchmark's own side (bench/network/run.sh runs it; see
// bench/README.md):
//
//   bench_network generate value2022 OUT.csv   the generated 2022-sized value network
//   bench_network stats FILE [--directed]      full statistics + exact betweenness, timed
//   bench_network large [NODES EDGES]          approximate distances and betweenness at
//                                              1,000,000 nodes / 5,000,000 edges
//   bench_network layout FILE [ITERATIONS]     ForceAtlas2 with Barnes-Hut (the report's
//                                              picture of the network), timed
//   bench_network relations EDGES DIR          the value network scaled to EDGES edges as
//                                              DIR/actors.csv, DIR/relations.csv (`innoscope
//                                              import`) and DIR/edges.csv (`network stats
//                                              --edges`); bench/network/service.sh
//
// The value network generator (deterministic, SplitMix64 seed 2022): 2,200
// sample enterprises whose activity follows Zipf's law with exponent 0.9
// (the published top-20 degrees fall off about so: Huawei 7,384, Tencent
// 3,480, JD 2,234, ...), and relation nodes whose popularity follows Zipf
// 0.65 (Tsinghua 543, Intel 484, ...). Every node gets one edge first (each
// relation node to an enterprise drawn by activity, each enterprise to a
// relation node drawn by popularity); the rest are enterprise-relation node
// edges (85%) and enterprise-enterprise edges (15%) drawn by activity and
// popularity, until the number of distinct directed edges is reached.
// Enterprise -> relation node (technology empowerment) with probability
// 0.65, the reverse (input, investment) otherwise; enterprise pairs in a
// random direction. A few dominant hubs and heavy-tailed degrees result.
//
// Timings cover the computation only (the graph is loaded first), on every
// hardware thread (num_threads = 0), printed as `ours <name>_s=<seconds>`.

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/graph/approx_paths.h"
#include "libs/graph/betweenness.h"
#include "libs/graph/force_atlas2.h"
#include "libs/graph/graph.h"
#include "libs/graph/network_measures.h"
#include "libs/graph/parallel.h"
#include "libs/graph/random.h"
#include "libs/graph/readers.h"

namespace innoscope::bench {
namespace {

using graph::Edge;
using graph::NodeId;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// CPU seconds of every thread of this process so far (user + system).
double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Cumulative Zipf weights (i + 1)^-exponent for sampling by binary search.
std::vector<double> ZipfCumulative(int64_t count, double exponent) {
  std::vector<double> cumulative(static_cast<size_t>(count));
  double total = 0;
  for (int64_t i = 0; i < count; ++i) {
    total += std::pow(static_cast<double>(i + 1), -exponent);
    cumulative[i] = total;
  }
  return cumulative;
}

int64_t Draw(const std::vector<double>& cumulative, graph::SplitMix64& rng) {
  const double u = rng.UniformDouble() * cumulative.back();
  return std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
}

// Directed edges of the value-network model: nodes 0..samples-1 are sample
// enterprises, the rest relation nodes.
std::vector<Edge> ValueNetwork(NodeId nodes, int64_t edges, NodeId samples, uint64_t seed) {
  graph::SplitMix64 rng(seed);
  const std::vector<double> activity = ZipfCumulative(samples, 0.9);
  const std::vector<double> popularity = ZipfCumulative(nodes - samples, 0.65);
  absl::flat_hash_set<uint64_t> seen;
  seen.reserve(static_cast<size_t>(edges));
  std::vector<Edge> out;
  out.reserve(static_cast<size_t>(edges));
  auto add = [&](NodeId u, NodeId v) {
    if (u == v ||
        !seen.insert((static_cast<uint64_t>(u) << 32) | static_cast<uint32_t>(v)).second) {
      return;
    }
    out.push_back({u, v, 1.0});
  };
  auto enterprise = [&] { return static_cast<NodeId>(Draw(activity, rng)); };
  auto relation_node = [&] { return static_cast<NodeId>(samples + Draw(popularity, rng)); };
  auto enterprise_edge = [&](NodeId e, NodeId r) {
    if (rng.UniformDouble() < 0.65) {
      add(e, r);  // technology empowerment
    } else {
      add(r, e);  // technology input, investment
    }
  };
  for (NodeId r = samples; r < nodes && static_cast<int64_t>(out.size()) < edges; ++r) {
    enterprise_edge(enterprise(), r);
  }
  for (NodeId e = 0; e < samples && static_cast<int64_t>(out.size()) < edges; ++e) {
    enterprise_edge(e, relation_node());
  }
  while (static_cast<int64_t>(out.size()) < edges) {
    if (rng.UniformDouble() < 0.85) {
      enterprise_edge(enterprise(), relation_node());
    } else {
      add(enterprise(), enterprise());
    }
  }
  return out;
}

int Generate(const std::string& name, const std::string& path) {
  if (name != "value2022") {
    std::fprintf(stderr, "bench_network: unknown network %s (value2022)\n", name.c_str());
    return 2;
  }
  // The published 2022 network: 30,765 nodes (2,200 sample enterprises),
  // 83,815 directed edges.
  const std::vector<Edge> edges = ValueNetwork(30765, 83815, 2200, 2022);
  std::string text = "source,target\n";
  for (const Edge& e : edges) absl::StrAppend(&text, "n", e.source, ",n", e.target, "\n");
  std::ofstream(path) << text;
  std::fprintf(stderr, "bench_network: wrote %zu edges to %s\n", edges.size(), path.c_str());
  return 0;
}

// The value network scaled to `edges` distinct directed edges (nodes and
// sample enterprises in the 2022 proportions: 30,765 nodes and 2,200
// enterprises per 83,815 edges), written as a relation set: actors
// (enterprises are sample enterprises, the rest "other" actors), one technology_empowerment
// relation of 2022 per edge, and the same edges as a plain edge list.
// Actor codes are numbered in the order of first appearance in the edge
// list, zero-padded: the service numbers nodes by actor code and the edge
// list reader by first appearance, so both number the nodes alike and
// sampled statistics and Louvain (seeded) agree exactly.
int Relations(int64_t edges, const std::string& dir) {
  const double scale = static_cast<double>(edges) / 83815.0;
  const NodeId nodes = static_cast<NodeId>(std::llround(30765 * scale));
  const NodeId samples = static_cast<NodeId>(std::llround(2200 * scale));
  const std::vector<Edge> list = ValueNetwork(nodes, edges, samples, 2022);
  std::vector<int64_t> rank(static_cast<size_t>(nodes), -1);
  std::vector<NodeId> by_rank;
  by_rank.reserve(static_cast<size_t>(nodes));
  auto code = [&](NodeId v) {
    if (rank[v] < 0) {
      rank[v] = static_cast<int64_t>(by_rank.size());
      by_rank.push_back(v);
    }
    return absl::StrFormat("a%07d", rank[v]);
  };
  std::string relations = "source,target,type,year\n";
  std::string edge_list = "source,target\n";
  for (const Edge& e : list) {
    const std::string s = code(e.source), t = code(e.target);
    absl::StrAppend(&relations, s, ",", t, ",technology_empowerment,2022\n");
    absl::StrAppend(&edge_list, s, ",", t, "\n");
  }
  std::string actors = "code,name,kind,sample\n";
  for (size_t r = 0; r < by_rank.size(); ++r) {
    const bool sample = by_rank[r] < samples;
    absl::StrAppend(&actors, absl::StrFormat("a%07d", r), ",Actor ", r, ",",
                    sample ? "enterprise" : "other", ",", sample ? "true" : "false", "\n");
  }
  std::ofstream(dir + "/actors.csv") << actors;
  std::ofstream(dir + "/relations.csv") << relations;
  std::ofstream(dir + "/edges.csv") << edge_list;
  std::fprintf(stderr, "bench_network: wrote %zu actors and %zu relations to %s\n", by_rank.size(),
               list.size(), dir.c_str());
  return 0;
}

int Stats(const std::string& path, bool directed) {
  graph::ReadOptions options;
  options.directed = directed;
  options.self_loops = graph::SelfLoopPolicy::kDrop;  // as igraph's simplify()
  options.multi_edges = graph::MultiEdgePolicy::kMergeKeepFirst;
  absl::StatusOr<graph::GraphFile> file = graph::ReadGraphFile(path, options);
  if (!file.ok()) {
    std::fprintf(stderr, "bench_network: %s\n", std::string(file.status().message()).c_str());
    return 1;
  }
  const graph::Graph& g = file->graph;
  std::printf("ours nodes=%d edges=%lld\n", g.NumNodes(), static_cast<long long>(g.NumEdges()));

  // Everything ComputeNetworkStats computes (graph::ComputeNetworkStatistics,
  // the service's own): components, exact diameter and average path length,
  // clustering under three conventions, transitivity, reciprocity,
  // assortativity, Louvain.
  graph::StatsOptions stats_options;
  stats_options.convention = graph::Convention::kIgraph;  // skips unreachable pairs, as igraph
  auto start = std::chrono::steady_clock::now();
  double cpu_start = CpuSeconds();
  absl::StatusOr<graph::NetworkStatistics> stats =
      graph::ComputeNetworkStatistics(g, stats_options, graph::Interrupt());
  const double stats_s = Seconds(start);
  const double stats_cpu_s = CpuSeconds() - cpu_start;
  if (!stats.ok()) {
    std::fprintf(stderr, "bench_network: %s\n", std::string(stats.status().message()).c_str());
    return 1;
  }
  start = std::chrono::steady_clock::now();
  cpu_start = CpuSeconds();
  graph::Betweenness betweenness(g);
  if (!betweenness.Run().ok()) return 1;
  const double betweenness_s = Seconds(start);
  const double betweenness_cpu_s = CpuSeconds() - cpu_start;
  const std::vector<double>& b = betweenness.Scores();
  std::printf("ours stats_s=%.3f betweenness_s=%.3f\n", stats_s, betweenness_s);
  std::printf("ours stats_cpu_s=%.3f betweenness_cpu_s=%.3f threads=%d\n", stats_cpu_s,
              betweenness_cpu_s, graph::ResolveThreads(0, g.NumNodes()));
  std::printf(
      "ours apl=%.6f diameter=%lld clustering=%.6f transitivity=%.6f modularity=%.4f "
      "communities=%lld max_betweenness=%.3f\n",
      stats->paths.average_path_length.value_or(NAN),
      static_cast<long long>(stats->paths.diameter.value_or(-1)),
      stats->clustering.average_clustering, stats->clustering.transitivity,
      stats->communities ? stats->communities->modularity_at_resolution_1 : NAN,
      static_cast<long long>(stats->communities ? stats->communities->communities : 0),
      *std::max_element(b.begin(), b.end()));
  return 0;
}

int64_t PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      int64_t kb = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(6, line.size() - 9)), &kb)) {
        return kb;
      }
    }
  }
  return -1;
}

int Large(NodeId nodes, int64_t edges) {
  // The value-network model scaled up: sample enterprises 7% of the nodes,
  // as in 2022 (2,200 of 30,765).
  auto start = std::chrono::steady_clock::now();
  const std::vector<Edge> list = ValueNetwork(nodes, edges, nodes / 14, 7);
  graph::BuildOptions options;
  options.directed = true;
  absl::StatusOr<graph::Graph> built = graph::Graph::FromEdges(nodes, list, options);
  if (!built.ok()) return 1;
  const graph::Graph& g = *built;
  std::printf("ours large nodes=%d edges=%lld generate_s=%.2f\n", g.NumNodes(),
              static_cast<long long>(g.NumEdges()), Seconds(start));

  start = std::chrono::steady_clock::now();
  double cpu_start = CpuSeconds();
  graph::ApproxPathStatistics::Options path_options;
  path_options.samples = 50000;  // reachable pairs
  path_options.delta = 0.1;
  path_options.seed = 1;
  graph::ApproxPathStatistics paths(g, path_options);
  if (!paths.Run().ok()) return 1;
  const double paths_s = Seconds(start);
  const double paths_cpu_s = CpuSeconds() - cpu_start;
  std::printf(
      "ours large paths_s=%.2f apl=%.4f apl_interval=[%.4f,%.4f] (probability >= 0.9) "
      "diameter_bounds=[%lld,%lld] pairs=%lld reachable=%lld searches=%lld\n",
      paths_s, paths.AveragePathLength(), paths.AveragePathLengthLow(),
      paths.AveragePathLengthHigh(), static_cast<long long>(paths.DiameterLowerBound()),
      static_cast<long long>(paths.DiameterUpperBound()),
      static_cast<long long>(paths.PairsDrawn()),
      static_cast<long long>(paths.ReachablePairsSampled()),
      static_cast<long long>(paths.Searches()));

  start = std::chrono::steady_clock::now();
  cpu_start = CpuSeconds();
  graph::ApproxBetweenness::Options b_options;
  b_options.epsilon = 0.01;
  b_options.delta = 0.1;
  b_options.seed = 1;
  b_options.normalized = true;
  graph::ApproxBetweenness betweenness(g, b_options);
  if (!betweenness.Run().ok()) return 1;
  const double betweenness_s = Seconds(start);
  const double betweenness_cpu_s = CpuSeconds() - cpu_start;
  const std::vector<double>& b = betweenness.Scores();
  std::printf(
      "ours large betweenness_s=%.2f samples=%lld vertex_diameter_bound=%lld "
      "max_normalized=%.5f error_bound=%.5f (probability >= 0.9)\n",
      betweenness_s, static_cast<long long>(betweenness.SampleSize()),
      static_cast<long long>(betweenness.VertexDiameterBound()),
      *std::max_element(b.begin(), b.end()), betweenness.AbsoluteErrorBound());
  std::printf("ours large paths_cpu_s=%.2f betweenness_cpu_s=%.2f threads=%d\n", paths_cpu_s,
              betweenness_cpu_s, graph::ResolveThreads(0, g.NumNodes()));
  std::printf("ours large total_s=%.2f total_cpu_s=%.2f peak_rss_mb=%.1f\n",
              paths_s + betweenness_s, paths_cpu_s + betweenness_cpu_s, PeakRssKb() / 1024.0);
  return 0;
}

// ForceAtlas2 on the undirected view of the file's graph (as the report
// lays it out), on every hardware thread, seed 1.
int Layout(const std::string& path, int iterations) {
  graph::ReadOptions options;
  options.directed = false;
  options.self_loops = graph::SelfLoopPolicy::kDrop;
  options.multi_edges = graph::MultiEdgePolicy::kMergeKeepFirst;
  absl::StatusOr<graph::GraphFile> file = graph::ReadGraphFile(path, options);
  if (!file.ok()) {
    std::fprintf(stderr, "bench_network: %s\n", std::string(file.status().message()).c_str());
    return 1;
  }
  graph::ForceAtlas2::Options fa2;
  fa2.iterations = iterations;
  graph::ForceAtlas2 layout(file->graph, fa2);
  const auto start = std::chrono::steady_clock::now();
  if (absl::Status s = layout.Run(); !s.ok()) {
    std::fprintf(stderr, "bench_network: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
  std::printf("ours layout_s=%.3f cpu_s=%.3f nodes=%d edges=%lld iterations=%d\n", Seconds(start),
              cpu, file->graph.NumNodes(), static_cast<long long>(file->graph.NumEdges()),
              iterations);
  return 0;
}

}  // namespace
}  // namespace innoscope::bench

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 3 && args[0] == "generate") {
    return innoscope::bench::Generate(args[1], args[2]);
  }
  if (args.size() == 3 && args[0] == "relations") {
    int64_t edges = 0;
    if (!absl::SimpleAtoi(args[1], &edges) || edges < 1000) return 2;
    return innoscope::bench::Relations(edges, args[2]);
  }
  if ((args.size() == 2 || args.size() == 3) && args[0] == "stats") {
    return innoscope::bench::Stats(args[1], args.size() == 3 && args[2] == "--directed");
  }
  if (!args.empty() && args[0] == "large") {
    int64_t nodes = 1000000, edges = 5000000;
    if (args.size() == 3 &&
        (!absl::SimpleAtoi(args[1], &nodes) || !absl::SimpleAtoi(args[2], &edges))) {
      return 2;
    }
    return innoscope::bench::Large(static_cast<innoscope::graph::NodeId>(nodes), edges);
  }
  if ((args.size() == 2 || args.size() == 3) && args[0] == "layout") {
    int iterations = 300;
    if (args.size() == 3 && !absl::SimpleAtoi(args[2], &iterations)) return 2;
    return innoscope::bench::Layout(args[1], iterations);
  }
  std::fputs(
      "Usage: bench_network generate value2022 OUT.csv | stats FILE [--directed] | "
      "large [NODES EDGES] | layout FILE [ITERATIONS] | relations EDGES DIR\n",
      stderr);
  return 2;
}
