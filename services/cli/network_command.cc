// innoscope network stats|centrality: network statistics and per-node
// measures, offline on an edge-list file or online on a selection of the
// relations held by ingest (the network service computes).
//
//   innoscope network stats --edges E.csv [--directed] [--weighted]
//                           [--convention gephi|networkx|igraph] [--seed S] --json
//   innoscope network centrality --edges E.csv --measure betweenness [--top N]
//   innoscope network stats --relation_set default --types investment --year 2022 --json
//
// Offline and online print the same numbers: both run the computation of
// libs/graph/network_measures.h (the service's own) on the graph. The file
// is `source,target[,weight]` with a header (other formats by extension:
// .txt SNAP, .gml, .gexf, .graphml).

#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/client_context.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "libs/graph/centrality.h"
#include "libs/graph/network_measures.h"
#include "libs/graph/readers.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/number_text.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

namespace v1 = ::innoscope::network::v1;

constexpr char kNetworkUsage[] =
    "Usage: innoscope network <command> [flags]\n\n"
    "Commands:\n"
    "  stats       whole-graph statistics (--json for a JSON object)\n"
    "  centrality  per-node measure as node,value rows (--measure, --top N)\n\n"
    "With --edges FILE the graph is read from the file and computed here; without,\n"
    "the selection flags (--relation_set, --types, --year ...) name relations held by\n"
    "ingest and the network service computes. 'innoscope network <command> --help'\n"
    "lists the flags.\n";

// Flags shared by both commands: the graph (file or selection) and the
// convention.
config::FlagSet NetworkFlags(const std::string& command, const std::string& help) {
  config::FlagSet flags = CommandFlags(absl::StrCat("network ", command), help, {"network"}, "600");
  flags.Add("edges", "",
            "edge list source,target[,weight] with a header (or .txt/.gml/.gexf/.graphml); "
            "empty: ask the network service for the selection below");
  flags.AddBool("directed", false,
                "directed graph (file default: undirected; selection default: directed)");
  flags.AddBool("weighted", false,
                "use edge weights (file: the weight column; selection: Relation.weight)");
  flags.Add("convention", "gephi", "gephi, networkx or igraph");
  flags.Add("multi_edges", "merge", "parallel edges: merge (sum weights), keep or first");
  flags.Add("self_loops", "keep", "keep or drop");
  flags.Add("seed", "0", "Louvain seed");
  flags.Add("resolution", "1", "Louvain resolution (gamma; Gephi's r under gephi)");
  flags.Add("relation_set", "default", "selection: relation set");
  flags.Add("types", "", "selection: comma-separated relation types (default: all)");
  flags.Add("year", "", "selection: relations up to this year (cumulative)");
  flags.Add("years", "", "selection: relations of the years FIRST-LAST");
  flags.Add("sample", "any", "selection: sample enterprises only, exclude or any");
  flags.Add("endpoint", "both", "selection: both ends or either end pass the actor filter");
  flags.AddBool("approximate", false,
                "sample distances and betweenness (large graphs; results state error bounds)");
  return flags;
}

// What the shared flags say, checked.
struct GraphFlags {
  std::string edges;
  bool directed = false;
  bool weighted = false;
  graph::Convention convention = graph::Convention::kGephi;
  graph::LouvainParams louvain;
  graph::MultiEdgePolicy multi_edges = graph::MultiEdgePolicy::kMergeSum;
  graph::SelfLoopPolicy self_loops = graph::SelfLoopPolicy::kKeep;
  bool approximate = false;
  v1::GraphSelection selection;  // online only
};

v1::FlagFilter ParseFlagFilter(const std::string& program, const std::string& flag,
                               const std::string& text) {
  if (text == "any") return v1::FLAG_FILTER_ANY;
  if (text == "only") return v1::FLAG_FILTER_ONLY;
  if (text == "exclude") return v1::FLAG_FILTER_EXCLUDE;
  config::ExitInvalidConfig(program, absl::StrCat("--", flag, ": use any, only or exclude"));
}

