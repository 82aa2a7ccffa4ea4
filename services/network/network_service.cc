#include "services/network/network_service.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "libs/codecs/enum_codecs.h"
#include "libs/common/enum_names.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/graph/centrality.h"
#include "libs/graph/communities.h"
#include "libs/graph/distributions.h"
#include "libs/graph/region_flows.h"
#include "libs/server/content_hash.h"
#include "libs/server/paging.h"
#include "services/network/measures_proto.h"
#include "services/network/progress_log.h"
#include "services/network/region_indicators.h"

namespace innoscope::network {
namespace {

using clients::ActorRecord;

constexpr int kDefaultTopN = 20;
constexpr int kNodesPerMessage = 1000;
constexpr int kMaxYears = 200;
// A relation set changing while it is read is read again, at most this often.
constexpr int kReadAttempts = 3;

constexpr graph::Measure kDefaultMeasures[] = {
    graph::Measure::kDegree,      graph::Measure::kInDegree,    graph::Measure::kOutDegree,
    graph::Measure::kBetweenness, graph::Measure::kCloseness,   graph::Measure::kHarmonic,
    graph::Measure::kPagerank,    graph::Measure::kEigenvector, graph::Measure::kKcore};

std::string RelationSetOf(const v1::GraphSelection& selection) {
  return selection.relation_set().empty() ? "default" : selection.relation_set();
}

// Louvain parameters, checked against the selection (weights must exist).
absl::StatusOr<graph::LouvainParams> LouvainOf(const v1::LouvainOptions& options,
                                               const v1::GraphSelection& selection) {
  ASSIGN_OR_RETURN(graph::LouvainParams params, ToLouvainParams(options));
  if (params.weighted && IsUnweighted(selection)) {
    return absl::InvalidArgumentError(
        "louvain.weighted: the selection has no edge weights; set selection.weight "
        "(weight, amount or count)");
  }
  return params;
}

absl::StatusOr<graph::StatsOptions> StatsOptionsOf(v1::Convention convention,
                                                   const v1::LouvainOptions& louvain,
                                                   const v1::Approximation& approximation,
                                                   bool skip_communities,
                                                   const v1::GraphSelection& selection) {
  graph::StatsOptions options;
  ASSIGN_OR_RETURN(options.convention, codecs::FromProto(convention, "convention"));
  ASSIGN_OR_RETURN(options.louvain, LouvainOf(louvain, selection));
  ASSIGN_OR_RETURN(options.approximation, ToApproxParams(approximation));
  options.communities = !skip_communities;
  return options;
}

std::optional<absl::Time> AsOf(const v1::GraphSelection& selection) {
  if (!selection.has_as_of()) return std::nullopt;
  return absl::FromUnixNanos(
      google::protobuf::util::TimeUtil::TimestampToNanoseconds(selection.as_of()));
}

// A top list of `measure` over the nodes of `role` (every node for
// UNSPECIFIED): highest first, ties by actor code (= node order), NaN last.
v1::TopList TopListOf(const SelectedGraph& g, v1::Measure measure,
                      const std::vector<double>& scores, v1::NodeRole role, int n) {
  v1::TopList list;
  list.set_measure(measure);
  list.set_role(role);
  std::vector<graph::NodeId> members;
  std::vector<double> values;
  for (graph::NodeId v = 0; v < g.graph.NumNodes(); ++v) {
    if (role == v1::NODE_ROLE_UNSPECIFIED || RoleOf(g.actors[v]) == role) {
      members.push_back(v);
      values.push_back(scores[v]);
    }
  }
  int rank = 0;
  for (const graph::NodeScore& top : graph::TopN(values, n)) {
    v1::RankedNode* entry = list.add_entries();
    entry->set_rank(++rank);
    *entry->mutable_node() = NodeInfoOf(g, members[top.node]);
    entry->set_value(top.score);
  }
  return list;
}

double Percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }

// Exact or sampled for one per-node measure: betweenness follows the
// request and the size limits, closeness and harmonic are exact up to the
// cap (they have no sampled version), the others are not all-pairs.
absl::StatusOr<PathMethod> MeasureMethod(graph::Measure measure, PathRequest request,
                                         const graph::Graph& g, const ExactLimits& limits) {
  switch (measure) {
    case graph::Measure::kBetweenness:
      return ChoosePathMethod(request, g.NumNodes(), g.NumEdges(), limits, "betweenness");
    case graph::Measure::kCloseness:
    case graph::Measure::kHarmonic:
      return ExactOnlyMethod(g.NumNodes(), g.NumEdges(), limits,
                             absl::StrCat(EnumToName(measure), " centrality"));
    case graph::Measure::kDegree:
    case graph::Measure::kInDegree:
    case graph::Measure::kOutDegree:
    case graph::Measure::kStrength:
    case graph::Measure::kInStrength:
    case graph::Measure::kOutStrength:
    case graph::Measure::kPagerank:
    case graph::Measure::kEigenvector:
    case graph::Measure::kKcore:
    case graph::Measure::kCommunity:
    case graph::Measure::kClustering:
      break;
  }
  return PathMethod{};
}

}  // namespace

