// innoscope report --framework CODE[@V] --period P --relation_set S --out DIR
//
// Writes the results of a stored scoring run and of the value network as
// files for people and other tools (docs/cli.md, "Reports"):
//
//   DIR/ranking.csv, ranking.json   the composite ranking of the run's
//       regions with every dimension's score (the composite's children), and
//       the ranking of its clusters (scoring GetRanking, ExportRun);
//   DIR/network_summary.csv, network_summary.json   statistics of the
//       relation set up to the period (network ComputeNetworkStats), the
//       top actors by degree (ComputeCentralities) and nodes and relations
//       per year (ComputeStatsTimeSeries, cumulative).
//
// Every file names the sources of the run's observations (ingest
// ReadObservations) and says "synthetic" when any is the demo generator's
// (demo_files.h). Files are written atomically (output_file.h).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/clients/grpc_ingest_client.h"
#include "libs/clients/report_reads.h"
#include "libs/graph/readers.h"
#include "libs/report/offline.h"
#include "libs/report/page.h"
#include "libs/scoring/pipeline.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"
#include "services/cli/demo_files.h"
#include "services/cli/number_text.h"
#include "services/cli/offline_scoring.h"
#include "services/cli/online_scoring.h"
#include "services/cli/output_file.h"
#include "services/cli/scoring_runs.h"
#include "services/cli/table_writer.h"

