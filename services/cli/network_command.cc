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
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/cpu_limit.h"
#include "libs/graph/centrality.h"
#include "libs/graph/measure.h"
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
  flags.Add("convention", std::string(EnumToName(graph::Convention::kGephi)),
            EnumNameList<graph::Convention>());
  flags.Add("multi_edges", std::string(EnumToName(graph::MultiEdgePolicy::kMergeSum)),
            "parallel edges: merge (sum weights), keep or first");
  flags.Add("self_loops", std::string(EnumToName(graph::SelfLoopPolicy::kKeep)), "keep or drop");
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
  flags.Add("epsilon", "0", "with --approximate: betweenness error bound (0: the default 0.01)");
  flags.AddBool("exact", false,
                "selection: exact paths and betweenness above the service's --exact_max_* sizes");
  flags.Add("threads", "0", "--edges: threads here; 0: this container's CPU quota (cgroup)");
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
  bool exact = false;            // online only
  double epsilon = 0;            // 0: the library's default
  int threads = 1;               // offline only, resolved
  v1::GraphSelection selection;  // online only
};

// Exits 2 with the message on a bad value.
template <typename T>
T OrExit(const std::string& program, absl::StatusOr<T> value) {
  if (!value.ok()) config::ExitInvalidConfig(program, std::string(value.status().message()));
  return *std::move(value);
}

// A flag's value as a name of a libs/graph table; exits 2 naming the flag.
template <typename E>
E NamedFlag(const ParsedCommand& cmd, const std::string& flag) {
  absl::StatusOr<E> value = ParseEnumIgnoringCase<E>(cmd.flags.Get(flag));
  if (!value.ok()) {
    config::ExitInvalidConfig(cmd.program,
                              absl::StrCat("--", flag, ": ", value.status().message()));
  }
  return *value;
}