absl::Status EmptySelectionError(const v1::GraphSelection& selection,
                                 const std::string& relation_set, int64_t data_version) {
  std::vector<std::string> filters;
  if (selection.relation_types_size() > 0) {
    filters.push_back(absl::StrCat("types ", absl::StrJoin(selection.relation_types(), ", ")));
  }
  const YearBounds years = YearsOf(selection.periods());
  if (years.first || years.last) {
    filters.push_back(absl::StrCat("years ", years.first ? absl::StrCat(*years.first) : "", "..",
                                   years.last ? absl::StrCat(*years.last) : ""));
  }
  if (selection.has_actors()) filters.push_back("the actor filter");
  return absl::InvalidArgumentError(absl::StrCat(
      "selection: empty: no relation of relation set \"", relation_set, "\" (data version ",
      data_version, ") matches",
      filters.empty() ? "" : absl::StrCat(" ", absl::StrJoin(filters, ", ")),
      "; widen the selection, or import actors and relations (innoscope import relations)"));
}

absl::StatusOr<NetworkService::Loaded> NetworkService::Load(const v1::GraphSelection& selection,
                                                            const std::vector<std::string>& types,
                                                            const YearBounds& years,
                                                            const CallContext& call,
                                                            std::optional<SelectedGraph>* graph) {
  Loaded loaded;
  loaded.relation_set = RelationSetOf(selection);
  const std::string scope = absl::StrCat("relations:", loaded.relation_set);
  clients::RelationQuery query;
  query.relation_set = loaded.relation_set;
  query.types = types;
  query.first_year = years.first;
  query.last_year = years.last;
  query.as_of = AsOf(selection);
  // Every relation type read (selected or not), for the check below.
  std::set<std::string> seen;
  int64_t relations_read = 0;
  for (int attempt = 1;; ++attempt) {
    const absl::Time deadline = clients::UpstreamDeadline(call.deadline);
    ASSIGN_OR_RETURN(int64_t before, ingest_.DataVersion(scope, deadline));
    ASSIGN_OR_RETURN(std::vector<ActorRecord> actors,
                     ingest_.ReadActors(loaded.relation_set, deadline, query.as_of));
    seen.clear();
    if (graph != nullptr) {
      // Streamed: each relation goes into the graph's compact arrays and is
      // dropped; a repeated read starts a new builder.
      graph->reset();
      loaded.data =
          std::make_unique<NetworkData>(std::move(actors), std::vector<clients::RelationRecord>());
      StreamedGraphBuilder builder(*loaded.data, selection, years);
      RETURN_IF_ERROR(
          ingest_.StreamRelations(query, deadline, [&](const clients::RelationRecord& r) {
            seen.insert(r.type);
            builder.Add(r);
            return true;
          }));
      relations_read = builder.seen();
      ASSIGN_OR_RETURN(SelectedGraph built, std::move(builder).Finish());
      *graph = std::move(built);
    } else {
      ASSIGN_OR_RETURN(std::vector<clients::RelationRecord> relations,
                       ingest_.ReadRelations(query, deadline));
      for (const clients::RelationRecord& r : relations) seen.insert(r.type);
      relations_read = static_cast<int64_t>(relations.size());
      loaded.data = std::make_unique<NetworkData>(std::move(actors), std::move(relations));
    }
    ASSIGN_OR_RETURN(int64_t after, ingest_.DataVersion(scope, deadline));
    if (before == after) {
      loaded.data_version = after;
      break;
    }
    if (attempt == kReadAttempts) {
      return absl::AbortedError(absl::StrCat("relation set \"", loaded.relation_set,
                                             "\" changed while it was read ", kReadAttempts,
                                             " times; retry when the import is done"));
    }
  }
  log::Info("network: relation set read",
            {{"relation_set", loaded.relation_set},
             {"data_version", loaded.data_version},
             {"actors", static_cast<int64_t>(loaded.data->actors().size())},
             {"relations", relations_read}});
  // A type is known when it is built-in or present in the set (any year).
  for (size_t i = 0; i < types.size(); ++i) {
    const std::string& type = types[i];
    if (IsBuiltinRelationType(type) || seen.count(type) > 0) continue;
    ASSIGN_OR_RETURN(bool present,
                     ingest_.HasRelationType(loaded.relation_set, type,
                                             clients::UpstreamDeadline(call.deadline)));
    if (!present) {
      return absl::InvalidArgumentError(absl::StrCat(
          "relation type \"", type,
          "\" is unknown: not built-in (technology_input, technology_empowerment, investment, "
          "financing, human_capital, cooperation) and no relation of relation set \"",
          loaded.relation_set, "\" has it; check the spelling"));
    }
  }
  return loaded;
}