// Exits 2 with the message on a bad value.
template <typename T>
T OrExit(const std::string& program, absl::StatusOr<T> value) {
  if (!value.ok()) config::ExitInvalidConfig(program, std::string(value.status().message()));
  return *std::move(value);
}

// The request's enum value of a library value: the proto names its values
// after the CLI's names ("igraph" -> CONVENTION_IGRAPH, "in_degree" ->
// MEASURE_IN_DEGREE).
template <typename Enum>
absl::StatusOr<Enum> ProtoEnum(const std::string& prefix, const std::string& name,
                               bool (*parse)(const std::string&, Enum*)) {
  Enum value{};
  if (!parse(absl::AsciiStrToUpper(absl::StrCat(prefix, name)), &value)) {
    return absl::InternalError(absl::StrCat("no ", prefix, " value for \"", name, "\""));
  }
  return value;
}

absl::StatusOr<v1::Convention> ProtoConvention(graph::Convention convention) {
  return ProtoEnum<v1::Convention>("CONVENTION_", std::string(graph::ConventionName(convention)),
                                   &v1::Convention_Parse);
}

absl::StatusOr<v1::Measure> ProtoMeasure(graph::Measure measure) {
  return ProtoEnum<v1::Measure>("MEASURE_", graph::MeasureName(measure), &v1::Measure_Parse);
}

GraphFlags ParseGraphFlags(const ParsedCommand& cmd) {
  const config::ParsedFlags& f = cmd.flags;
  GraphFlags g;
  g.edges = f.Get("edges");
  const bool online = g.edges.empty();
  g.directed = OrExit(cmd.program, f.GetBool("directed"));
  if (online && f.Origin("directed") == "default") g.directed = true;  // relations are directed
  g.weighted = OrExit(cmd.program, f.GetBool("weighted"));
  g.approximate = OrExit(cmd.program, f.GetBool("approximate"));
  g.convention = OrExit(cmd.program, graph::ConventionFromName(f.Get("convention")));
  g.louvain.resolution = OrExit(cmd.program, f.GetDouble("resolution"));
  g.louvain.seed = static_cast<uint64_t>(
      OrExit(cmd.program, f.GetInt("seed", 0, std::numeric_limits<int64_t>::max())));
  g.louvain.weighted = g.weighted;
  if (absl::Status s = graph::CheckLouvainParams(g.louvain, "--resolution"); !s.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(s.message()));
  }
  const std::string& multi = f.Get("multi_edges");
  if (multi == "keep") {
    g.multi_edges = graph::MultiEdgePolicy::kKeep;
  } else if (multi == "first") {
    g.multi_edges = graph::MultiEdgePolicy::kMergeKeepFirst;
  } else if (multi != "merge") {
    config::ExitInvalidConfig(cmd.program, "--multi_edges: use merge, keep or first");
  }
  if (f.Get("self_loops") == "drop") {
    g.self_loops = graph::SelfLoopPolicy::kDrop;
  } else if (f.Get("self_loops") != "keep") {
    config::ExitInvalidConfig(cmd.program, "--self_loops: use keep or drop");
  }

  v1::GraphSelection& s = g.selection;
  s.set_relation_set(f.Get("relation_set"));
  for (absl::string_view type : absl::StrSplit(f.Get("types"), ',', absl::SkipWhitespace())) {
    s.add_relation_types(std::string(type));
  }
  if (!f.Get("year").empty() && !f.Get("years").empty()) {
    config::ExitInvalidConfig(cmd.program, "give --year (cumulative) or --years, not both");
  }
  if (!f.Get("year").empty()) {
    s.mutable_years()->set_up_to(OrExit(cmd.program, ParsePeriod(f.Get("year"))));
  }
  if (!f.Get("years").empty()) {
    const PeriodSpan span = OrExit(cmd.program, ParsePeriodSpan(f.Get("years")));
    s.mutable_years()->mutable_window()->set_first(span.first);
    s.mutable_years()->mutable_window()->set_last(span.last);
  }
  const v1::FlagFilter sample = ParseFlagFilter(cmd.program, "sample", f.Get("sample"));
  if (sample != v1::FLAG_FILTER_ANY) s.mutable_actors()->set_sample(sample);
  if (f.Get("endpoint") == "either") {
    s.set_endpoint_rule(v1::ENDPOINT_RULE_EITHER);
  } else if (f.Get("endpoint") != "both") {
    config::ExitInvalidConfig(cmd.program, "--endpoint: use both or either");
  }
  s.set_view(g.directed ? v1::GRAPH_VIEW_DIRECTED : v1::GRAPH_VIEW_UNDIRECTED);
  if (g.weighted) s.set_weight(v1::EDGE_WEIGHT_WEIGHT);
  s.set_multi_edges(g.multi_edges == graph::MultiEdgePolicy::kKeep ? v1::MULTI_EDGE_POLICY_KEEP
                    : g.multi_edges == graph::MultiEdgePolicy::kMergeKeepFirst
                        ? v1::MULTI_EDGE_POLICY_KEEP_FIRST
                        : v1::MULTI_EDGE_POLICY_MERGE);
  if (g.self_loops == graph::SelfLoopPolicy::kDrop) s.set_self_loops(v1::SELF_LOOP_POLICY_DROP);
  return g;
}

