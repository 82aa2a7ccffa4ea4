#include "libs/clients/report_reads.h"

#include <algorithm>
#include <future>
#include <memory>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/clients/calls.h"
#include "libs/graph/graph.h"
#include "libs/index/data_matrix.h"
#include "libs/server/grpc_status.h"

namespace innoscope::clients {
namespace {

namespace sv1 = ::innoscope::scoring::v1;
namespace nv1 = ::innoscope::network::v1;

std::string NameOf(const std::map<std::string, std::string>& names, const std::string& code) {
  auto it = names.find(code);
  return it == names.end() ? "" : it->second;
}

nv1::GraphSelection UpTo(const std::string& relation_set, int32_t year) {
  nv1::GraphSelection selection;
  selection.set_relation_set(relation_set);
  selection.mutable_periods()->set_up_to(year);
  return selection;
}

}  // namespace

report::PeriodResult PeriodFromRun(const sv1::Run& run,
                                   const std::vector<sv1::RankingEntry>& regions,
                                   const std::vector<sv1::RankingEntry>& clusters,
                                   const std::vector<sv1::ResultRow>& rows,
                                   const std::map<std::string, std::string>& names) {
  report::PeriodResult out;
  out.period = run.spec().period();
  out.run = run.id();
  std::string composite;
  for (const sv1::NodeInfo& node : run.summary().nodes()) {
    if (node.parent_code().empty()) composite = node.code();
  }
  std::map<std::string, size_t> dimension;
  for (const sv1::NodeInfo& node : run.summary().nodes()) {
    if (composite.empty() || node.parent_code() != composite) continue;
    dimension[node.code()] = out.dimensions.size();
    out.dimensions.push_back({node.code(), node.name()});
  }
  // (cluster?, region) -> dimension scores and ranks.
  std::map<std::pair<bool, std::string>,
           std::pair<std::vector<std::optional<double>>, std::vector<int>>>
      by_unit;
  for (const sv1::ResultRow& row : rows) {
    auto it = dimension.find(row.node_code());
    if (it == dimension.end()) continue;
    auto& [scores, ranks] = by_unit[{row.cluster(), row.region_code()}];
    scores.resize(out.dimensions.size());
    ranks.resize(out.dimensions.size(), 0);
    if (row.has_score()) scores[it->second] = row.score();
    if (row.has_rank()) ranks[it->second] = row.rank();
  }
  std::map<std::string, std::vector<std::string>> members;
  for (const sv1::ClusterDefinition& c : run.clusters()) {
    members[c.code()].assign(c.member_codes().begin(), c.member_codes().end());
  }
  for (bool cluster : {false, true}) {
    for (const sv1::RankingEntry& e : cluster ? clusters : regions) {
      report::UnitScores u;
      u.code = e.region_code();
      u.name = NameOf(names, u.code);
      if (e.has_score()) u.score = e.score();
      u.rank = e.rank();
      u.tier = e.has_tier() ? e.tier() : 0;
      auto& [scores, ranks] = by_unit[{cluster, u.code}];
      scores.resize(out.dimensions.size());
      ranks.resize(out.dimensions.size(), 0);
      u.dimensions = scores;
      u.dimension_ranks = ranks;
      if (cluster) u.members = members[u.code];
      (cluster ? out.clusters : out.regions).push_back(std::move(u));
    }
  }
  return out;
}

report::UncertaintyResult UncertaintyFromProto(const sv1::Uncertainty& uncertainty, int32_t period,
                                               const std::map<std::string, std::string>& names) {
  report::UncertaintyResult out;
  out.period = period;
  out.id = uncertainty.id();
  out.model_runs = uncertainty.model_runs();
  for (const sv1::RegionRankInterval& r : uncertainty.regions()) {
    out.regions.push_back({r.region_code(), NameOf(names, r.region_code()), r.nominal_rank(),
                           r.median_rank(), r.p05_rank(), r.p95_rank()});
  }
  for (const sv1::FactorSensitivity& f : uncertainty.sensitivity()) {
    report::FactorIndex index;
    index.factor = f.factor();
    if (f.has_first_order()) index.first_order = f.first_order();
    if (f.has_total()) index.total = f.total();
    out.sensitivity.push_back(std::move(index));
  }
  return out;
}

absl::StatusOr<std::vector<report::TopNode>> ReadTopByDegree(nv1::NetworkService::Stub& stub,
                                                             const nv1::GraphSelection& selection,
                                                             int32_t n, absl::Duration timeout) {
  nv1::ComputeCentralitiesRequest request;
  *request.mutable_selection() = selection;
  for (nv1::Measure m : {nv1::MEASURE_DEGREE, nv1::MEASURE_IN_DEGREE, nv1::MEASURE_OUT_DEGREE}) {
    request.add_measures(m);
  }
  request.set_top_n(n);
  std::unique_ptr<grpc::ClientContext> context = ContextWithTimeout(timeout);
  auto reader = stub.ComputeCentralities(context.get(), request);
  nv1::ComputeCentralitiesResponse message;
  std::map<std::string, std::vector<double>> values;  // code -> degree, in, out
  std::vector<nv1::RankedNode> ranked;
  while (reader->Read(&message)) {
    for (const nv1::TopList& list : message.top()) {
      if (list.measure() == nv1::MEASURE_DEGREE && list.role() == nv1::NODE_ROLE_UNSPECIFIED) {
        ranked.assign(list.entries().begin(), list.entries().end());
      }
    }
    for (const nv1::NodeScores& node : message.nodes()) {
      values[node.node().code()].assign(node.values().begin(), node.values().end());
    }
  }
  if (absl::Status s = server::FromGrpcStatus(reader->Finish()); !s.ok()) return s;
  std::vector<report::TopNode> out;
  for (const nv1::RankedNode& entry : ranked) {
    report::TopNode node;
    node.code = entry.node().code();
    node.name = entry.node().name();
    node.group = entry.node().province_code();
    node.platform = entry.node().platform();
    node.degree = entry.value();
    auto it = values.find(node.code);
    if (it != values.end() && it->second.size() == 3) {
      node.in_degree = it->second[1];
      node.out_degree = it->second[2];
    }
    out.push_back(std::move(node));
  }
  return out;
}

absl::StatusOr<report::NetworkSection> ReadNetworkSection(
    nv1::NetworkService::Stub& network, IngestClient& ingest, const NetworkReadOptions& options,
    const std::map<std::string, std::string>& names) {
  report::NetworkSection out;
  out.relation_set = options.relation_set;
  out.up_to = options.last_year;
  out.source = absl::StrCat("network service and ingest, relation set ", options.relation_set,
                            " (docs/report.md lists the RPCs)");
  const absl::Duration timeout = options.timeout;

  // The yearly statistics are the slowest call (a full statistics run per
  // year in the network service): made on a thread of its own while the
  // other calls and the layout proceed.
  nv1::ComputeStatsTimeSeriesRequest series;
  series.mutable_selection()->set_relation_set(options.relation_set);
  series.mutable_periods()->set_first(options.first_year);
  series.mutable_periods()->set_last(options.last_year);
  series.set_mode(nv1::PERIOD_MODE_CUMULATIVE);
  series.mutable_approximation()->set_enabled(true);
  series.mutable_approximation()->set_path_samples(2000);
  nv1::ComputeStatsTimeSeriesResponse series_response;
  std::future<absl::Status> series_done = std::async(std::launch::async, [&] {
    return CallUnary(network, &nv1::NetworkService::Stub::ComputeStatsTimeSeries, series,
                     &series_response, timeout);
  });
  absl::Status status;

  const nv1::GraphSelection up_to = UpTo(options.relation_set, options.last_year);
  nv1::FitDegreeDistributionRequest fit;
  *fit.mutable_selection() = up_to;
  fit.set_mode(nv1::DEGREE_MODE_TOTAL);
  nv1::FitDegreeDistributionResponse fitted;
  status =
      CallUnary(network, &nv1::NetworkService::Stub::FitDegreeDistribution, fit, &fitted, timeout);
  if (!status.ok()) return status;
  report::DegreeDistribution degrees;
  degrees.histogram.assign(fitted.total_degree_histogram().begin(),
                           fitted.total_degree_histogram().end());
  degrees.has_fit = fitted.has_fit();
  degrees.alpha = fitted.fit().alpha();
  degrees.xmin = fitted.fit().xmin();
  degrees.ks_distance = fitted.fit().ks_distance();
  degrees.tail_size = fitted.fit().tail_size();
  degrees.note = fitted.fit_note();
  out.degrees = std::move(degrees);

  absl::StatusOr<std::vector<report::TopNode>> top =
      ReadTopByDegree(network, up_to, options.top, timeout);
  if (!top.ok()) return top.status();
  out.top = *std::move(top);

  nv1::ComputeRegionFlowsRequest flows;
  *flows.mutable_selection() = up_to;
  flows.set_level(nv1::REGION_LEVEL_PROVINCE);
  flows.set_include_matrix(true);
  nv1::ComputeRegionFlowsResponse flow_response;
  status = CallUnary(network, &nv1::NetworkService::Stub::ComputeRegionFlows, flows, &flow_response,
                     timeout);
  if (!status.ok()) return status;
  report::FlowMatrix matrix;
  matrix.regions.assign(flow_response.regions().begin(), flow_response.regions().end());
  for (const std::string& code : matrix.regions) matrix.names.push_back(NameOf(names, code));
  matrix.counts.assign(flow_response.counts().begin(), flow_response.counts().end());
  matrix.intra_percent = flow_response.intra_count_percent();
  matrix.inter_percent = flow_response.inter_count_percent();
  matrix.total = flow_response.total_count();
  out.flows = std::move(matrix);

  // Relations of each year by type, and the graph up to the last year.
  const absl::Time deadline = absl::Now() + timeout;
  absl::StatusOr<std::vector<ActorRecord>> actors =
      ingest.ReadActors(options.relation_set, deadline, std::nullopt);
  if (!actors.ok()) return actors.status();
  RelationQuery query;
  query.relation_set = options.relation_set;
  query.last_year = options.last_year;
  absl::StatusOr<std::vector<RelationRecord>> relations = ingest.ReadRelations(query, deadline);
  if (!relations.ok()) return relations.status();
  std::set<std::string> types;
  for (const RelationRecord& r : *relations) types.insert(r.type);
  report::CategoryShares shares;
  shares.categories.assign(types.begin(), types.end());
  for (int32_t y = options.first_year; y <= options.last_year; ++y) shares.years.push_back(y);
  shares.counts.assign(types.size(), std::vector<double>(shares.years.size(), 0));
  graph::BuildOptions build;
  build.directed = true;
  build.multi_edges = graph::MultiEdgePolicy::kMergeSum;
  build.self_loops = graph::SelfLoopPolicy::kDrop;
  graph::GraphBuilder builder(build);
  for (const ActorRecord& a : *actors) builder.AddNode(a.code, a.name.empty() ? a.code : a.name);
  for (const RelationRecord& r : *relations) {
    builder.AddEdge(builder.AddNode(r.source), builder.AddNode(r.target));
    if (r.year < options.first_year) continue;
    const size_t c = static_cast<size_t>(std::distance(types.begin(), types.find(r.type)));
    shares.counts[c][static_cast<size_t>(r.year - options.first_year)] += 1;
  }
  out.categories = std::move(shares);
  absl::StatusOr<graph::Graph> g = std::move(builder).Build();
  if (!g.ok()) return g.status();
  absl::StatusOr<report::NetworkLayout> layout = report::LayoutNetwork(*g, options.layout);
  if (!layout.ok()) return layout.status();
  out.layout = *std::move(layout);

  if (status = series_done.get(); !status.ok()) return status;
  for (const nv1::PeriodStats& y : series_response.periods()) {
    const nv1::NetworkStats& s = y.stats();
    report::NetworkYear row;
    row.year = y.period();
    row.nodes = s.nodes().total();
    row.edges = s.edges();
    row.average_degree = s.average_degree();
    row.density = s.density();
    if (s.paths().has_diameter()) row.diameter = static_cast<double>(s.paths().diameter());
    if (s.paths().has_average_path_length()) row.path_length = s.paths().average_path_length();
    row.clustering = s.clustering().average_clustering();
    if (s.has_communities()) row.modularity = s.communities().modularity();
    out.years.push_back(row);
  }

  return out;
}

absl::StatusOr<report::ScatterData> ReadScatter(IngestClient& ingest, const std::string& x,
                                                const std::string& y, int32_t period,
                                                const std::map<std::string, std::string>& names,
                                                absl::Duration timeout) {
  absl::StatusOr<index::DataMatrix> values =
      ingest.ReadIndicators({x, y}, period, {}, absl::Now() + timeout, std::nullopt);
  if (!values.ok()) return values.status();
  report::ScatterData out;
  out.x_code = out.x_name = x;
  out.y_code = out.y_name = y;
  out.period = period;
  out.source = "ingest observations (ReadObservations)";
  for (size_t r = 0; r < values->rows(); ++r) {
    if (values->IsMissing(r, 0) || values->IsMissing(r, 1)) continue;
    const std::string& code = values->regions()[r];
    out.points.push_back({code, NameOf(names, code), values->Get(r, 0), values->Get(r, 1)});
  }
  return out;
}

}  // namespace innoscope::clients