absl::StatusOr<SelectedGraph> NetworkService::LoadGraph(const v1::GraphSelection& selection,
                                                        const CallContext& call, Loaded* loaded) {
  RETURN_IF_ERROR(ValidateSelection(selection));
  const YearBounds years = YearsOf(selection.periods());
  std::optional<SelectedGraph> g;
  ASSIGN_OR_RETURN(
      *loaded,
      Load(selection, {selection.relation_types().begin(), selection.relation_types().end()}, years,
           call, &g));
  if (g->graph.NumNodes() == 0) {
    return EmptySelectionError(selection, loaded->relation_set, loaded->data_version);
  }
  return std::move(*g);
}

v1::Run NetworkService::NewRun(v1::RunKind kind, const google::protobuf::Message& request,
                               const v1::GraphSelection& selection, v1::Convention convention,
                               const Loaded& loaded, const v1::GraphSummary& graph) const {
  v1::Run run;
  std::unique_ptr<google::protobuf::Message> identity(request.New());
  identity->CopyFrom(request);
  codecs::ClearDefaultEnums(*identity);  // a default named or left unset: one id
  run.set_id(absl::StrCat(
      "run-",
      server::ContentHashHex(*identity, absl::StrCat("|", kind, "|", loaded.data_version))));
  run.set_kind(kind);
  *run.mutable_selection() = selection;
  run.mutable_selection()->set_relation_set(loaded.relation_set);
  run.set_convention(convention);
  run.mutable_data_version()->set_scope(absl::StrCat("relations:", loaded.relation_set));
  run.mutable_data_version()->set_version(loaded.data_version);
  *run.mutable_graph() = graph;
  return run;
}

absl::Status NetworkService::Record(v1::Run* run, const google::protobuf::Message& request,
                                    const google::protobuf::Message& result,
                                    const CallContext& call) {
  run->set_written_by(call.caller);  // the store keeps the first recording's
  // The last check: a call past its deadline or cancelled stores no run.
  RETURN_IF_ERROR(call.interrupt.Check());
  return store_.Record(run, request, result);
}

absl::StatusOr<v1::NetworkStats> NetworkService::StatsOf(const graph::Graph& graph,
                                                         graph::StatsOptions options,
                                                         PathRequest request,
                                                         const CallContext& call,
                                                         bool* approximate) const {
  ASSIGN_OR_RETURN(const PathMethod method,
                   ChoosePathMethod(request, graph.NumNodes(), graph.NumEdges(), options_.limits,
                                    "average path length and diameter"));
  options.approximation.enabled = method.approximate;
  options.num_threads = options_.threads;
  log::Info("network: statistics started", {{"nodes", graph.NumNodes()},
                                            {"edges", graph.NumEdges()},
                                            {"paths", method.approximate ? "sampled" : "exact"},
                                            {"threads", options_.threads}});
  const absl::Time started = absl::Now();
  graph::Progress progress;
  graph::Interrupt interrupt = call.interrupt;
  interrupt.set_progress(&progress);
  ProgressLog progress_log("statistics", progress, options_.progress_interval);
  ASSIGN_OR_RETURN(v1::NetworkStats stats, ComputeStats(graph, options, interrupt));
  log::Info(
      "network: statistics done",
      {{"nodes", graph.NumNodes()}, {"seconds", absl::ToDoubleSeconds(absl::Now() - started)}});
  stats.mutable_paths()->set_method_reason(method.reason);
  *approximate = method.approximate;
  return stats;
}

// ---------------------------------------------------------------- stats

absl::StatusOr<v1::ComputeNetworkStatsResponse> NetworkService::ComputeNetworkStats(
    const v1::ComputeNetworkStatsRequest& request, const CallContext& call) {
  ASSIGN_OR_RETURN(graph::StatsOptions options,
                   StatsOptionsOf(request.convention(), request.louvain(), request.approximation(),
                                  request.skip_communities(), request.selection()));
  ASSIGN_OR_RETURN(const PathRequest method, PathRequestOf(request.approximation().exact(),
                                                           request.approximation().enabled()));
  Loaded loaded;
  ASSIGN_OR_RETURN(SelectedGraph g, LoadGraph(request.selection(), call, &loaded));
  v1::ComputeNetworkStatsResponse response;
  bool approximate = false;
  ASSIGN_OR_RETURN(*response.mutable_stats(),
                   StatsOf(g.graph, options, method, call, &approximate));
  *response.mutable_stats()->mutable_nodes() = CountNodes(g);
  v1::ComputeNetworkStatsRequest normalized = request;
  normalized.mutable_selection()->set_relation_set(loaded.relation_set);
  normalized.set_convention(codecs::ToProto(options.convention));
  // The run records what was computed: sampled by size is a run of its own.
  if (approximate) normalized.mutable_approximation()->set_enabled(true);
  *response.mutable_run() = NewRun(v1::RUN_KIND_STATS, normalized, normalized.selection(),
                                   normalized.convention(), loaded, Summarize(g));
  RETURN_IF_ERROR(Record(response.mutable_run(), normalized, response.stats(), call));
  return response;
}