absl::StatusOr<graph::Graph> ReadEdges(const GraphFlags& flags) {
  graph::ReadOptions options;
  options.directed = flags.directed;
  options.multi_edges = flags.multi_edges;
  options.self_loops = flags.self_loops;
  absl::StatusOr<graph::GraphFile> file = graph::ReadGraphFile(flags.edges, options);
  if (!file.ok()) return file.status();
  return std::move(file->graph);
}

// Sampling with the library's defaults (as the service applies them).
graph::ApproxParams ApproximationOf(const GraphFlags& flags) {
  graph::ApproxParams a;
  a.enabled = flags.approximate;
  return a;
}

std::string Number(double value) { return std::isfinite(value) ? FormatDouble(value) : "nan"; }

// What `network stats` prints, read from the service's message.
graph::NetworkStatistics PrintedStats(const v1::NetworkStats& s) {
  graph::NetworkStatistics out;
  const std::string& name = v1::Convention_Name(s.convention());
  absl::string_view convention = name;
  if (absl::ConsumePrefix(&convention, "CONVENTION_")) {
    out.convention =
        graph::ConventionFromName(absl::AsciiStrToLower(convention)).value_or(out.convention);
  }
  out.basic.nodes = s.nodes().total();
  out.basic.edges = s.edges();
  out.basic.average_degree = s.average_degree();
  out.basic.density = s.density();
  out.weak_components = s.weak_components();
  out.strong_components = s.strong_components();
  const v1::PathStats& p = s.paths();
  if (p.has_diameter()) out.paths.diameter = p.diameter();
  if (p.has_average_path_length()) out.paths.average_path_length = p.average_path_length();
  out.paths.unreachable_pairs = p.unreachable_pairs();
  out.paths.note = p.note();
  out.clustering.average_clustering = s.clustering().average_clustering();
  out.clustering.transitivity = s.clustering().transitivity();
  if (s.has_communities()) {
    out.communities.emplace();
    out.communities->modularity = s.communities().modularity();
    out.communities->communities = s.communities().communities();
  }
  return out;
}

// The statistics as "key": value pairs, in the documented order; absent
// values are null.
std::vector<std::pair<std::string, std::string>> StatsFields(const graph::NetworkStatistics& s) {
  const graph::PathSummary& p = s.paths;
  const std::string null = "null";
  return {
      {"nodes", absl::StrCat(s.basic.nodes)},
      {"edges", absl::StrCat(s.basic.edges)},
      {"average_degree", Number(s.basic.average_degree)},
      {"density", Number(s.basic.density)},
      {"weak_components", absl::StrCat(s.weak_components)},
      {"strong_components", absl::StrCat(s.strong_components)},
      {"diameter", p.diameter ? absl::StrCat(*p.diameter) : null},
      {"average_path_length", p.average_path_length ? Number(*p.average_path_length) : null},
      {"unreachable_pairs", absl::StrCat(p.unreachable_pairs)},
      {"average_clustering", Number(s.clustering.average_clustering)},
      {"transitivity", Number(s.clustering.transitivity)},
      {"modularity", s.communities ? Number(s.communities->modularity) : null},
      {"communities", s.communities ? absl::StrCat(s.communities->communities) : null},
      {"convention", JsonString(std::string(graph::ConventionName(s.convention)))},
  };
}

