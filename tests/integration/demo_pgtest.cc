// The demo pipeline against real ingest, weighting, scoring and network
// processes and a real PostgreSQL, driven through the built CLI:
// `innoscope demo generate` (small: 200 enterprises), the imports of
// regions, framework, actors, relations and observations, the derived
// indicators (network DeriveRegionIndicators, as the recompute job calls it),
// a scoring run (scoring ComputeScores called from the test), then
// `innoscope ranking` and the files of `innoscope report`.
//
// Expected values come from elsewhere than the commands under test: the
// ranking order from scoring GetRanking; the network counts and the derived
// technology-empowerment counts from the generated CSV files, read here with
// the project's CSV reader; a cluster's score from the identity of the
// published form (a circle's score is the sum of its members', DOMAIN.md §5).
//
// The framework is the 2023 AI framework from ../shared when present, else
// tests/data/ai_demo_framework.csv (five of its leaves, same codes).

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/index/csv.h"
#include "tests/html_tables.h"
#include "tests/integration/harness.h"
#include "tests/shared_data.h"
#include "tests/unit/libs/graph/mini_json.h"

namespace innoscope::testing {
namespace {

namespace iv1 = ::innoscope::ingest::v1;
namespace nv1 = ::innoscope::network::v1;
namespace sv1 = ::innoscope::scoring::v1;
using ::innoscope::graph::testing::JsonValue;
using ::innoscope::graph::testing::ParseJson;
using ::testing::HasSubstr;

constexpr char kFramework[] = "ai_competitiveness_2023";
constexpr char kRelationSet[] = "ai_value_network";
constexpr int kPeriod = 2022;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

index::CsvTable Table(const std::string& text) {
  absl::StatusOr<index::CsvTable> table = index::ParseCsvTable(text);
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? *std::move(table) : index::CsvTable();
}

class DemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { state_ = new State(); }
  static void TearDownTestSuite() {
    delete state_;
    state_ = nullptr;
  }

  void SetUp() override {
    if (state_->ready) return;
    ASSERT_FALSE(state_->failed) << "the suite's set-up failed in an earlier test";
    state_->failed = true;
    Start();
    Prepare();
    state_->failed = HasFatalFailure();
    state_->ready = !state_->failed;
  }

  struct State {
    std::unique_ptr<ServiceProcess> ingest, weighting, scoring, network;
    std::string dir;            // generated files and report
    std::string framework_csv;  // the framework used
    std::set<std::string> leaves;
    std::string run_id;
    nv1::DeriveRegionIndicatorsResponse derived;
    bool ready = false;
    bool failed = false;
  };
  static State* state_;

  // The services' addresses, as the environment variables every command
  // reads (a flag of a service a command does not call would be an error).
  static std::string AddressEnv() {
    return absl::StrCat("INNOSCOPE_INGEST_ADDRESS=", state_->ingest->grpc_address(),
                        " INNOSCOPE_SCORING_ADDRESS=", state_->scoring->grpc_address(),
                        " INNOSCOPE_NETWORK_ADDRESS=", state_->network->grpc_address(), " ");
  }

  // Runs the CLI; stdout only (stderr dropped) unless `with_stderr`.
  static std::string Cli(const std::string& args, int* code, bool with_stderr = false) {
    const std::string command =
        absl::StrCat(AddressEnv(), "'", BuildDir(), "/services/cli/innoscope' ", args);
    absl::StatusOr<std::string> out =
        RunCommand(with_stderr ? command : absl::StrCat("(", command, " 2>/dev/null)"), code);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : "";
  }
  static std::string CliOk(const std::string& args) {
    int code = -1;
    std::string out = Cli(args, &code, /*with_stderr=*/true);
    EXPECT_EQ(code, 0) << "innoscope " << args << "\n" << out;
    return out;
  }

  void Start() {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("demo");
    ASSERT_TRUE(url.ok()) << url.status();
    const std::map<std::string, std::string> env = {{"DATABASE_URL", *url}};
    auto services = StartServices(env, {"weighting", "network", "scoring"});
    ASSERT_TRUE(services.ok()) << services.status();
    state_->ingest = std::move(services->ingest);
    state_->weighting = std::move(services->weighting);
    state_->network = std::move(services->network);
    state_->scoring = std::move(services->scoring);
    state_->dir = absl::StrCat(BuildDir(), "/test-logs/demo-", ::getpid());
    int code = 0;
    ASSERT_TRUE(
        RunCommand("rm -rf '" + state_->dir + "' && mkdir -p '" + state_->dir + "'", &code).ok());
  }