absl::StatusOr<v1::ComputeStatsTimeSeriesResponse> NetworkService::ComputeStatsTimeSeries(
    const v1::ComputeStatsTimeSeriesRequest& request, const CallContext& call) {
  ASSIGN_OR_RETURN(graph::StatsOptions options,
                   StatsOptionsOf(request.convention(), request.louvain(), request.approximation(),
                                  request.skip_communities(), request.selection()));
  if (request.selection().has_periods()) {
    return absl::InvalidArgumentError(
        "selection.periods: must be unset for a time series; give the range in periods and the "
        "mode (cumulative or single period)");
  }
  const int32_t first = request.periods().first(), last = request.periods().last();
  if (!request.has_periods() || first > last || last - first >= kMaxYears) {
    return absl::InvalidArgumentError(absl::StrCat("periods: give first <= last, at most ",
                                                   kMaxYears, " periods (got ", first, "..", last,
                                                   ")"));
  }
  RETURN_IF_ERROR(codecs::CheckProtoEnum(request.mode(), "mode"));
  RETURN_IF_ERROR(ValidateSelection(request.selection()));
  ASSIGN_OR_RETURN(const PathRequest method, PathRequestOf(request.approximation().exact(),
                                                           request.approximation().enabled()));
  bool cumulative = true;
  switch (request.mode()) {
    case v1::PERIOD_MODE_UNSPECIFIED:  // the default
    case v1::PERIOD_MODE_CUMULATIVE:
      break;
    case v1::PERIOD_MODE_SINGLE_PERIOD:
      cumulative = false;
      break;
    case v1::PeriodMode_INT_MIN_SENTINEL_DO_NOT_USE_:
    case v1::PeriodMode_INT_MAX_SENTINEL_DO_NOT_USE_:
      break;  // not values: checked above
  }
  YearBounds read;
  if (!cumulative) read.first = first;
  read.last = last;
  const v1::GraphSelection& selection = request.selection();
  ASSIGN_OR_RETURN(
      Loaded loaded,
      Load(selection, {selection.relation_types().begin(), selection.relation_types().end()}, read,
           call));
  v1::ComputeStatsTimeSeriesResponse response;
  v1::GraphSummary largest;
  bool any_approximate = false;
  for (int32_t year = first; year <= last; ++year) {
    YearBounds bounds;
    if (!cumulative) bounds.first = year;
    bounds.last = year;
    ASSIGN_OR_RETURN(SelectedGraph g, BuildGraph(*loaded.data, selection, bounds));
    v1::PeriodStats* point = response.add_periods();
    point->set_period(year);
    if (g.graph.NumNodes() == 0) {
      point->mutable_stats()->set_convention(codecs::ToProto(options.convention));
      continue;
    }
    bool approximate = false;
    ASSIGN_OR_RETURN(*point->mutable_stats(),
                     StatsOf(g.graph, options, method, call, &approximate));
    any_approximate = any_approximate || approximate;
    *point->mutable_stats()->mutable_nodes() = CountNodes(g);
    if (g.graph.NumNodes() > largest.nodes()) largest = Summarize(g);
  }
  if (largest.nodes() == 0) {
    v1::GraphSelection with_years = selection;
    with_years.mutable_periods()->mutable_window()->set_first(first);
    with_years.mutable_periods()->mutable_window()->set_last(last);
    return EmptySelectionError(with_years, loaded.relation_set, loaded.data_version);
  }
  v1::ComputeStatsTimeSeriesRequest normalized = request;
  normalized.mutable_selection()->set_relation_set(loaded.relation_set);
  normalized.set_convention(codecs::ToProto(options.convention));
  if (any_approximate) normalized.mutable_approximation()->set_enabled(true);
  *response.mutable_run() =
      NewRun(v1::RUN_KIND_STATS_TIME_SERIES, normalized, normalized.selection(),
             normalized.convention(), loaded, largest);
  v1::ComputeStatsTimeSeriesResponse result = response;
  result.clear_run();
  RETURN_IF_ERROR(Record(response.mutable_run(), normalized, result, call));
  return response;
}

// ---------------------------------------------------------- centralities