// A flag's value as a name of a proto-only enum (libs/codecs); exits 2 naming the flag.
template <typename P>
P ProtoNamedFlag(const ParsedCommand& cmd, const std::string& flag) {
  absl::StatusOr<P> value = codecs::ProtoEnumFromName<P>(cmd.flags.Get(flag));
  if (!value.ok()) {
    config::ExitInvalidConfig(cmd.program,
                              absl::StrCat("--", flag, ": ", value.status().message()));
  }
  return *value;
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
  g.exact = OrExit(cmd.program, f.GetBool("exact"));
  g.epsilon = OrExit(cmd.program, f.GetDouble("epsilon"));
  if (g.epsilon != 0 && !(g.epsilon > 0 && g.epsilon < 1 && g.approximate)) {
    config::ExitInvalidConfig(cmd.program, "--epsilon: give a value in (0, 1) with --approximate");
  }
  if (g.exact && (g.approximate || !online)) {
    config::ExitInvalidConfig(cmd.program, "--exact: with a selection and without --approximate");
  }
  g.threads = common::ResolveThreadCount(
      static_cast<int>(OrExit(cmd.program, f.GetInt("threads", 0, 1024))));
  g.convention = NamedFlag<graph::Convention>(cmd, "convention");
  g.louvain.resolution = OrExit(cmd.program, f.GetDouble("resolution"));
  g.louvain.seed = static_cast<uint64_t>(
      OrExit(cmd.program, f.GetInt("seed", 0, std::numeric_limits<int64_t>::max())));
  g.louvain.weighted = g.weighted;
  if (absl::Status s = graph::CheckLouvainParams(g.louvain, "--resolution"); !s.ok()) {
    config::ExitInvalidConfig(cmd.program, std::string(s.message()));
  }
  g.multi_edges = NamedFlag<graph::MultiEdgePolicy>(cmd, "multi_edges");
  g.self_loops = NamedFlag<graph::SelfLoopPolicy>(cmd, "self_loops");

  v1::GraphSelection& s = g.selection;
  s.set_relation_set(f.Get("relation_set"));
  for (absl::string_view type : absl::StrSplit(f.Get("types"), ',', absl::SkipWhitespace())) {
    s.add_relation_types(std::string(type));
  }
  if (!f.Get("year").empty() && !f.Get("years").empty()) {
    config::ExitInvalidConfig(cmd.program, "give --year (cumulative) or --years, not both");
  }
  if (!f.Get("year").empty()) {
    s.mutable_periods()->set_up_to(OrExit(cmd.program, ParsePeriod(f.Get("year"))));
  }
  if (!f.Get("years").empty()) {
    const PeriodSpan span = OrExit(cmd.program, ParsePeriodSpan(f.Get("years")));
    s.mutable_periods()->mutable_window()->set_first(span.first);
    s.mutable_periods()->mutable_window()->set_last(span.last);
  }
  const v1::FlagFilter sample = ProtoNamedFlag<v1::FlagFilter>(cmd, "sample");
  if (sample != v1::FLAG_FILTER_ANY) s.mutable_actors()->set_sample(sample);
  s.set_endpoint_rule(ProtoNamedFlag<v1::EndpointRule>(cmd, "endpoint"));
  s.set_view(g.directed ? v1::GRAPH_VIEW_DIRECTED : v1::GRAPH_VIEW_UNDIRECTED);
  if (g.weighted) s.set_weight(v1::EDGE_WEIGHT_WEIGHT);
  s.set_multi_edges(codecs::ToProto(g.multi_edges));
  s.set_self_loops(codecs::ToProto(g.self_loops));
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

// A blocking call with a line on stderr every 15 s while it runs, so a long
// computation does not look like a hang (the service logs its progress).
template <typename Call>
absl::Status WithWaitingNotice(const ParsedCommand& cmd, const Call& call) {
  return clients::CallWithWaitingNotice(call, absl::Seconds(15), [&](absl::Duration waited) {
    std::fprintf(stderr, "%s: waiting for the network service: %.0f s of the %.0f s deadline\n",
                 cmd.program.c_str(), absl::ToDoubleSeconds(waited),
                 absl::ToDoubleSeconds(cmd.timeout));
  });
}

// Sampling with the library's defaults (as the service applies them).
graph::ApproxParams ApproximationOf(const GraphFlags& flags) {
  graph::ApproxParams a;
  a.enabled = flags.approximate;
  if (flags.epsilon > 0) a.epsilon = flags.epsilon;
  return a;
}

std::string Number(double value) { return std::isfinite(value) ? FormatDouble(value) : "nan"; }

// What `network stats` prints, read from the service's message (a
// convention number from a newer server prints as gephi's).
graph::NetworkStatistics PrintedStats(const v1::NetworkStats& s) {
  graph::NetworkStatistics out;
  out.convention = codecs::FromProto(s.convention(), "convention").value_or(out.convention);
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

// The statistics as a JSON object, in the documented order; absent values
// are null (a NaN prints as null too).
Json StatsFields(const graph::NetworkStatistics& s) {
  const graph::PathSummary& p = s.paths;
  return {
      {"nodes", s.basic.nodes},
      {"edges", s.basic.edges},
      {"average_degree", s.basic.average_degree},
      {"density", s.basic.density},
      {"weak_components", s.weak_components},
      {"strong_components", s.strong_components},
      {"diameter", p.diameter ? Json(*p.diameter) : Json()},
      {"average_path_length", p.average_path_length ? Json(*p.average_path_length) : Json()},
      {"unreachable_pairs", p.unreachable_pairs},
      {"average_clustering", s.clustering.average_clustering},
      {"transitivity", s.clustering.transitivity},
      {"modularity", s.communities ? Json(s.communities->modularity) : Json()},
      {"communities", s.communities ? Json(s.communities->communities) : Json()},
      {"convention", std::string(EnumToName(s.convention))},
  };
}

// A value of StatsFields as the text of a key=value line.
std::string ValueText(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return Number(value.get<double>());
  return value.dump();  // integers, true/false, null
}

void PrintStats(const graph::NetworkStatistics& stats, bool json) {
  const Json fields = StatsFields(stats);
  std::string out;
  if (json) {
    out = JsonText(fields);
  } else {
    for (const auto& [key, value] : fields.items()) {
      absl::StrAppend(&out, key, "=", ValueText(value), "\n");
    }
  }
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
    options.num_threads = g.threads;
    absl::StatusOr<graph::NetworkStatistics> stats =
        graph::ComputeNetworkStatistics(*graph, options, graph::Interrupt());
    if (!stats.ok()) return Fail(cmd.program, stats.status());
    PrintStats(*stats, json);
    return 0;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "network");
  if (!channel.ok()) return Fail(cmd.program, channel.status());
  auto stub = v1::NetworkService::NewStub(*channel);
  v1::ComputeNetworkStatsRequest request;
  *request.mutable_selection() = g.selection;
  request.set_convention(codecs::ToProto(g.convention));
  request.mutable_louvain()->set_resolution(g.louvain.resolution);
  request.mutable_louvain()->set_seed(g.louvain.seed);
  request.mutable_louvain()->set_weighted(g.louvain.weighted);
  request.mutable_approximation()->set_enabled(g.approximate);
  request.mutable_approximation()->set_exact(g.exact);
  request.mutable_approximation()->set_epsilon(g.epsilon);
  v1::ComputeNetworkStatsResponse response;
  absl::Status status = WithWaitingNotice(cmd, [&] {
    return CallUnary(*stub, &v1::NetworkService::Stub::ComputeNetworkStats, request, &response,
                     cmd.timeout);
  });
  if (!status.ok()) return Fail(cmd.program, status);
  PrintStats(PrintedStats(response.stats()), json);
  const v1::PathStats& paths = response.stats().paths();
  std::fprintf(stderr, "%s: paths %s (%lld %s): %s\n", cmd.program.c_str(),
               paths.exact() ? "exact" : "sampled", static_cast<long long>(paths.sources()),
               paths.exact() ? "BFS sources" : "node pairs searched",
               paths.method_reason().c_str());
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
  flags.Add("measure", "", EnumNameList<graph::Measure>());
  flags.Add("top", "0", "print only the N highest (0: every node)");
  flags.AddBool("normalized", false, "degrees / (n-1), betweenness / number of pairs");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  const GraphFlags g = ParseGraphFlags(cmd);
  if (cmd.flags.Get("measure").empty()) {
    config::ExitInvalidConfig(cmd.program, "--measure: required (see --help)");
  }
  const graph::Measure measure = NamedFlag<graph::Measure>(cmd, "measure");
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
    options.num_threads = g.threads;
    absl::StatusOr<graph::MeasureResult> result =
        graph::ComputeMeasure(*graph, measure, options, graph::Interrupt());
    if (!result.ok()) return Fail(cmd.program, result.status());
    std::vector<std::string> nodes;
    for (graph::NodeId v = 0; v < graph->NumNodes(); ++v) nodes.push_back(graph->NodeKey(v));
    PrintRows(nodes, result->scores, top);
    return 0;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      clients::ServiceChannel(cmd.flags, "network");
  if (!channel.ok()) return Fail(cmd.program, channel.status());
  auto stub = v1::NetworkService::NewStub(*channel);
  v1::ComputeCentralitiesRequest request;
  *request.mutable_selection() = g.selection;
  request.set_convention(codecs::ToProto(g.convention));
  request.add_measures(codecs::ToProto(measure));
  request.set_normalized(normalized);
  request.mutable_louvain()->set_resolution(g.louvain.resolution);
  request.mutable_louvain()->set_seed(g.louvain.seed);
  request.mutable_approximation()->set_enabled(g.approximate);
  request.mutable_approximation()->set_exact(g.exact);
  request.mutable_approximation()->set_epsilon(g.epsilon);
  request.set_top_only(top > 0);
  if (top > 0) request.set_top_n(top);
  std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(cmd.timeout);
  auto reader = stub->ComputeCentralities(context.get(), request);
  v1::ComputeCentralitiesResponse message;
  std::vector<std::string> nodes;
  std::vector<double> values;
  auto read_all = [&]() -> absl::Status {
    while (reader->Read(&message)) {
      for (const v1::MeasureInfo& info : message.info()) {
        if (!info.exact()) {  // sampled: say why (stdout stays node,value rows)
          std::fprintf(stderr, "%s: %s sampled: %s\n", cmd.program.c_str(),
                       std::string(EnumToName(measure)).c_str(), info.method_reason().c_str());
        }
      }
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
    return clients::ExplainCallFailure(server::FromGrpcStatus(reader->Finish()), cmd.timeout);
  };
  const absl::Status status = WithWaitingNotice(cmd, read_all);
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