namespace innoscope::cli {
namespace {

namespace sv1 = ::innoscope::scoring::v1;
namespace iv1 = ::innoscope::ingest::v1;
namespace nv1 = ::innoscope::network::v1;

template <typename T>
T OrExit(const std::string& program, absl::StatusOr<T> value) {
  if (!value.ok()) config::ExitInvalidConfig(program, std::string(value.status().message()));
  return *std::move(value);
}

// Where the run's observations came from: the distinct sources of the
// framework's observations in the period, and whether any is synthetic.
struct DataSources {
  std::set<std::string> sources;
  bool synthetic() const { return sources.count(kSyntheticSource) > 0; }
  std::string Joined() const { return absl::StrJoin(sources, ";"); }
  std::string Notice() const {
    return synthetic()
               ? "SYNTHETIC DATA: the observations behind these results include generated "
                 "demo data (source \"synthetic\", innoscope demo generate); they describe no "
                 "real region or enterprise"
               : absl::StrCat("observation sources: ", sources.empty() ? "none" : Joined());
  }
  // {"synthetic": ..., "sources": [...], "notice": "..."}: the start of
  // both JSON files.
  Json JsonFields() const {
    return {{"synthetic", synthetic()}, {"sources", sources}, {"notice", Notice()}};
  }
};

absl::StatusOr<DataSources> ReadSources(iv1::IngestService::Stub& stub, const sv1::Run& run,
                                        absl::Duration timeout) {
  iv1::ReadObservationsRequest request;
  *request.mutable_framework() = run.spec().framework();
  request.mutable_periods()->set_first(run.spec().period());
  request.mutable_periods()->set_last(run.spec().period());
  std::unique_ptr<grpc::ClientContext> context = clients::ContextWithTimeout(timeout);
  auto reader = stub.ReadObservations(context.get(), request);
  DataSources out;
  iv1::ReadObservationsResponse message;
  while (reader->Read(&message)) {
    for (const iv1::StoredObservation& o : message.observations()) {
      const std::string& source =
          !o.observation().source().empty() ? o.observation().source() : o.provenance().source();
      out.sources.insert(source.empty() ? "unspecified" : source);
    }
  }
  absl::Status status = server::FromGrpcStatus(reader->Finish());
  if (!status.ok()) return status;
  return out;
}

absl::Status WriteText(const std::filesystem::path& path, std::string text) {
  absl::StatusOr<std::unique_ptr<OutputFile>> out = OutputFile::Open(path.string());
  if (!out.ok()) return out.status();
  *(*out)->buffer() = std::move(text);
  return (*out)->Commit();
}

// ------------------------------------------------------------- ranking

struct RankingInputs {
  const sv1::Run* run = nullptr;
  std::vector<sv1::NodeInfo> dimensions;  // the composite's children
  std::vector<sv1::RankingEntry> regions, clusters;
  // (cluster?, region, node) -> score
  std::map<std::tuple<bool, std::string, std::string>, double> scores;
  std::map<std::string, iv1::Region> names;
  DataSources sources;
};

std::optional<double> ScoreOf(const RankingInputs& in, bool cluster, const std::string& region,
                              const std::string& node) {
  auto it = in.scores.find({cluster, region, node});
  if (it == in.scores.end()) return std::nullopt;
  return it->second;
}

std::string RankingCsv(const RankingInputs& in) {
  std::vector<std::string> columns = {"unit", "rank", "region", "name", "score", "tier"};
  for (const sv1::NodeInfo& d : in.dimensions) columns.push_back(d.code());
  columns.push_back("sources");
  std::string out;
  TableWriter writer(TableFormat::kCsv, columns, &out);
  for (bool cluster : {false, true}) {
    for (const sv1::RankingEntry& e : cluster ? in.clusters : in.regions) {
      std::vector<Cell> cells = {
          Cell::Text(cluster ? "cluster" : "region"),
          Cell::Number(absl::StrCat(e.rank())),
          Cell::Text(e.region_code()),
          Cell::Text(DisplayName(in.names, e.region_code())),
          e.has_score() ? Cell::Number(FormatDouble(e.score())) : Cell::Absent(),
          e.has_tier() ? Cell::Number(absl::StrCat(e.tier())) : Cell::Absent()};
      for (const sv1::NodeInfo& d : in.dimensions) {
        std::optional<double> s = ScoreOf(in, cluster, e.region_code(), d.code());
        cells.push_back(s.has_value() ? Cell::Number(FormatDouble(*s)) : Cell::Absent());
      }
      cells.push_back(Cell::Text(in.sources.Joined()));
      writer.Row(cells);
    }
  }
  writer.Finish();
  return out;
}

std::string RankingJson(const RankingInputs& in) {
  const sv1::Run& run = *in.run;
  Json doc = in.sources.JsonFields();
  doc["run"] = run.id();
  doc["framework"] = run.spec().framework().code();
  doc["version"] = run.spec().framework().version();
  doc["period"] = run.spec().period();
  Json dimensions = Json::array();
  for (const sv1::NodeInfo& d : in.dimensions) {
    dimensions.push_back(
        {{"code", d.code()}, {"name", d.name()}, {"global_weight", d.global_weight()}});
  }
  doc["dimensions"] = std::move(dimensions);
  for (bool cluster : {false, true}) {
    Json entries = Json::array();
    for (const sv1::RankingEntry& e : cluster ? in.clusters : in.regions) {
      Json scores = Json::object();
      for (const sv1::NodeInfo& d : in.dimensions) {
        std::optional<double> s = ScoreOf(in, cluster, e.region_code(), d.code());
        scores[d.code()] = s.has_value() ? Json(*s) : Json();
      }
      entries.push_back({{"rank", e.rank()},
                         {"region", e.region_code()},
                         {"name", DisplayName(in.names, e.region_code())},
                         {"score", e.has_score() ? Json(e.score()) : Json()},
                         {"tier", e.has_tier() ? Json(e.tier()) : Json()},
                         {"dimensions", std::move(scores)}});
    }
    doc[cluster ? "clusters" : "regions"] = std::move(entries);
  }
  return JsonText(doc);
}

// ------------------------------------------------------------- network

struct NetworkInputs {
  std::string relation_set;
  int32_t period = 0;
  nv1::ComputeNetworkStatsResponse stats;
  std::vector<report::TopNode> top;
  std::vector<nv1::PeriodStats> years;
};

// The statistics as a JSON object in a fixed order; absent values are null
// (and a NaN prints as null).
Json StatisticFields(const NetworkInputs& in) {
  const nv1::NetworkStats& s = in.stats.stats();
  const nv1::PathStats& p = s.paths();
  return {
      {"nodes", s.nodes().total()},
      {"sample_enterprises", s.nodes().sample_enterprises()},
      {"relation_nodes", s.nodes().relation_nodes()},
      {"platforms", s.nodes().platforms()},
      {"foreign", s.nodes().foreign()},
      {"relations", in.stats.run().graph().relations()},
      {"edges", s.edges()},
      {"average_degree", s.average_degree()},
      {"density", s.density()},
      {"weak_components", s.weak_components()},
      {"strong_components", s.strong_components()},
      {"giant_weak_component_share", s.giant_weak_component_share()},
      {"average_path_length", p.has_average_path_length() ? Json(p.average_path_length()) : Json()},
      {"diameter", p.has_diameter() ? Json(p.diameter()) : Json()},
      {"paths_exact", p.exact()},
      {"average_clustering", s.clustering().average_clustering()},
      {"transitivity", s.clustering().transitivity()},
      {"reciprocity", s.has_reciprocity() ? Json(s.reciprocity()) : Json()},
      {"degree_assortativity",
       s.has_degree_assortativity() ? Json(s.degree_assortativity()) : Json()},
      {"modularity", s.has_communities() ? Json(s.communities().modularity()) : Json()},
      {"communities", s.has_communities() ? Json(s.communities().communities()) : Json()},
  };
}

std::string NetworkCsv(const NetworkInputs& in, const DataSources& sources) {
  std::string out;
  TableWriter writer(TableFormat::kCsv, {"section", "key", "measure", "value"}, &out);
  auto row = [&](const std::string& section, const std::string& key, const std::string& measure,
                 Cell value) {
    writer.Row({Cell::Text(section), Cell::Text(key), Cell::Text(measure), std::move(value)});
  };
  row("data", "observations", "synthetic", Cell::Text(sources.synthetic() ? "true" : "false"));
  row("data", "observations", "sources", Cell::Text(sources.Joined()));
  row("data", "relations", "relation_set", Cell::Text(in.relation_set));
  row("data", "relations", "up_to", Cell::Number(absl::StrCat(in.period)));
  const Json statistics = StatisticFields(in);
  for (const auto& [measure, value] : statistics.items()) {
    row("statistics", in.relation_set, measure, CellOf(value));
  }
  for (size_t i = 0; i < in.top.size(); ++i) {
    const report::TopNode& a = in.top[i];
    const std::string& code = a.code;
    row("top_degree", code, "rank", Cell::Number(absl::StrCat(i + 1)));
    row("top_degree", code, "name", Cell::Text(a.name));
    row("top_degree", code, "province", Cell::Text(a.group));
    row("top_degree", code, "platform", Cell::Text(a.platform ? "true" : "false"));
    row("top_degree", code, "degree", Cell::Number(FormatDouble(a.degree)));
    row("top_degree", code, "in_degree", Cell::Number(FormatDouble(a.in_degree)));
    row("top_degree", code, "out_degree", Cell::Number(FormatDouble(a.out_degree)));
  }
  int64_t previous = 0;
  for (const nv1::PeriodStats& y : in.years) {
    const std::string year = absl::StrCat(y.period());
    row("by_year", year, "nodes", Cell::Number(absl::StrCat(y.stats().nodes().total())));
    row("by_year", year, "relations", Cell::Number(absl::StrCat(y.stats().edges())));
    row("by_year", year, "new_relations", Cell::Number(absl::StrCat(y.stats().edges() - previous)));
    previous = y.stats().edges();
  }
  writer.Finish();
  return out;
}

std::string NetworkJson(const NetworkInputs& in, const DataSources& sources) {
  Json doc = sources.JsonFields();
  doc["relation_set"] = in.relation_set;
  doc["up_to"] = in.period;
  doc["network_run"] = in.stats.run().id();
  doc["statistics"] = StatisticFields(in);
  Json top = Json::array();
  for (size_t i = 0; i < in.top.size(); ++i) {
    const report::TopNode& a = in.top[i];
    top.push_back({{"rank", i + 1},
                   {"code", a.code},
                   {"name", a.name},
                   {"province", a.group},
                   {"platform", a.platform},
                   {"degree", a.degree},
                   {"in_degree", a.in_degree},
                   {"out_degree", a.out_degree}});
  }
  doc["top_degree"] = std::move(top);
  Json years = Json::array();
  int64_t previous = 0;
  for (const nv1::PeriodStats& y : in.years) {
    years.push_back({{"year", y.period()},
                     {"nodes", y.stats().nodes().total()},
                     {"relations", y.stats().edges()},
                     {"new_relations", y.stats().edges() - previous}});
    previous = y.stats().edges();
  }
  doc["by_year"] = std::move(years);
  return JsonText(doc);
}

// Statistics, top actors by degree and the yearly series of the relation
// set up to the period.
absl::StatusOr<NetworkInputs> ReadNetwork(nv1::NetworkService::Stub& stub,
                                          const std::string& relation_set, int32_t period,
                                          int32_t first_year, int32_t top_actors, bool approximate,
                                          absl::Duration timeout) {
  NetworkInputs in;
  in.relation_set = relation_set;
  in.period = period;
  nv1::GraphSelection selection;
  selection.set_relation_set(relation_set);
  selection.mutable_periods()->set_up_to(period);

  nv1::ComputeNetworkStatsRequest stats;
  *stats.mutable_selection() = selection;
  stats.mutable_approximation()->set_enabled(approximate);
  absl::Status status =
      CallUnary(stub, &nv1::NetworkService::Stub::ComputeNetworkStats, stats, &in.stats, timeout);
  if (!status.ok()) return status;

  absl::StatusOr<std::vector<report::TopNode>> top =
      clients::ReadTopByDegree(stub, selection, top_actors, timeout);
  if (!top.ok()) return top.status();
  in.top = *std::move(top);

  // Only counts are read from the series: every relation kept as an edge
  // (so edges = relations) and distances sampled, which is cheap.
  nv1::ComputeStatsTimeSeriesRequest series;
  series.mutable_selection()->set_relation_set(relation_set);
  series.mutable_selection()->set_multi_edges(nv1::MULTI_EDGE_POLICY_KEEP);
  series.mutable_periods()->set_first(first_year);
  series.mutable_periods()->set_last(period);
  series.set_mode(nv1::PERIOD_MODE_CUMULATIVE);
  series.set_skip_communities(true);
  series.mutable_approximation()->set_enabled(true);
  series.mutable_approximation()->set_path_samples(1000);
  nv1::ComputeStatsTimeSeriesResponse series_response;
  status = CallUnary(stub, &nv1::NetworkService::Stub::ComputeStatsTimeSeries, series,
                     &series_response, timeout);
  if (!status.ok()) return status;
  in.years.assign(series_response.periods().begin(), series_response.periods().end());
  return in;
}

// ------------------------------------------------------------- html

// The parts both html paths share: title, profiles, layout size.
report::ReportData HtmlBase(const ParsedCommand& cmd, const std::string& framework) {
  report::ReportData data;
  data.framework = framework;
  data.title = cmd.flags.Get("title").empty() ? absl::StrCat("Innoscope report: ", framework)
                                              : cmd.flags.Get("title");
  for (absl::string_view code : absl::StrSplit(cmd.flags.Get("regions"), ',', absl::SkipEmpty())) {
    data.profile_regions.emplace_back(code);
  }
  return data;
}

std::pair<std::string, std::string> ScatterCodes(const ParsedCommand& cmd) {
  std::vector<std::string> xy = absl::StrSplit(cmd.flags.Get("scatter"), ',');
  if (xy.size() != 2 || xy[0].empty() || xy[1].empty()) {
    config::ExitInvalidConfig(cmd.program, "--scatter: give two indicator codes X,Y");
  }
  return {xy[0], xy[1]};
}

report::LayoutOptions LayoutOf(const ParsedCommand& cmd) {
  report::LayoutOptions layout;
  layout.max_nodes =
      static_cast<size_t>(OrExit(cmd.program, cmd.flags.GetInt("layout_nodes", 10, 100000)));
  return layout;
}

int WriteHtml(const ParsedCommand& cmd, const report::ReportData& data) {
  absl::StatusOr<report::ReportFiles> files = report::BuildReport(data);
  if (!files.ok()) return Fail(cmd.program, files.status());
  const std::string dir = cmd.flags.Get("out");
  if (absl::Status s = report::WriteReport(*files, dir); !s.ok()) {
    return Fail(cmd.program, s, "choose a folder you can write to");
  }
  std::printf("report=%s charts=%zu periods=%zu synthetic=%s\n",
              (std::filesystem::path(dir) / "index.html").string().c_str(), files->charts.size(),
              data.periods.size(), data.provenance.synthetic ? "true" : "false");
  return 0;
}

// From files: the pipeline of `innoscope score` on --framework F.csv --data
// D.csv, the network of --edges E.csv computed here.
int ReportHtmlOffline(const ParsedCommand& cmd) {
  const config::ParsedFlags& f = cmd.flags;
  absl::StatusOr<OfflineScoring> offline = LoadOfflineScoring(f);
  if (!offline.ok()) return Fail(cmd.program, offline.status());
  absl::StatusOr<scoring::PipelineResult> result =
      scoring::RunPipeline(offline->Inputs(), offline->spec);
  if (!result.ok()) return Fail(cmd.program, result.status());
  absl::StatusOr<report::DataFileFacts> facts =
      report::ReadDataFileFacts(f.Get("data"), f.Get("region_column"));
  if (!facts.ok()) return Fail(cmd.program, facts.status());
  const int32_t period =
      f.Get("period").empty() ? 0 : OrExit(cmd.program, ParsePeriod(f.Get("period")));
  auto base = [](const std::string& path) {
    return std::filesystem::path(path).filename().string();
  };
  report::ReportData data = HtmlBase(cmd, base(f.Get("framework")));
  data.provenance.source = absl::StrCat("files ", base(f.Get("framework")), " and ",
                                        base(f.Get("data")), " (the pipeline of innoscope score)");
  data.provenance.synthetic = facts->synthetic;
  const index::Framework& framework = offline->framework.framework;
  data.periods.push_back(
      report::PeriodFromPipeline(framework, *result, period, base(f.Get("data")), facts->names));
  if (!f.Get("scatter").empty()) {
    auto [x, y] = ScatterCodes(cmd);
    data.scatter = OrExit(
        cmd.program, report::ScatterFromPipeline(framework, *result, x, y, period, facts->names));
  }
  if (!f.Get("edges").empty()) {
    graph::ReadOptions options;
    options.directed = true;
    absl::StatusOr<graph::GraphFile> file = graph::ReadGraphFile(f.Get("edges"), options);
    if (!file.ok()) return Fail(cmd.program, file.status());
    absl::StatusOr<report::NetworkSection> net =
        report::NetworkFromGraph(file->graph, base(f.Get("edges")), period, LayoutOf(cmd));
    if (!net.ok()) return Fail(cmd.program, net.status());
    data.network = *std::move(net);
  }
  return WriteHtml(cmd, data);
}

// From the services: one stored run per period (the newest, or --run), the
// analyses of --uncertainty, the network of --relation_set.
int ReportHtml(const ParsedCommand& cmd) {
  const config::ParsedFlags& f = cmd.flags;
  if (f.Get("framework").empty() || f.Get("out").empty()) {
    config::ExitInvalidConfig(cmd.program, "--framework and --out DIR are required");
  }
  if (!f.Get("data").empty()) return ReportHtmlOffline(cmd);
  const FrameworkArg framework = OrExit(cmd.program, ParseFrameworkArg(f.Get("framework")));
  std::vector<int32_t> periods = OrExit(cmd.program, ParsePeriodList(f.Get("period")));
  std::sort(periods.begin(), periods.end());
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  for (const char* service : {"ingest", "scoring", "network"}) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = clients::ServiceChannel(f, service);
    if (!channel.ok()) return Fail(cmd.program, channel.status());
    channels[service] = *channel;
  }
  auto ingest = iv1::IngestService::NewStub(channels["ingest"]);
  auto scoring = sv1::ScoringService::NewStub(channels["scoring"]);
  auto network = nv1::NetworkService::NewStub(channels["network"]);
  absl::StatusOr<std::map<std::string, iv1::Region>> regions = RegionsByCode(*ingest, cmd.timeout);
  if (!regions.ok()) return Fail(cmd.program, regions.status());
  std::map<std::string, std::string> names;
  for (const auto& [code, region] : *regions) names[code] = DisplayName(*regions, code);
  report::ReportData data = HtmlBase(cmd, f.Get("framework"));
  DataSources sources;
  std::map<std::string, int32_t> period_of_run;
  for (int32_t period : periods) {
    absl::StatusOr<sv1::Run> run = ResolveRun(*scoring, framework, period,
                                              periods.size() == 1 ? f.Get("run") : "", cmd.timeout);
    if (!run.ok()) return Fail(cmd.program, run.status());
    absl::StatusOr<std::vector<sv1::RankingEntry>> ranked[2];
    for (bool cluster : {false, true}) {
      ranked[cluster] =
          cluster && !(OrExit(cmd.program, f.GetBool("clusters")) && run->clusters_size() > 0)
              ? std::vector<sv1::RankingEntry>()
              : FetchRanking(*scoring, run->id(), "", cluster, 0, cmd.timeout);
      if (!ranked[cluster].ok()) return Fail(cmd.program, ranked[cluster].status());
    }
    absl::StatusOr<std::vector<sv1::ResultRow>> rows =
        ExportRunRows(*scoring, run->id(), cmd.timeout);
    if (!rows.ok()) return Fail(cmd.program, rows.status());
    absl::StatusOr<DataSources> read = ReadSources(*ingest, *run, cmd.timeout);
    if (!read.ok()) return Fail(cmd.program, read.status());
    sources.sources.insert(read->sources.begin(), read->sources.end());
    data.periods.push_back(clients::PeriodFromRun(*run, *ranked[0], *ranked[1], *rows, names));
    period_of_run[run->id()] = period;
  }
  data.provenance = {absl::StrCat("scoring service runs (GetRanking, ExportRun) of ",
                                  f.Get("framework"), "; observation sources: ", sources.Joined()),
                     sources.synthetic(), sources.synthetic() ? sources.Notice() : ""};
  for (absl::string_view id : absl::StrSplit(f.Get("uncertainty"), ',', absl::SkipEmpty())) {
    sv1::GetUncertaintyRequest request;
    request.set_id(std::string(id));
    sv1::GetUncertaintyResponse response;
    absl::Status s = CallUnary(*scoring, &sv1::ScoringService::Stub::GetUncertainty, request,
                               &response, cmd.timeout);
    if (!s.ok()) return Fail(cmd.program, s);
    data.uncertainty.push_back(clients::UncertaintyFromProto(
        response.uncertainty(), period_of_run[response.uncertainty().run_id()], names));
  }
  clients::GrpcIngestClient ingest_client(channels["ingest"]);
  if (!f.Get("relation_set").empty() && f.Get("relation_set") != "none") {
    clients::NetworkReadOptions options;
    options.relation_set = f.Get("relation_set");
    options.first_year = periods.size() > 1 ? periods.front() : periods.back() - 8;
    options.last_year = periods.back();
    options.layout = LayoutOf(cmd);
    options.timeout = cmd.timeout;
    absl::StatusOr<report::NetworkSection> net =
        clients::ReadNetworkSection(*network, ingest_client, options, names);
    if (!net.ok())
      return Fail(cmd.program, net.status(), "pass --relation_set none to leave the network out");
    data.network = *std::move(net);
  }
  if (!f.Get("scatter").empty()) {
    auto [x, y] = ScatterCodes(cmd);
    data.scatter = OrExit(
        cmd.program, clients::ReadScatter(ingest_client, x, y, periods.back(), names, cmd.timeout));
  }
  return WriteHtml(cmd, data);
}

}  // namespace