absl::Status NetworkService::ComputeCentralities(
    const v1::ComputeCentralitiesRequest& request, const CallContext& call,
    const std::function<bool(const v1::ComputeCentralitiesResponse&)>& on_message) {
  graph::MeasureOptions options;
  ASSIGN_OR_RETURN(options.convention, codecs::FromProto(request.convention(), "convention"));
  std::vector<graph::Measure> measures(request.measures().size());
  for (int i = 0; i < request.measures_size(); ++i) {
    ASSIGN_OR_RETURN(measures[i], codecs::FromProtoNumber<v1::Measure>(
                                      request.measures(i), absl::StrCat("measures[", i, "]")));
  }
  if (measures.empty()) measures.assign(std::begin(kDefaultMeasures), std::end(kDefaultMeasures));
  if (request.top_n() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("top_n: ", request.top_n(), " is negative"));
  }
  const int top_n = request.has_top_n() ? request.top_n() : kDefaultTopN;
  options.normalized = request.normalized();
  options.weighted = !IsUnweighted(request.selection());
  ASSIGN_OR_RETURN(options.approximation, ToApproxParams(request.approximation()));
  ASSIGN_OR_RETURN(options.louvain, LouvainOf(request.louvain(), request.selection()));
  ASSIGN_OR_RETURN(
      const PathRequest path_request,
      PathRequestOf(request.approximation().exact(), request.approximation().enabled()));
  options.num_threads = options_.threads;

  Loaded loaded;
  ASSIGN_OR_RETURN(SelectedGraph g, LoadGraph(request.selection(), call, &loaded));
  // Every measure's method is chosen before any is computed, so a refused
  // one costs nothing.
  std::vector<PathMethod> methods(measures.size());
  bool any_approximate = false;
  for (size_t i = 0; i < measures.size(); ++i) {
    ASSIGN_OR_RETURN(methods[i],
                     MeasureMethod(measures[i], path_request, g.graph, options_.limits));
    any_approximate = any_approximate || methods[i].approximate;
  }
  v1::ComputeCentralitiesResponse head;
  std::vector<std::vector<double>> scores;
  for (size_t i = 0; i < measures.size(); ++i) {
    const graph::Measure m = measures[i];
    graph::MeasureOptions measure_options = options;
    measure_options.approximation.enabled = methods[i].approximate;
    const absl::Time started = absl::Now();
    graph::Progress progress;
    graph::Interrupt interrupt = call.interrupt;
    interrupt.set_progress(&progress);
    ProgressLog progress_log(std::string(EnumToName(m)), progress, options_.progress_interval);
    ASSIGN_OR_RETURN(graph::MeasureResult result,
                     graph::ComputeMeasure(g.graph, m, measure_options, interrupt));
    log::Info("network: measure computed",
              {{"measure", std::string(EnumToName(m))},
               {"nodes", g.graph.NumNodes()},
               {"edges", g.graph.NumEdges()},
               {"measure_index", static_cast<int64_t>(i + 1)},
               {"measures", static_cast<int64_t>(measures.size())},
               {"seconds", absl::ToDoubleSeconds(absl::Now() - started)}});
    head.add_measures(codecs::ToProto(m));
    *head.add_info() = ToProto(result.info);
    head.mutable_info()->rbegin()->set_method_reason(methods[i].reason);
    for (v1::NodeRole role : {v1::NODE_ROLE_UNSPECIFIED, v1::NODE_ROLE_SAMPLE_ENTERPRISE,
                              v1::NODE_ROLE_RELATION_NODE}) {
      *head.add_top() = TopListOf(g, codecs::ToProto(m), result.scores, role, top_n);
    }
    scores.push_back(std::move(result.scores));
  }
  head.set_convention(codecs::ToProto(options.convention));
  v1::ComputeCentralitiesRequest normalized = request;
  normalized.mutable_selection()->set_relation_set(loaded.relation_set);
  normalized.set_convention(head.convention());
  if (any_approximate) normalized.mutable_approximation()->set_enabled(true);
  *head.mutable_run() = NewRun(v1::RUN_KIND_CENTRALITIES, normalized, normalized.selection(),
                               head.convention(), loaded, Summarize(g));
  v1::ComputeCentralitiesResponse result = head;
  result.clear_run();
  RETURN_IF_ERROR(Record(head.mutable_run(), normalized, result, call));

  const absl::Status gone = absl::CancelledError("the client stopped reading the stream");
  if (!on_message(head)) return gone;
  if (request.top_only()) return absl::OkStatus();
  v1::ComputeCentralitiesResponse chunk;
  for (graph::NodeId v = 0; v < g.graph.NumNodes(); ++v) {
    v1::NodeScores* node = chunk.add_nodes();
    *node->mutable_node() = NodeInfoOf(g, v);
    for (const std::vector<double>& s : scores) node->add_values(s[v]);
    if (chunk.nodes_size() == kNodesPerMessage || v + 1 == g.graph.NumNodes()) {
      if (!on_message(chunk)) return gone;
      chunk.Clear();
    }
  }
  return absl::OkStatus();
}

// ----------------------------------------------------------- communities