void PrintStats(const graph::NetworkStatistics& stats, bool json) {
  const auto fields = StatsFields(stats);
  std::string out = json ? "{" : "";
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& [key, value] = fields[i];
    if (json) {
      absl::StrAppend(&out, i == 0 ? "\n  " : ",\n  ", JsonString(key), ": ", value);
    } else {
      const bool quoted = value.size() >= 2 && value.front() == '"';
      absl::StrAppend(&out, key, "=", quoted ? value.substr(1, value.size() - 2) : value, "\n");
    }
  }
  if (json) out += "\n}\n";
  std::fputs(out.c_str(), stdout);
  if (!stats.paths.note.empty()) std::fprintf(stderr, "note: %s\n", stats.paths.note.c_str());
}

int RunStats(const std::vector<std::string>& args) {
  config::FlagSet flags =
      NetworkFlags("stats",
                   "Whole-graph statistics: nodes, edges, degree, density, components, diameter, "
                   "average path length, clustering, transitivity and Louvain modularity.");
  flags.AddBool("json", false, "print a JSON object instead of key=value lines");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  const GraphFlags g = ParseGraphFlags(cmd);
  const bool json = OrExit(cmd.program, cmd.flags.GetBool("json"));
  if (!g.edges.empty()) {
    absl::StatusOr<graph::Graph> graph = ReadEdges(g);
    if (!graph.ok()) return Fail(cmd.program, graph.status());
    graph::StatsOptions options;
    options.convention = g.convention;
    options.louvain = g.louvain;
    options.approximation = ApproximationOf(g);
    absl::StatusOr<graph::NetworkStatistics> stats =
        graph::ComputeNetworkStatistics(*graph, options, graph::Interrupt());
    if (!stats.ok()) return Fail(cmd.program, stats.status());
    PrintStats(*stats, json);
    return 0;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ServiceChannel(cmd.flags, "network");
  if (!channel.ok()) return Fail(cmd.program, channel.status());
  auto stub = v1::NetworkService::NewStub(*channel);
  v1::ComputeNetworkStatsRequest request;
  *request.mutable_selection() = g.selection;
  request.set_convention(OrExit(cmd.program, ProtoConvention(g.convention)));
  request.mutable_louvain()->set_resolution(g.louvain.resolution);
  request.mutable_louvain()->set_seed(g.louvain.seed);
  request.mutable_louvain()->set_weighted(g.louvain.weighted);
  request.mutable_approximation()->set_enabled(g.approximate);
  v1::ComputeNetworkStatsResponse response;
  absl::Status status = CallUnary(*stub, &v1::NetworkService::Stub::ComputeNetworkStats, request,
                                  &response, cmd.timeout);
  if (!status.ok()) return Fail(cmd.program, status);
  PrintStats(PrintedStats(response.stats()), json);
  std::fprintf(stderr, "%s: run %s (relations data version %lld)\n", cmd.program.c_str(),
               response.run().id().c_str(),
               static_cast<long long>(response.run().data_version().version()));
  return 0;
}

// Rows "node,value", highest value first (ties in node order, NaN last),
// the first `top` of them (all when top is 0).
void PrintRows(const std::vector<std::string>& nodes, const std::vector<double>& values, int top) {
  std::string out = "node,value\n";
  const int n = top > 0 ? top : static_cast<int>(values.size());
  for (const graph::NodeScore& row : graph::TopN(values, n)) {
    absl::StrAppend(&out, CsvField(nodes[row.node]), ",", Number(row.score), "\n");
  }
  std::fputs(out.c_str(), stdout);
}

int RunCentrality(const std::vector<std::string>& args) {
  config::FlagSet flags =
      NetworkFlags("centrality", "One per-node measure as node,value rows, highest first.");
  flags.Add("measure", "",
            "degree, in_degree, out_degree, strength, in_strength, out_strength, betweenness, "
            "closeness, harmonic, pagerank, eigenvector, kcore, community or clustering");
  flags.Add("top", "0", "print only the N highest (0: every node)");
  flags.AddBool("normalized", false, "degrees / (n-1), betweenness / number of pairs");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  const GraphFlags g = ParseGraphFlags(cmd);
  if (cmd.flags.Get("measure").empty()) {
    config::ExitInvalidConfig(cmd.program, "--measure: required (see --help)");
  }
  const graph::Measure measure =
      OrExit(cmd.program, graph::MeasureFromName(cmd.flags.Get("measure")));
  const int top = static_cast<int>(OrExit(cmd.program, cmd.flags.GetInt("top", 0, 1 << 30)));
  const bool normalized = OrExit(cmd.program, cmd.flags.GetBool("normalized"));
  if (!g.edges.empty()) {
    absl::StatusOr<graph::Graph> graph = ReadEdges(g);
    if (!graph.ok()) return Fail(cmd.program, graph.status());
    graph::MeasureOptions options;
    options.convention = g.convention;
    options.normalized = normalized;
    options.weighted = g.weighted;
    options.louvain = g.louvain;
    options.approximation = ApproximationOf(g);
    absl::StatusOr<graph::MeasureResult> result =
        graph::ComputeMeasure(*graph, measure, options, graph::Interrupt());
    if (!result.ok()) return Fail(cmd.program, result.status());
    std::vector<std::string> nodes;
    for (graph::NodeId v = 0; v < graph->NumNodes(); ++v) nodes.push_back(graph->NodeKey(v));
    PrintRows(nodes, result->scores, top);
    return 0;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ServiceChannel(cmd.flags, "network");
  if (!channel.ok()) return Fail(cmd.program, channel.status());
  auto stub = v1::NetworkService::NewStub(*channel);
  v1::ComputeCentralitiesRequest request;
  *request.mutable_selection() = g.selection;
  request.set_convention(OrExit(cmd.program, ProtoConvention(g.convention)));
  request.add_measures(OrExit(cmd.program, ProtoMeasure(measure)));
  request.set_normalized(normalized);
  request.mutable_louvain()->set_resolution(g.louvain.resolution);
  request.mutable_louvain()->set_seed(g.louvain.seed);
  request.mutable_approximation()->set_enabled(g.approximate);
  request.set_top_only(top > 0);
  if (top > 0) request.set_top_n(top);
  std::unique_ptr<grpc::ClientContext> context = ContextWithTimeout(cmd.timeout);
  auto reader = stub->ComputeCentralities(context.get(), request);
  v1::ComputeCentralitiesResponse message;
  std::vector<std::string> nodes;
  std::vector<double> values;
  while (reader->Read(&message)) {
    for (const v1::TopList& list : message.top()) {
      if (top == 0 || list.role() != v1::NODE_ROLE_UNSPECIFIED) continue;
      for (const v1::RankedNode& entry : list.entries()) {
        nodes.push_back(entry.node().code());
        values.push_back(entry.value());
      }
    }
    for (const v1::NodeScores& node : message.nodes()) {
      nodes.push_back(node.node().code());
      values.push_back(node.values(0));
    }
  }
  absl::Status status = server::FromGrpcStatus(reader->Finish());
  if (!status.ok()) return Fail(cmd.program, status);
  PrintRows(nodes, values, top);
  return 0;
}

}  // namespace

int RunNetwork(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kNetworkUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "stats") return RunStats(rest);
  if (args[0] == "centrality") return RunCentrality(rest);
  std::fprintf(stderr, "innoscope network: unknown command \"%s\"\n\n%s", args[0].c_str(),
               kNetworkUsage);
  return 2;
}

}  // namespace innoscope::cli