  void Prepare() {
    State& s = *state_;
    std::optional<std::string> shared = SharedDir();
    const std::string shared_csv =
        shared ? *shared + "/reference/frameworks/ai_competitiveness_2023.csv" : "";
    s.framework_csv = !shared_csv.empty() && Exists(shared_csv)
                          ? shared_csv
                          : SourceDir() + "/tests/data/ai_demo_framework.csv";
    const std::string regions = SourceDir() + "/examples/ai_index/regions.csv";

    // Generated twice with the same seed: the same bytes.
    const std::string generate =
        absl::StrCat("demo generate --seed 3 --enterprises 200 --regions '", regions,
                     "' --framework '", s.framework_csv, "' --out '");
    EXPECT_THAT(CliOk(generate + s.dir + "/synthetic'"), HasSubstr("synthetic=true"));
    CliOk(generate + s.dir + "/again'");
    for (const char* file : {"actors.csv", "relations.csv", "observations.csv", "SYNTHETIC.txt"}) {
      const std::string text = ReadFile(s.dir + "/synthetic/" + file);
      EXPECT_FALSE(text.empty()) << file;
      EXPECT_EQ(text, ReadFile(s.dir + "/again/" + file)) << file;
    }

    CliOk(absl::StrCat("import regions '", regions, "'"));
    CliOk(absl::StrCat("import framework '", s.framework_csv, "' --framework ", kFramework));
    const std::string data = s.dir + "/synthetic/";
    const std::string relations_import =
        absl::StrCat("import relations '", data, "relations.csv' --relation_set ", kRelationSet);
    CliOk(absl::StrCat("import actors '", data, "actors.csv' --relation_set ", kRelationSet));
    EXPECT_THAT(CliOk(relations_import), HasSubstr("inserted=2400 "));
    EXPECT_THAT(CliOk(absl::StrCat("import observations '", data, "observations.csv' --framework ",
                                   kFramework, " --source synthetic")),
                HasSubstr("rejected=0"));
    // A second import (the demo run again) replays and writes nothing.
    EXPECT_THAT(CliOk(relations_import), HasSubstr("inserted=0 revised=0 unchanged=0"));

    auto ingest = iv1::IngestService::NewStub(s.ingest->Channel());
    iv1::GetFrameworkRequest get;
    get.mutable_framework()->set_code(kFramework);
    iv1::GetFrameworkResponse framework;
    grpc::ClientContext c0;
    ASSERT_TRUE(ingest->GetFramework(&c0, get, &framework).ok());
    std::set<std::string> parents;
    for (const auto& n : framework.framework().nodes()) parents.insert(n.parent_code());
    for (const auto& n : framework.framework().nodes()) {
      if (parents.count(n.code()) == 0) s.leaves.insert(n.code());
    }
    for (const auto& [cluster, members] : std::map<std::string, std::vector<std::string>>{
             {"CN-JJJ", {"CN-BJ", "CN-TJ", "CN-HE"}},
             {"CN-YRD", {"CN-SH", "CN-JS", "CN-ZJ", "CN-AH"}},
             {"CN-CY", {"CN-SC", "CN-CQ"}}}) {
      iv1::SetClusterMembersRequest request;
      request.set_cluster_code(cluster);
      for (const std::string& m : members) request.add_members()->set_member_code(m);
      grpc::ClientContext c;
      iv1::SetClusterMembersResponse response;
      grpc::Status status = ingest->SetClusterMembers(&c, request, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }

    // The derived indicators, as docs/demo.md lists them.
    nv1::DeriveRegionIndicatorsRequest derive;
    derive.mutable_selection()->set_relation_set(kRelationSet);
    derive.mutable_selection()->mutable_periods()->set_up_to(kPeriod);
    derive.set_level(nv1::REGION_LEVEL_PROVINCE);
    auto rule = [&](const char* code, const char* type, nv1::RelationDirection direction,
                    nv1::Aggregate aggregate, bool international) {
      if (s.leaves.count(code) == 0) return;
      nv1::IndicatorRule* r = derive.add_rules();
      r->set_indicator_code(code);
      r->set_relation_type(type);
      r->set_direction(direction);
      r->mutable_anchor()->set_sample(nv1::FLAG_FILTER_ONLY);
      r->set_aggregate(aggregate);
      if (international) r->set_international(nv1::FLAG_FILTER_ONLY);
    };
    rule("number_of_technology_empowerment_relations", "technology_empowerment",
         nv1::RELATION_DIRECTION_OUTGOING, nv1::AGGREGATE_COUNT, false);
    rule("number_of_financing_relations", "financing", nv1::RELATION_DIRECTION_INCOMING,
         nv1::AGGREGATE_COUNT, false);
    rule("financing_amount", "financing", nv1::RELATION_DIRECTION_INCOMING,
         nv1::AGGREGATE_SUM_AMOUNT, false);
    rule("number_of_investment_relations", "investment", nv1::RELATION_DIRECTION_OUTGOING,
         nv1::AGGREGATE_COUNT, false);
    rule("number_of_international_technology_input_relations", "technology_input",
         nv1::RELATION_DIRECTION_INCOMING, nv1::AGGREGATE_COUNT, true);
    rule("number_of_international_technology_empowerment_relations", "technology_empowerment",
         nv1::RELATION_DIRECTION_OUTGOING, nv1::AGGREGATE_COUNT, true);
    auto network = nv1::NetworkService::NewStub(s.network->Channel());
    grpc::ClientContext c1;
    grpc::Status status = network->DeriveRegionIndicators(&c1, derive, &s.derived);
    ASSERT_TRUE(status.ok()) << status.error_message();

    // The AI report's run: provinces, published form, circles as sums,
    // tiers 1-6, 7-10, 11-20.
    sv1::ComputeScoresRequest compute;
    sv1::RunSpec& spec = *compute.mutable_spec();
    spec.mutable_framework()->set_code(kFramework);
    spec.set_period(kPeriod);
    spec.mutable_universe()->set_kind(iv1::REGION_KIND_PROVINCE);
    spec.mutable_presentation()->set_global_weighted(true);
    spec.mutable_presentation()->set_decimals(2);
    for (const char* c : {"CN-JJJ", "CN-YRD", "CN-CY"})
      spec.mutable_clusters()->add_cluster_codes(c);
    for (int band : {6, 10, 20}) spec.mutable_tiers()->mutable_rank_bands()->add_last_ranks(band);
    auto scoring = sv1::ScoringService::NewStub(s.scoring->Channel());
    grpc::ClientContext c2;
    sv1::ComputeScoresResponse computed;
    status = scoring->ComputeScores(&c2, compute, &computed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    s.run_id = computed.run().id();
  }

  static std::vector<sv1::RankingEntry> Ranking(bool clusters) {
    auto scoring = sv1::ScoringService::NewStub(state_->scoring->Channel());
    sv1::GetRankingRequest request;
    request.set_run_id(state_->run_id);
    request.set_clusters(clusters);
    grpc::ClientContext c;
    sv1::GetRankingResponse response;
    EXPECT_TRUE(scoring->GetRanking(&c, request, &response).ok());
    return {response.entries().begin(), response.entries().end()};
  }

  static index::CsvTable Generated(const char* file) {
    return Table(ReadFile(state_->dir + "/synthetic/" + file));
  }

  // The value network counted from the generated relations.csv, with the
  // project's CSV reader only.
  struct Counted {
    index::CsvTable relations;
    std::set<std::string> actors;
    std::set<std::pair<std::string, std::string>> pairs;
    std::map<int, int64_t> per_year;
    int64_t max_degree = 0;  // distinct successors plus distinct predecessors
  };
  static Counted CountRelations() {
    Counted c;
    c.relations = Generated("relations.csv");
    const int source = c.relations.Column("source"), target = c.relations.Column("target"),
              year = c.relations.Column("year");
    for (const index::CsvRow& row : c.relations.rows) {
      c.actors.insert(row.fields[source]);
      c.actors.insert(row.fields[target]);
      c.pairs.insert({row.fields[source], row.fields[target]});
      int y = 0;
      EXPECT_TRUE(absl::SimpleAtoi(row.fields[year], &y));
      ++c.per_year[y];
    }
    // Degree in the merged graph (Gephi's import).
    std::map<std::string, int64_t> degree;
    for (const auto& [from, to] : c.pairs) {
      ++degree[from];
      ++degree[to];
    }
    for (const auto& [actor, d] : degree) c.max_degree = std::max(c.max_degree, d);
    return c;
  }
};

DemoTest::State* DemoTest::state_ = nullptr;

TEST_F(DemoTest, DerivedIndicatorsCountTheGeneratedRelations) {
  // Technology empowerment of a province's sample enterprises up to 2022,
  // counted here from actors.csv and relations.csv.
  index::CsvTable actors = Generated("actors.csv");
  std::map<std::string, std::string> sample_province;
  for (const index::CsvRow& row : actors.rows) {
    if (row.fields[actors.Column("sample")] == "true") {
      sample_province[row.fields[0]] = row.fields[actors.Column("province")];
    }
  }
  index::CsvTable relations = Generated("relations.csv");
  std::map<std::string, double> expected;
  for (const index::CsvRow& row : relations.rows) {
    auto it = sample_province.find(row.fields[relations.Column("source")]);
    if (row.fields[relations.Column("type")] == "technology_empowerment" &&
        it != sample_province.end()) {
      ++expected[it->second];
    }
  }
  std::map<std::string, double> derived;
  for (const nv1::RegionIndicatorValue& v : state_->derived.values()) {
    if (v.indicator_code() == "number_of_technology_empowerment_relations") {
      derived[v.region_code()] = v.value();
    }
  }
  ASSERT_EQ(derived.size(), 31u);  // every province has a sample enterprise
  for (const auto& [province, value] : derived) {
    EXPECT_EQ(value, expected[province]) << province;  // 0 when absent from expected
  }
}

TEST_F(DemoTest, RankingPrintsTheNewestRunInGetRankingOrder) {
  const std::vector<sv1::RankingEntry> expected = Ranking(false);
  ASSERT_EQ(expected.size(), 31u);
  int code = -1;
  const std::string csv =
      Cli(absl::StrCat("ranking --framework ", kFramework, " --period ", kPeriod, " --format csv"),
          &code);
  ASSERT_EQ(code, 0) << csv;
  index::CsvTable table = Table(csv);
  EXPECT_EQ(table.header, (std::vector<std::string>{"rank", "region", "name", "score", "tier"}));
  ASSERT_EQ(table.rows.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(table.rows[i].fields[0], absl::StrCat(expected[i].rank()));
    EXPECT_EQ(table.rows[i].fields[1], expected[i].region_code());
    double score = 0;
    ASSERT_TRUE(absl::SimpleAtod(table.rows[i].fields[3], &score));
    EXPECT_EQ(score, expected[i].score());  // shortest round-trip text
    EXPECT_EQ(table.rows[i].fields[4],
              expected[i].has_tier() ? absl::StrCat(expected[i].tier()) : "");
  }
  // Names from ingest (regions.csv's English names).
  for (const index::CsvRow& row : table.rows) {
    if (row.fields[1] == "CN-BJ") {
      EXPECT_EQ(row.fields[2], "Beijing");
    }
    if (row.fields[1] == "CN-NM") {
      EXPECT_EQ(row.fields[2], "Inner Mongolia");
    }
  }

  // The table: a header and one line per region ranked 5 or better.
  const std::string top = Cli(
      absl::StrCat("ranking --framework ", kFramework, "@1 --period ", kPeriod, " --top 5"), &code);
  ASSERT_EQ(code, 0) << top;
  std::vector<std::string> lines = absl::StrSplit(top, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 6u);
  EXPECT_THAT(lines[0], HasSubstr("RANK  REGION"));
  EXPECT_THAT(lines[1], HasSubstr(expected[0].region_code()));
  EXPECT_EQ(lines.size(), 1 + static_cast<size_t>(std::count_if(
                                  expected.begin(), expected.end(),
                                  [](const sv1::RankingEntry& e) { return e.rank() <= 5; })));

  // Clusters, as JSON.
  const std::string clusters =
      Cli(absl::StrCat("ranking --framework ", kFramework, " --period ", kPeriod,
                       " --clusters --format json --run ", state_->run_id),
          &code);
  ASSERT_EQ(code, 0) << clusters;
  std::optional<JsonValue> doc = ParseJson(clusters);
  ASSERT_TRUE(doc.has_value()) << clusters;
  ASSERT_EQ(doc->array.size(), 3u);
  EXPECT_EQ(doc->array[0].At("region").string, Ranking(true)[0].region_code());

  // No run for the period: a message saying what to do.
  const std::string none =
      Cli(absl::StrCat("ranking --framework ", kFramework, " --period 2015"), &code, true);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(none,
              HasSubstr("no scoring run of framework ai_competitiveness_2023 for period 2015"));
}

TEST_F(DemoTest, ReportWritesRankingAndNetworkSummaryMarkedSynthetic) {
  const std::string out = state_->dir + "/report";
  const std::string summary =
      CliOk(absl::StrCat("report --framework ", kFramework, " --period ", kPeriod,
                         " --relation_set ", kRelationSet, " --out '", out, "'"));
  EXPECT_THAT(summary, HasSubstr("synthetic=true"));

  // Independent counts from the generated relations.csv.
  const Counted counted = CountRelations();
  const index::CsvTable& relations = counted.relations;
  const std::set<std::string>& actors = counted.actors;
  const std::set<std::pair<std::string, std::string>>& pairs = counted.pairs;
  std::map<int, int64_t> per_year = counted.per_year;
  const int64_t max_degree = counted.max_degree;

  // network_summary.json (strict JSON, then values).
  int code = -1;
  const std::string json_path = out + "/network_summary.json";
  ASSERT_TRUE(
      RunCommand("/usr/bin/python3 -m json.tool '" + json_path + "' >/dev/null", &code).ok());
  EXPECT_EQ(code, 0) << "not strict JSON: " << json_path;
  std::optional<JsonValue> network = ParseJson(ReadFile(json_path));
  ASSERT_TRUE(network.has_value());
  EXPECT_TRUE(network->At("synthetic").boolean);
  const JsonValue& stats = network->At("statistics");
  EXPECT_EQ(stats.At("nodes").number, static_cast<double>(actors.size()));
  EXPECT_EQ(stats.At("relations").number, static_cast<double>(relations.rows.size()));
  EXPECT_EQ(stats.At("edges").number, static_cast<double>(pairs.size()));
  ASSERT_EQ(network->At("top_degree").array.size(), 10u);
  EXPECT_EQ(network->At("top_degree").array[0].At("degree").number,
            static_cast<double>(max_degree));
  const JsonValue& years = network->At("by_year");
  ASSERT_EQ(years.array.size(), 9u);  // 2014-2022
  int64_t cumulative = 0;
  for (const JsonValue& y : years.array) {
    cumulative += per_year[static_cast<int>(y.At("year").number)];
    EXPECT_EQ(y.At("relations").number, static_cast<double>(cumulative));
  }

  // network_summary.csv holds the same statistics in long form.
  index::CsvTable network_csv = Table(ReadFile(out + "/network_summary.csv"));
  EXPECT_EQ(network_csv.header, (std::vector<std::string>{"section", "key", "measure", "value"}));
  std::map<std::string, std::string> csv_stats;
  for (const index::CsvRow& row : network_csv.rows) {
    if (row.fields[0] == "statistics") csv_stats[row.fields[2]] = row.fields[3];
    if (row.fields[0] == "data" && row.fields[2] == "synthetic") {
      EXPECT_EQ(row.fields[3], "true");
    }
  }
  EXPECT_EQ(csv_stats["nodes"], absl::StrCat(actors.size()));
  EXPECT_EQ(csv_stats["relations"], absl::StrCat(relations.rows.size()));

  // ranking.csv: the regions in GetRanking order with every dimension's
  // score, then the clusters; every row names the sources.
  const std::vector<sv1::RankingEntry> regions = Ranking(false);
  const std::vector<sv1::RankingEntry> clusters = Ranking(true);
  index::CsvTable ranking = Table(ReadFile(out + "/ranking.csv"));
  ASSERT_EQ(ranking.rows.size(), regions.size() + clusters.size());
  const int region_column = ranking.Column("region"), score_column = ranking.Column("score");
  std::map<std::string, double> score;
  for (size_t i = 0; i < ranking.rows.size(); ++i) {
    const index::CsvRow& row = ranking.rows[i];
    const bool cluster = i >= regions.size();
    const sv1::RankingEntry& e = cluster ? clusters[i - regions.size()] : regions[i];
    EXPECT_EQ(row.fields[ranking.Column("unit")], cluster ? "cluster" : "region");
    EXPECT_EQ(row.fields[region_column], e.region_code());
    ASSERT_TRUE(absl::SimpleAtod(row.fields[score_column], &score[e.region_code()]));
    EXPECT_EQ(row.fields[ranking.Column("sources")], "network;synthetic");
  }
  // Published form: a circle's score is the sum of its members' (Sichuan
  // + Chongqing), to the last bits of rounding.
  EXPECT_NEAR(score["CN-CY"], score["CN-SC"] + score["CN-CQ"], 1e-9);
  // One column per dimension (the composite's children), each holding the
  // run's score: in the published form the dimensions sum to the composite.
  const std::vector<std::string> fixed = {"unit", "rank", "region", "name", "score", "tier"};
  ASSERT_GT(ranking.header.size(), fixed.size() + 1);
  for (const index::CsvRow& row : ranking.rows) {
    double sum = 0;
    for (size_t c = fixed.size(); c + 1 < ranking.header.size(); ++c) {
      double v = 0;
      ASSERT_TRUE(absl::SimpleAtod(row.fields[c], &v)) << ranking.header[c];
      sum += v;
    }
    EXPECT_NEAR(sum, score[row.fields[region_column]], 1e-9) << row.fields[region_column];
  }

  const std::string ranking_json = out + "/ranking.json";
  ASSERT_TRUE(
      RunCommand("/usr/bin/python3 -m json.tool '" + ranking_json + "' >/dev/null", &code).ok());
  EXPECT_EQ(code, 0) << "not strict JSON: " << ranking_json;
  std::optional<JsonValue> doc = ParseJson(ReadFile(ranking_json));
  ASSERT_TRUE(doc.has_value());
  EXPECT_TRUE(doc->At("synthetic").boolean);
  EXPECT_EQ(doc->At("run").string, state_->run_id);
  ASSERT_EQ(doc->At("regions").array.size(), regions.size());
  EXPECT_EQ(doc->At("regions").array[0].At("region").string, regions[0].region_code());
  EXPECT_EQ(doc->At("clusters").array.size(), 3u);
}

// The HTML report of the same run: the ranking table holds `innoscope
// ranking`'s numbers (scores to the report's 2 decimals), each circle's
// score is the sum of its members' scores, the network's 2022 nodes and
// edges and the top degree are those counted from relations.csv.
TEST_F(DemoTest, HtmlReportTablesEqualTheRankingAndTheCountedNetwork) {
  const std::string out = state_->dir + "/html";
  const std::string printed = CliOk(absl::StrCat(
      "report --format html --framework ", kFramework, " --period ", kPeriod, " --relation_set ",
      kRelationSet, " --clusters --regions CN-BJ --out '", out, "'"));
  EXPECT_THAT(printed, HasSubstr("synthetic=true"));
  const std::string html = ReadFile(out + "/index.html");
  pugi::xml_document page;
  ASSERT_TRUE(LoadReportPage(html, page));
  EXPECT_THAT(html, HasSubstr("SYNTHETIC DATA"));

  int code = -1;
  const index::CsvTable ranking = Table(
      Cli(absl::StrCat("ranking --framework ", kFramework, " --period ", kPeriod, " --format csv"),
          &code));
  ASSERT_EQ(code, 0);
  const auto shown = HtmlTable(page, "ranking");
  ASSERT_EQ(shown.size(), ranking.rows.size() + 1);
  EXPECT_EQ(std::vector<std::string>(shown[0].begin(), shown[0].begin() + 5),
            (std::vector<std::string>{"rank", "code", "region", "score", "tier"}));
  std::map<std::string, double> score;
  for (size_t i = 0; i < ranking.rows.size(); ++i) {
    const std::vector<std::string>& want = ranking.rows[i].fields;  // rank,region,name,score,tier
    ASSERT_TRUE(absl::SimpleAtod(want[3], &score[want[1]]));
    EXPECT_EQ(shown[i + 1][0], want[0]);
    EXPECT_EQ(shown[i + 1][1], want[1]);
    EXPECT_EQ(shown[i + 1][2], want[2]);
    EXPECT_EQ(shown[i + 1][3], absl::StrFormat("%.2f", score[want[1]])) << want[1];
    EXPECT_EQ(shown[i + 1][4], want[4]);
  }
  // The circle table: "rank (score)", the score the sum of the members'.
  const auto circles = HtmlTable(page, "clusters");
  ASSERT_EQ(circles.size(), 4u);
  for (size_t i = 1; i < circles.size(); ++i) {
    double sum = 0;
    for (absl::string_view member : absl::StrSplit(circles[i][1], ' ')) {
      ASSERT_TRUE(score.count(std::string(member))) << member;
      sum += score[std::string(member)];
    }
    EXPECT_EQ(circles[i][2], absl::StrFormat("%d (%.2f)", static_cast<int>(i), sum))
        << circles[i][0];
  }
  // The network, counted from the generated relations.
  const Counted counted = CountRelations();
  const auto stats = HtmlTable(page, "network_statistics");
  ASSERT_EQ(stats.size(), 10u);  // header + 2014..2022
  EXPECT_EQ(stats.back()[0], absl::StrCat(kPeriod));
  EXPECT_EQ(stats.back()[1], absl::StrCat(counted.actors.size()));
  EXPECT_EQ(stats.back()[2], absl::StrCat(counted.pairs.size()));
  const auto top = HtmlTable(page, "top_degree");
  ASSERT_EQ(top.size(), 21u);
  EXPECT_EQ(top[1][4], absl::StrCat(counted.max_degree));
  for (const char* chart :
       {"composite_ranking", "radar_cn_bj", "radar_cn_yrd", "degree_distribution", "od_matrix",
        "category_shares", "network_layout"}) {
    EXPECT_TRUE(Exists(absl::StrCat(out, "/charts/", chart, ".svg"))) << chart;
  }
}

// An uncertainty analysis of the run (scoring ComputeUncertainty, called
// here) in the report: data/rank_intervals.csv holds GetUncertainty's
// intervals to the report's 2 decimals, data/sensitivity.csv one row per
// factor, and both charts are drawn.
TEST_F(DemoTest, HtmlReportDrawsTheRunsUncertaintyAnalysis) {
  auto scoring = sv1::ScoringService::NewStub(state_->scoring->Channel());
  sv1::ComputeUncertaintyRequest request;
  request.set_run_id(state_->run_id);
  sv1::WeightPerturbation* weights = request.mutable_assumptions()->add_weights();
  weights->set_level(1);
  weights->set_fraction(0.25);
  request.mutable_assumptions()->set_outlier_treatment(true);
  request.set_replicates(100);
  request.set_sensitivity_samples(16);
  request.set_bootstrap(0);
  request.set_seed(7);
  grpc::ClientContext context;
  sv1::ComputeUncertaintyResponse response;
  grpc::Status status = scoring->ComputeUncertainty(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const sv1::Uncertainty& u = response.uncertainty();
  ASSERT_EQ(u.regions_size(), 31);

  const std::string out = state_->dir + "/html-uncertainty";
  CliOk(absl::StrCat("report --format html --framework ", kFramework, " --period ", kPeriod,
                     " --relation_set none --uncertainty ", u.id(), " --out '", out, "'"));
  const index::CsvTable intervals = Table(ReadFile(out + "/data/rank_intervals.csv"));
  ASSERT_EQ(intervals.rows.size(), static_cast<size_t>(u.regions_size()));
  for (int i = 0; i < u.regions_size(); ++i) {
    const sv1::RegionRankInterval& r = u.regions(i);
    const std::vector<std::string>& row = intervals.rows[static_cast<size_t>(i)].fields;
    EXPECT_EQ(row[0], r.region_code());
    EXPECT_EQ(row[2], absl::StrCat(r.nominal_rank()));
    EXPECT_EQ(row[3], absl::StrFormat("%.2f", r.median_rank()));
    EXPECT_EQ(row[4], absl::StrFormat("%.2f", r.p05_rank()));
    EXPECT_EQ(row[5], absl::StrFormat("%.2f", r.p95_rank()));
  }
  const index::CsvTable sensitivity = Table(ReadFile(out + "/data/sensitivity.csv"));
  ASSERT_EQ(sensitivity.rows.size(), static_cast<size_t>(u.sensitivity_size()));
  for (int i = 0; i < u.sensitivity_size(); ++i) {
    EXPECT_EQ(sensitivity.rows[static_cast<size_t>(i)].fields[0], u.sensitivity(i).factor());
  }
  EXPECT_TRUE(Exists(out + "/charts/rank_intervals.svg"));
  EXPECT_TRUE(Exists(out + "/charts/sensitivity.svg"));
  EXPECT_FALSE(Exists(out + "/charts/network_layout.svg"));  // --relation_set none
}

}  // namespace
}  // namespace innoscope::testing