absl::StatusOr<v1::DetectCommunitiesResponse> NetworkService::DetectCommunities(
    const v1::DetectCommunitiesRequest& request, const CallContext& call) {
  ASSIGN_OR_RETURN(const graph::Convention convention,
                   codecs::FromProto(request.convention(), "convention"));
  ASSIGN_OR_RETURN(graph::LouvainParams params, LouvainOf(request.louvain(), request.selection()));
  if (request.top_members() < 0) {
    return absl::InvalidArgumentError("top_members: negative");
  }
  const int top_members = request.has_top_members() ? request.top_members() : 5;
  Loaded loaded;
  ASSIGN_OR_RETURN(SelectedGraph g, LoadGraph(request.selection(), call, &loaded));
  if (g.graph.NumEdges() == 0) {
    return absl::FailedPreconditionError(
        "the selection has nodes but no relation between them; communities need edges "
        "(include_isolated_actors adds nodes only)");
  }
  graph::Louvain louvain(g.graph, graph::LouvainOptionsOf(params, convention));
  louvain.set_interrupt(call.interrupt);
  RETURN_IF_ERROR(louvain.Run());

  v1::DetectCommunitiesResponse response;
  *response.mutable_stats() = ToProto(graph::CommunitySummaryOf(louvain, params, convention));
  response.set_levels(static_cast<int32_t>(louvain.Levels().size()));
  response.set_convention(codecs::ToProto(convention));
  const std::vector<int64_t>& community = louvain.Communities();
  std::vector<v1::Community> communities(static_cast<size_t>(louvain.NumCommunities()));
  std::vector<std::vector<graph::NodeId>> members(communities.size());
  for (graph::NodeId v = 0; v < g.graph.NumNodes(); ++v) {
    v1::Community& c = communities[community[v]];
    c.set_id(community[v]);
    c.set_size(c.size() + 1);
    if (RoleOf(g.actors[v]) == v1::NODE_ROLE_SAMPLE_ENTERPRISE) {
      c.set_sample_enterprises(c.sample_enterprises() + 1);
    } else {
      c.set_relation_nodes(c.relation_nodes() + 1);
    }
    members[community[v]].push_back(v);
    if (request.include_assignments()) {
      v1::NodeCommunity* a = response.add_assignments();
      a->set_code(g.graph.NodeKey(v));
      a->set_community(community[v]);
    }
  }
  for (size_t c = 0; c < communities.size(); ++c) {
    std::vector<graph::NodeId>& list = members[c];
    const size_t keep = std::min(list.size(), static_cast<size_t>(top_members));
    std::partial_sort(
        list.begin(), list.begin() + keep, list.end(), [&](graph::NodeId a, graph::NodeId b) {
          return g.graph.Degree(a) != g.graph.Degree(b) ? g.graph.Degree(a) > g.graph.Degree(b)
                                                        : a < b;
        });
    for (size_t i = 0; i < keep; ++i) communities[c].add_top_members(g.graph.NodeKey(list[i]));
  }
  std::stable_sort(
      communities.begin(), communities.end(),
      [](const v1::Community& a, const v1::Community& b) { return a.size() > b.size(); });
  for (v1::Community& c : communities) *response.add_communities() = std::move(c);

  v1::DetectCommunitiesRequest normalized = request;
  normalized.mutable_selection()->set_relation_set(loaded.relation_set);
  normalized.set_convention(response.convention());
  *response.mutable_run() = NewRun(v1::RUN_KIND_COMMUNITIES, normalized, normalized.selection(),
                                   response.convention(), loaded, Summarize(g));
  v1::DetectCommunitiesResponse result = response;
  result.clear_run();
  result.clear_assignments();
  RETURN_IF_ERROR(Record(response.mutable_run(), normalized, result, call));
  return response;
}

// ---------------------------------------------------------- region flows

absl::StatusOr<v1::ComputeRegionFlowsResponse> NetworkService::ComputeRegionFlows(
    const v1::ComputeRegionFlowsRequest& request, const CallContext& call) {
  if (!IsDirected(request.selection())) {
    return absl::InvalidArgumentError(
        "selection.view: region flows need the directed view (origin -> destination)");
  }
  RETURN_IF_ERROR(codecs::CheckProtoEnum(request.level(), "level"));
  if (request.top_n() < 0) return absl::InvalidArgumentError("top_n: negative");
  Loaded loaded;
  ASSIGN_OR_RETURN(SelectedGraph g, LoadGraph(request.selection(), call, &loaded));
  std::vector<std::string> region(static_cast<size_t>(g.graph.NumNodes()));
  for (graph::NodeId v = 0; v < g.graph.NumNodes(); ++v) {
    region[v] = RegionCodeOf(g.actors[v], request.level());
  }
  graph::RegionFlowOptions options;
  options.top_n = request.has_top_n() ? request.top_n() : 10;
  options.include_intra_in_top = request.include_intra_in_top();
  ASSIGN_OR_RETURN(graph::RegionFlows flows,
                   graph::ComputeRegionFlows(region, g.graph.Edges(), options));

  v1::ComputeRegionFlowsResponse response;
  response.set_level(request.level() == v1::REGION_LEVEL_UNSPECIFIED ? v1::REGION_LEVEL_PROVINCE
                                                                     : request.level());
  for (const std::string& r : flows.regions) response.add_regions(r);
  if (request.include_matrix()) {
    response.mutable_counts()->Add(flows.counts.begin(), flows.counts.end());
    response.mutable_weights()->Add(flows.weights.begin(), flows.weights.end());
  }
  response.set_total_count(flows.total_count);
  response.set_total_weight(flows.total_weight);
  response.set_skipped_edges(flows.skipped_edges);
  response.set_intra_count_percent(flows.intra_count_percent);
  response.set_inter_count_percent(flows.inter_count_percent);
  response.set_intra_weight_percent(flows.intra_weight_percent);
  response.set_inter_weight_percent(flows.inter_weight_percent);
  const int32_t r_count = flows.NumRegions();
  for (int32_t r = 0; r < r_count; ++r) {
    v1::RegionShare* share = response.add_shares();
    share->set_region_code(flows.regions[r]);
    int64_t out = 0, in = 0;
    for (int32_t o = 0; o < r_count; ++o) {
      out += flows.Count(r, o);
      in += flows.Count(o, r);
    }
    share->set_outgoing_count(out);
    share->set_incoming_count(in);
    share->set_outgoing_count_percent(flows.outgoing_count_percent[r]);
    share->set_incoming_count_percent(flows.incoming_count_percent[r]);
    share->set_outgoing_weight_percent(flows.outgoing_weight_percent[r]);
    share->set_incoming_weight_percent(flows.incoming_weight_percent[r]);
  }
  for (const graph::RegionFlow& f : flows.top_flows) {
    v1::Flow* flow = response.add_top_flows();
    flow->set_origin_code(flows.regions[f.origin]);
    flow->set_destination_code(flows.regions[f.destination]);
    flow->set_count(f.count);
    flow->set_weight(f.weight);
    flow->set_count_percent(
        Percent(static_cast<double>(f.count), static_cast<double>(flows.total_count)));
    flow->set_weight_percent(Percent(f.weight, flows.total_weight));
  }
  v1::ComputeRegionFlowsRequest normalized = request;
  normalized.mutable_selection()->set_relation_set(loaded.relation_set);
  *response.mutable_run() = NewRun(v1::RUN_KIND_REGION_FLOWS, normalized, normalized.selection(),
                                   v1::CONVENTION_GEPHI, loaded, Summarize(g));
  v1::ComputeRegionFlowsResponse result = response;
  result.clear_run();
  RETURN_IF_ERROR(Record(response.mutable_run(), normalized, result, call));
  return response;
}