int RunReport(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags(
      "report",
      "Writes DIR/ranking.csv and .json (the composite ranking of a stored scoring run with "
      "every dimension's score, and its clusters' ranking) and DIR/network_summary.csv and "
      ".json (statistics of the relation set up to the period, the top actors by degree and "
      "nodes and relations per year). Every file names the sources of the run's observations "
      "and says when they are synthetic.",
      {"ingest", "scoring", "network"}, "600");
  flags.Add("framework", "", "framework CODE or CODE@VERSION (required)");
  flags.Add("period", "", "the run's period, e.g. 2022 (required)");
  flags.Add("relation_set", "default", "relation set of the network summary");
  flags.Add("out", "", "output folder (required; created when missing)");
  flags.Add("run", "", "this scoring run id instead of the newest run");
  flags.Add("top_actors", "10", "actors listed by degree");
  flags.Add("first_year", "", "first year of the yearly series (default: period - 8)");
  flags.AddBool("approximate", false,
                "sample path lengths (large networks; the summary states the bounds)");
  flags.Add("format", "csv",
            "csv or json: the files above; html: DIR/index.html, DIR/charts/*.svg and "
            "DIR/data/*.csv (--period may then be a range FIRST-LAST, one run each)");
  flags.Add("edges", "", "html from files: the network's edge list (as innoscope network)");
  flags.Add("regions", "", "html: regions drawn as radar profiles, e.g. BJ,GD");
  flags.AddBool("clusters", false, "html: the clusters' table and radar profiles");
  flags.Add("scatter", "", "html: two indicators X,Y drawn against each other per region");
  flags.Add("uncertainty", "", "html: uncertainty analysis ids (GetUncertainty), comma-separated");
  flags.Add("layout_nodes", "2000", "html: most nodes drawn in the picture of the network");
  flags.Add("title", "", "html: the report's title");
  AddPipelineFlags(flags);  // html from files: --data D.csv and the pipeline of `score`
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  const config::ParsedFlags& f = cmd.flags;
  if (f.Get("format") == "html") return ReportHtml(cmd);
  if (f.Get("format") != "csv" && f.Get("format") != "json") {
    config::ExitInvalidConfig(cmd.program, "--format: use csv, json or html");
  }
  if (f.Get("framework").empty() || f.Get("period").empty() || f.Get("out").empty()) {
    config::ExitInvalidConfig(cmd.program,
                              "--framework CODE[@VERSION], --period P and --out DIR are required");
  }
  const FrameworkArg framework = OrExit(cmd.program, ParseFrameworkArg(f.Get("framework")));
  const int32_t period = OrExit(cmd.program, ParsePeriod(f.Get("period")));
  const int32_t first_year = f.Get("first_year").empty()
                                 ? period - 8
                                 : OrExit(cmd.program, ParsePeriod(f.Get("first_year")));
  if (first_year > period) {
    config::ExitInvalidConfig(cmd.program, "--first_year: must not be after --period");
  }
  const int32_t top_actors =
      static_cast<int32_t>(OrExit(cmd.program, f.GetInt("top_actors", 1, 1000)));
  const bool approximate = OrExit(cmd.program, f.GetBool("approximate"));
  const std::filesystem::path dir(f.Get("out"));

  std::shared_ptr<grpc::Channel> channels[3];
  const char* services[3] = {"ingest", "scoring", "network"};
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        clients::ServiceChannel(f, services[i]);
    if (!channel.ok()) return Fail(cmd.program, channel.status());
    channels[i] = *channel;
  }
  auto ingest = iv1::IngestService::NewStub(channels[0]);
  auto scoring = sv1::ScoringService::NewStub(channels[1]);
  auto network = nv1::NetworkService::NewStub(channels[2]);

  absl::StatusOr<sv1::Run> run = ResolveRun(*scoring, framework, period, f.Get("run"), cmd.timeout);
  if (!run.ok()) return Fail(cmd.program, run.status());
  RankingInputs ranking;
  ranking.run = &*run;
  std::string composite;
  for (const sv1::NodeInfo& node : run->summary().nodes()) {
    if (node.parent_code().empty()) composite = node.code();
  }
  for (const sv1::NodeInfo& node : run->summary().nodes()) {
    if (!composite.empty() && node.parent_code() == composite) ranking.dimensions.push_back(node);
  }
  absl::StatusOr<std::vector<sv1::RankingEntry>> regions =
      FetchRanking(*scoring, run->id(), "", false, 0, cmd.timeout);
  if (!regions.ok()) return Fail(cmd.program, regions.status());
  ranking.regions = *std::move(regions);
  if (run->clusters_size() > 0) {
    absl::StatusOr<std::vector<sv1::RankingEntry>> clusters =
        FetchRanking(*scoring, run->id(), "", true, 0, cmd.timeout);
    if (!clusters.ok()) return Fail(cmd.program, clusters.status());
    ranking.clusters = *std::move(clusters);
  }
  absl::StatusOr<std::vector<sv1::ResultRow>> rows =
      ExportRunRows(*scoring, run->id(), cmd.timeout);
  if (!rows.ok()) return Fail(cmd.program, rows.status());
  for (const sv1::ResultRow& row : *rows) {
    if (row.has_score())
      ranking.scores[{row.cluster(), row.region_code(), row.node_code()}] = row.score();
  }
  absl::StatusOr<std::map<std::string, iv1::Region>> names = RegionsByCode(*ingest, cmd.timeout);
  if (!names.ok()) return Fail(cmd.program, names.status());
  ranking.names = *std::move(names);
  absl::StatusOr<DataSources> sources = ReadSources(*ingest, *run, cmd.timeout);
  if (!sources.ok()) return Fail(cmd.program, sources.status());
  ranking.sources = *sources;

  if (absl::Status created = CreateOutputFolder(dir.string()); !created.ok()) {
    return Fail(cmd.program, created, "choose a folder you can write to");
  }
  for (auto& [name, text] : std::vector<std::pair<const char*, std::string>>{
           {"ranking.csv", RankingCsv(ranking)}, {"ranking.json", RankingJson(ranking)}}) {
    if (absl::Status s = WriteText(dir / name, std::move(text)); !s.ok()) {
      return Fail(cmd.program, s, "choose a folder you can write to");
    }
  }

  absl::StatusOr<NetworkInputs> net = ReadNetwork(*network, f.Get("relation_set"), period,
                                                  first_year, top_actors, approximate, cmd.timeout);
  if (!net.ok()) {
    return Fail(cmd.program, net.status(),
                absl::StrCat("ranking.csv and ranking.json are written; check --relation_set (",
                             f.Get("relation_set"), ") holds relations up to ", period,
                             " ('innoscope export relations --relation_set ...')"));
  }
  for (auto& [name, text] : std::vector<std::pair<const char*, std::string>>{
           {"network_summary.csv", NetworkCsv(*net, *sources)},
           {"network_summary.json", NetworkJson(*net, *sources)}}) {
    if (absl::Status s = WriteText(dir / name, std::move(text)); !s.ok()) {
      return Fail(cmd.program, s, "choose a folder you can write to");
    }
  }
  const nv1::NetworkStats& s = net->stats.stats();
  std::printf(
      "run=%s framework=%s@%d period=%d regions=%zu clusters=%zu nodes=%lld relations=%lld "
      "edges=%lld synthetic=%s out=%s\n",
      run->id().c_str(), run->spec().framework().code().c_str(), run->spec().framework().version(),
      run->spec().period(), ranking.regions.size(), ranking.clusters.size(),
      static_cast<long long>(s.nodes().total()),
      static_cast<long long>(net->stats.run().graph().relations()),
      static_cast<long long>(s.edges()), sources->synthetic() ? "true" : "false",
      dir.string().c_str());
  if (sources->synthetic())
    std::fprintf(stderr, "%s: %s\n", cmd.program.c_str(), sources->Notice().c_str());
  return 0;
}

}  // namespace innoscope::cli