// -------------------------------------------------------- distributions

absl::StatusOr<v1::FitDegreeDistributionResponse> NetworkService::FitDegreeDistribution(
    const v1::FitDegreeDistributionRequest& request, const CallContext& call) {
  ASSIGN_OR_RETURN(const graph::DegreeMode mode, codecs::FromProto(request.mode(), "mode"));
  if (request.has_bootstrap_samples() && request.bootstrap_samples() <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bootstrap_samples: the sample size must be > 0 (got ", request.bootstrap_samples(),
        "); leave it unset for no p-value, or use e.g. 1000"));
  }
  if (request.min_tail() < 0 || request.fixed_xmin() < 0) {
    return absl::InvalidArgumentError("min_tail and fixed_xmin: must not be negative");
  }
  std::vector<double> percents(request.top_percents().begin(), request.top_percents().end());
  if (percents.empty()) percents = {10, 1, 0.1};
  for (size_t i = 0; i < percents.size(); ++i) {
    if (!(percents[i] > 0 && percents[i] <= 100)) {
      return absl::InvalidArgumentError(
          absl::StrCat("top_percents[", i, "]: ", percents[i], " is not in (0, 100]"));
    }
  }
  if (request.weighted_concentration() && IsUnweighted(request.selection())) {
    return absl::InvalidArgumentError(
        "weighted_concentration: the selection has no edge weights; set selection.weight");
  }
  Loaded loaded;
  ASSIGN_OR_RETURN(SelectedGraph g, LoadGraph(request.selection(), call, &loaded));
  v1::FitDegreeDistributionResponse response;
  response.set_mode(codecs::ToProto(mode));
  auto histogram = [&](graph::DegreeMode m, google::protobuf::RepeatedField<int64_t>* out) {
    const std::vector<int64_t> h = graph::DegreeDistribution(g.graph, m);
    out->Add(h.begin(), h.end());
  };
  histogram(graph::DegreeMode::kTotal, response.mutable_total_degree_histogram());
  histogram(graph::DegreeMode::kIn, response.mutable_in_degree_histogram());
  histogram(graph::DegreeMode::kOut, response.mutable_out_degree_histogram());

  graph::PowerLawFit::Options fit_options;
  if (request.min_tail() > 0) fit_options.min_tail = request.min_tail();
  fit_options.fixed_xmin = request.fixed_xmin();
  fit_options.bootstrap = request.has_bootstrap_samples() ? request.bootstrap_samples() : 0;
  fit_options.seed = request.seed();
  graph::PowerLawFit fit(graph::Degrees(g.graph, mode), fit_options);
  fit.set_interrupt(call.interrupt);
  const absl::Status fitted = fit.Run();
  if (fitted.ok()) {
    v1::PowerLawFitResult* out = response.mutable_fit();
    out->set_alpha(fit.Alpha());
    out->set_alpha_standard_error(fit.AlphaStandardError());
    out->set_xmin(fit.Xmin());
    out->set_ks_distance(fit.KsDistance());
    out->set_tail_size(fit.TailSize());
    out->set_log_likelihood(fit.LogLikelihood());
    if (fit_options.bootstrap > 0) out->set_p_value(fit.PValue());
    out->set_bootstrap_samples(fit_options.bootstrap);
  } else if (fitted.code() == absl::StatusCode::kFailedPrecondition) {
    response.set_fit_note(std::string(fitted.message()));
  } else {
    return fitted;
  }
  ASSIGN_OR_RETURN(
      graph::Concentration concentration,
      graph::DegreeConcentration(g.graph, mode, percents, request.weighted_concentration()));
  v1::ConcentrationResult* c = response.mutable_concentration();
  c->mutable_top_percents()->Add(percents.begin(), percents.end());
  c->mutable_top_shares()->Add(concentration.top_shares.begin(), concentration.top_shares.end());
  c->set_gini(concentration.gini);
  c->set_total(concentration.total);

  v1::FitDegreeDistributionRequest normalized = request;
  normalized.mutable_selection()->set_relation_set(loaded.relation_set);
  *response.mutable_run() =
      NewRun(v1::RUN_KIND_DEGREE_DISTRIBUTION, normalized, normalized.selection(),
             v1::CONVENTION_GEPHI, loaded, Summarize(g));
  v1::FitDegreeDistributionResponse result = response;
  result.clear_run();
  RETURN_IF_ERROR(Record(response.mutable_run(), normalized, result, call));
  return response;
}

// ---------------------------------------------------- derived indicators

absl::StatusOr<v1::DeriveRegionIndicatorsResponse> NetworkService::DeriveRegionIndicators(
    const v1::DeriveRegionIndicatorsRequest& request, const CallContext& call) {
  RETURN_IF_ERROR(ValidateSelection(request.selection()));
  RETURN_IF_ERROR(ValidateRules(request));
  ASSIGN_OR_RETURN(const int32_t period, DerivationPeriod(request));
  ASSIGN_OR_RETURN(Loaded loaded, Load(request.selection(), RuleTypes(request),
                                       YearsOf(request.selection().periods()), call));
  RETURN_IF_ERROR(call.interrupt.Check());
  v1::DeriveRegionIndicatorsRequest normalized = request;
  normalized.mutable_selection()->set_relation_set(loaded.relation_set);
  normalized.set_period(period);
  v1::DeriveRegionIndicatorsResponse response;
  for (v1::RegionIndicatorValue& v : DeriveValues(*loaded.data, normalized, period)) {
    *response.add_values() = std::move(v);
  }
  v1::GraphSummary summary;
  summary.set_relations(static_cast<int64_t>(loaded.data->relations().size()));
  summary.set_nodes(static_cast<int64_t>(loaded.data->actors().size()));
  summary.set_directed(true);
  *response.mutable_run() = NewRun(v1::RUN_KIND_REGION_INDICATORS, normalized,
                                   normalized.selection(), v1::CONVENTION_GEPHI, loaded, summary);
  if (!request.dry_run() && response.values_size() > 0) {
    clients::ObservationWrite write;
    for (const v1::RegionIndicatorValue& v : response.values()) {
      ingest::v1::Observation& o = write.observations.emplace_back();
      o.set_region_code(v.region_code());
      o.set_indicator_code(v.indicator_code());
      o.set_period(v.period());
      o.set_value(v.value());
    }
    write.source = "network";
    // The run id is derived from the request and the data version, so
    // unchanged data gives the same note, the same batch ids, and replays.
    write.note = absl::StrCat("network run ", response.run().id());
    write.batch_prefix = "network";
    RETURN_IF_ERROR(call.interrupt.Check());  // nothing written for a call that is over
    ASSIGN_OR_RETURN(clients::ObservationWriteSummary written,
                     ingest_.WriteObservations(write, clients::UpstreamDeadline(call.deadline)));
    response.set_batches(written.batches);
    response.set_replayed_batches(written.replayed_batches);
    *response.mutable_written() = written.rows;
  }
  v1::DeriveRegionIndicatorsResponse result = response;
  result.clear_run();
  RETURN_IF_ERROR(Record(response.mutable_run(), normalized, result, call));
  return response;
}

// ----------------------------------------------------------------- runs

absl::StatusOr<v1::ListRunsResponse> NetworkService::ListRuns(const v1::ListRunsRequest& request) {
  if (!v1::RunKind_IsValid(request.kind())) {
    return absl::InvalidArgumentError(absl::StrCat("kind: unknown value ", request.kind()));
  }
  ASSIGN_OR_RETURN(server::PageWindow window, server::ReadPage(request));
  int64_t total = 0;
  ASSIGN_OR_RETURN(std::vector<v1::Run> runs, store_.List(request.kind(), request.relation_set(),
                                                          window.offset, window.limit, &total));
  v1::ListRunsResponse response;
  for (v1::Run& run : runs) *response.add_runs() = std::move(run);
  *response.mutable_page() = server::PageResult(window, response.runs_size(), total);
  return response;
}

}  // namespace innoscope::network
