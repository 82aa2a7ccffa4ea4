// Fault tests of server streams and connections, against real service
// processes and the shared PostgreSQL fixture:
// - stalled readers: twice the pool size of ReadObservations streams whose
//   clients read nothing hold no connection and no transaction, unary calls
//   of the same service stay prompt, readiness stays honest, the streams are
//   cut after --stream_write_timeout_seconds;
// - the same for scoring's ExportRun (paged run results) and network's
//   ComputeCentralities (a result held in memory);
// - a paged stream reads one snapshot while a writer changes every row;
// - --max_connection_age_seconds never cuts a running call (no grace limit
//   by default; with --max_connection_age_grace_seconds it does);
// - SIGTERM with idle clients (a health Watch, a plain channel, the other
//   services' upstream channels) exits 0 within the drain + 2 s.
// Each test ends by checking that nothing was lost or duplicated (row count
// and value sum against the input) and that every service is SERVING.

#include <signal.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

using ingest::v1::IngestService;

// The input: 50 regions x 2 indicators x 200 periods = 20,000 observations
// (more than one 5,000-row chunk of the old cursor reads),
// value = 1000 * region + 10 * period + indicator (distinct integers, so
// the sum is exact and a lost or repeated row changes it).
constexpr int kRegions = 50;
constexpr int kPeriods = 200;
constexpr int kFirstPeriod = 1900;
constexpr int kRows = kRegions * 2 * kPeriods;
const char* const kIndicators[] = {"gdp", "firms"};

double ValueOf(int region, int period, int indicator, double offset) {
  return 1000.0 * region + 10.0 * period + indicator + offset;
}

// Sum of every value of the input with `offset` added to each.
double InputSum(double offset) {
  double sum = 0;
  for (int r = 0; r < kRegions; ++r) {
    for (int p = kFirstPeriod; p < kFirstPeriod + kPeriods; ++p) {
      for (int i = 0; i < 2; ++i) sum += ValueOf(r, p, i, offset);
    }
  }
  return sum;
}

std::string RegionCode(int r) { return absl::StrCat("R", r); }

// What a full read returned: rows, distinct keys, value sum, final status.
struct ReadResult {
  int rows = 0;
  std::set<std::tuple<std::string, std::string, int>> keys;
  double sum = 0;
  int messages = 0;
  grpc::Status status;
};

void Add(const ingest::v1::ReadObservationsResponse& message, ReadResult& out) {
  ++out.messages;
  for (const auto& s : message.observations()) {
    ++out.rows;
    out.sum += s.observation().value();
    out.keys.insert({s.observation().indicator_code(), s.observation().region_code(),
                     s.observation().period()});
  }
}

// Reads every observation (of `request`), sleeping `pause` after each message.
ReadResult ReadAll(const std::shared_ptr<grpc::Channel>& channel,
                   absl::Duration pause = absl::ZeroDuration(),
                   const ingest::v1::ReadObservationsRequest& request = {}) {
  auto stub = IngestService::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  auto reader = stub->ReadObservations(&ctx, request);
  ReadResult out;
  ingest::v1::ReadObservationsResponse message;
  while (reader->Read(&message)) {
    Add(message, out);
    absl::SleepFor(pause);
  }
  out.status = reader->Finish();
  return out;
}

// Nothing lost, nothing repeated: every key once, the input's value sum.
void ExpectExactlyTheInput(const ReadResult& read, double offset) {
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  EXPECT_EQ(read.rows, kRows);
  EXPECT_EQ(read.keys.size(), static_cast<size_t>(kRows));
  EXPECT_DOUBLE_EQ(read.sum, InputSum(offset));
}

void ExpectServing(const ServiceProcess& service) {
  EXPECT_EQ(HealthOf(service.Channel(), ""), "SERVING");
  EXPECT_EQ(HealthOf(service.Channel(), "readiness"), "SERVING");
}

// Regions, the two indicators, and the observations with `offset` added to
// every value, in batches of 1,000.
void Seed(const std::shared_ptr<grpc::Channel>& channel, double offset, bool catalogue) {
  auto stub = IngestService::NewStub(channel);
  if (catalogue) {
    ingest::v1::UpsertRegionsRequest regions;
    for (int r = 0; r < kRegions; ++r) {
      auto* region = regions.add_regions();
      region->set_code(RegionCode(r));
      region->set_name(RegionCode(r));
      region->set_kind(ingest::v1::REGION_KIND_PROVINCE);
    }
    grpc::ClientContext c1;
    ingest::v1::UpsertRegionsResponse r1;
    ASSERT_TRUE(stub->UpsertRegions(&c1, regions, &r1).ok());
    ingest::v1::UpsertIndicatorsRequest indicators;
    for (const char* code : kIndicators) {
      auto* indicator = indicators.add_indicators();
      indicator->set_code(code);
      indicator->set_name(code);
      indicator->set_unit("100m yuan");
    }
    grpc::ClientContext c2;
    ingest::v1::UpsertIndicatorsResponse r2;
    grpc::Status s = stub->UpsertIndicators(&c2, indicators, &r2);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  grpc::ClientContext ctx;
  auto stream = stub->WriteObservations(&ctx);
  ingest::v1::WriteObservationsRequest batch;
  auto flush = [&] {
    batch.set_batch_id(absl::StrCat("seed-", offset, "-", batch.observations(0).region_code(), "-",
                                    batch.observations(0).indicator_code()));
    ingest::v1::WriteObservationsResponse response;
    if (!stream->Write(batch) || !stream->Read(&response)) {
      FAIL() << "seed: " << stream->Finish().error_message();
    }
    batch.Clear();
  };
  for (int r = 0; r < kRegions; ++r) {
    for (int i = 0; i < 2; ++i) {
      for (int p = kFirstPeriod; p < kFirstPeriod + kPeriods; ++p) {
        auto* o = batch.add_observations();
        o->set_region_code(RegionCode(r));
        o->set_indicator_code(kIndicators[i]);
        o->set_period(p);
        o->set_value(ValueOf(r, p, i, offset));
      }
      flush();
    }
  }
  stream->WritesDone();
  grpc::Status s = stream->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
}

// A channel of its own whose flow-control window stays at HTTP/2's 64 KiB
// (no BDP probing), so a client that reads nothing blocks the server's
// writes after a few messages.
std::shared_ptr<grpc::Channel> SmallWindowChannel(const std::string& address, int id) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt("innoscope.test.channel_id", id);  // no subchannel sharing
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

// One psql answer from the administrator URL.
std::string Psql(const std::string& url, const std::string& sql) {
  int code = 0;
  auto out = RunCommand(absl::StrCat("psql '", url, "' -qtAc \"", sql, "\""), &code);
  EXPECT_TRUE(out.ok() && code == 0) << (out.ok() ? *out : out.status().ToString());
  return out.ok() ? std::string(absl::StripAsciiWhitespace(*out)) : "";
}

// Sessions of ingest's role in the database, by state.
std::string IngestSessions(const std::string& url, const std::string& state) {
  return Psql(url, absl::StrCat("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                "current_database() AND usename LIKE '%ingest%' AND state = '",
                                state, "'"));
}

// The watchdog's log line (the RPC's own line has a longer message).
constexpr char kCutLine[] = "stream cut: the client read nothing\"";

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class StreamsFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    pg_ = std::move(*pg);
  }
  std::unique_ptr<PostgresServer> pg_;
};

// Pool of 4, 8 stalled readers. Before paging, each stalled stream held a
// pooled connection inside an open transaction: the fifth stream and every
// unary call waited for a connection and got RESOURCE_EXHAUSTED after the
// pool's 10 s acquire timeout (here: DEADLINE_EXCEEDED after 3 s).
TEST_F(StreamsFaultTest, StalledReadersHoldNoConnectionAndUnaryCallsStayPrompt) {
  auto url = pg_->CreateDatabase("stalled");
  ASSERT_TRUE(url.ok()) << url.status();
  // Set through the environment (INNOSCOPE_<FLAG>), so the same test can
  // run against a build without these flags and show the old failure.
  auto ingest = ServiceProcess::Start("ingest", {},
                                      {{"DATABASE_URL", *url},
                                       {"INNOSCOPE_DB_POOL_SIZE", "4"},
                                       {"INNOSCOPE_STREAM_PAGE_ROWS", "100"},
                                       {"INNOSCOPE_STREAM_WRITE_TIMEOUT_SECONDS", "6"}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  Seed((*ingest)->Channel(), 0, true);

  constexpr int kStalled = 8;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<ingest::v1::ReadObservationsResponse>>> readers;
  for (int i = 0; i < kStalled; ++i) {
    channels.push_back(SmallWindowChannel((*ingest)->grpc_address(), i));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(
        IngestService::NewStub(channels.back())->ReadObservations(contexts.back().get(), {}));
  }
  // Each stream's first message arrives (so every handler runs); the
  // clients then read nothing more.
  for (auto& reader : readers) {
    ingest::v1::ReadObservationsResponse first;
    ASSERT_TRUE(reader->Read(&first));
  }
  absl::SleepFor(absl::Seconds(1));  // the handlers fill the windows and block

  // While all eight are stalled: unary calls answer within their deadline,
  // no ingest session sits in an open transaction, readiness says SERVING.
  auto stub = IngestService::NewStub((*ingest)->Channel());
  for (int i = 0; i < 10; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    ingest::v1::ListRegionsResponse regions;
    grpc::Status s = stub->ListRegions(&ctx, {}, &regions);
    ASSERT_TRUE(s.ok()) << "unary call " << i << ": " << s.error_message();
    EXPECT_EQ(regions.regions_size(), kRegions);
  }
  EXPECT_EQ(IngestSessions(*url, "idle in transaction"), "0");
  EXPECT_EQ(IngestSessions(*url, "active"), "0");
  ExpectServing(**ingest);
  // A full read by a client that reads still completes alongside them.
  ExpectExactlyTheInput(ReadAll((*ingest)->Channel()), 0);

  // The watchdog cuts the stalled streams; their clients then get the
  // buffered messages and an error, not the whole table.
  ASSERT_TRUE(
      WaitFor([&] { return CountOf((*ingest)->Log(), kCutLine) >= kStalled; }, absl::Seconds(30))
          .ok())
      << (*ingest)->Log();
  for (int i = 0; i < kStalled; ++i) {
    ReadResult partial;
    ingest::v1::ReadObservationsResponse message;
    while (readers[i]->Read(&message)) Add(message, partial);
    grpc::Status s = readers[i]->Finish();
    EXPECT_FALSE(s.ok()) << "stalled reader " << i;
    EXPECT_LT(partial.rows, kRows) << "stalled reader " << i;
  }
  EXPECT_NE((*ingest)->Log().find("--stream_write_timeout_seconds"), std::string::npos);

  // The connections came back: nothing open, the data intact, SERVING.
  EXPECT_EQ(IngestSessions(*url, "idle in transaction"), "0");
  ExpectExactlyTheInput(ReadAll((*ingest)->Channel()), 0);
  ExpectServing(**ingest);
}

// A chain of kActors enterprises, a_0 -> a_1 -> ... (cooperation, 2020),
// written to ingest's default relation set.
constexpr int kActors = 20000;

void SeedChain(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = IngestService::NewStub(channel);
  grpc::ClientContext c1;
  auto actors = stub->UpsertActors(&c1);
  ingest::v1::UpsertActorsRequest a;
  a.set_batch_id("chain-actors");
  for (int i = 0; i < kActors; ++i) {
    ingest::v1::Actor* actor = a.add_actors();
    actor->set_code(absl::StrCat("a", i));
    actor->set_name(absl::StrCat("Actor ", i));
    actor->set_kind(ingest::v1::ACTOR_KIND_ENTERPRISE);
  }
  ingest::v1::UpsertActorsResponse ar;
  ASSERT_TRUE(actors->Write(a) && actors->Read(&ar)) << actors->Finish().error_message();
  actors->WritesDone();
  ASSERT_TRUE(actors->Finish().ok());
  grpc::ClientContext c2;
  auto relations = stub->WriteRelations(&c2);
  ingest::v1::WriteRelationsRequest r;
  r.set_batch_id("chain-relations");
  for (int i = 0; i + 1 < kActors; ++i) {
    ingest::v1::Relation* relation = r.add_relations();
    relation->set_source_code(absl::StrCat("a", i));
    relation->set_target_code(absl::StrCat("a", i + 1));
    relation->set_type("cooperation");
    relation->set_period(2020);
  }
  ingest::v1::WriteRelationsResponse rr;
  ASSERT_TRUE(relations->Write(r) && relations->Read(&rr)) << relations->Finish().error_message();
  relations->WritesDone();
  ASSERT_TRUE(relations->Finish().ok());
}

network::v1::ComputeCentralitiesRequest DegreeRequest() {
  network::v1::ComputeCentralitiesRequest request;
  request.mutable_selection()->mutable_periods()->set_up_to(2022);
  request.add_measures(network::v1::MEASURE_DEGREE);
  return request;
}

// Network's ComputeCentralities streams a result held in memory: stalled
// readers (twice the pool) hold no connection and are cut after the write
// timeout; network's unary calls stay prompt meanwhile.
TEST_F(StreamsFaultTest, StalledCentralityReadersAreCutAndNetworkStaysPrompt) {
  auto url = pg_->CreateDatabase("stallednet");
  ASSERT_TRUE(url.ok()) << url.status();
  auto ingest = ServiceProcess::Start("ingest", {}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  SeedChain((*ingest)->Channel());
  auto network =
      ServiceProcess::Start("network",
                            {absl::StrCat("--ingest_address=", (*ingest)->grpc_address()),
                             "--db_pool_size=2", "--stream_write_timeout_seconds=5"},
                            {{"DATABASE_URL", *url}});
  ASSERT_TRUE(network.ok()) << network.status();

  constexpr int kStalled = 4;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<network::v1::ComputeCentralitiesResponse>>>
      readers;
  for (int i = 0; i < kStalled; ++i) {
    channels.push_back(SmallWindowChannel((*network)->grpc_address(), 300 + i));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(network::v1::NetworkService::NewStub(channels.back())
                          ->ComputeCentralities(contexts.back().get(), DegreeRequest()));
  }
  for (auto& reader : readers) {
    network::v1::ComputeCentralitiesResponse head;
    ASSERT_TRUE(reader->Read(&head));  // the head: computed and recorded
  }
  absl::SleepFor(absl::Seconds(1));
  auto stub = network::v1::NetworkService::NewStub((*network)->Channel());
  for (int i = 0; i < 10; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    network::v1::ListRunsResponse runs;
    grpc::Status s = stub->ListRuns(&ctx, {}, &runs);
    ASSERT_TRUE(s.ok()) << "unary call " << i << ": " << s.error_message();
  }
  ExpectServing(**network);
  ASSERT_TRUE(
      WaitFor([&] { return CountOf((*network)->Log(), kCutLine) >= kStalled; }, absl::Seconds(30))
          .ok())
      << (*network)->Log();
  for (int i = 0; i < kStalled; ++i) {
    network::v1::ComputeCentralitiesResponse message;
    while (readers[i]->Read(&message)) {
    }
    EXPECT_FALSE(readers[i]->Finish().ok()) << "stalled reader " << i;
  }

  // A reader that reads gets every node once; the chain's total degrees
  // sum to twice its 19,999 edges (by hand: 2 ends of degree 1, 19,998
  // inner nodes of degree 2).
  grpc::ClientContext ctx;
  auto reader = stub->ComputeCentralities(&ctx, DegreeRequest());
  network::v1::ComputeCentralitiesResponse message;
  std::set<std::string> codes;
  int nodes = 0;
  double degree_sum = 0;
  while (reader->Read(&message)) {
    for (const auto& node : message.nodes()) {
      ++nodes;
      codes.insert(node.node().code());
      degree_sum += node.values(0);
    }
  }
  grpc::Status s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(nodes, kActors);
  EXPECT_EQ(codes.size(), static_cast<size_t>(kActors));
  EXPECT_DOUBLE_EQ(degree_sum, 2.0 * (kActors - 1));
  ExpectServing(**network);
  ExpectServing(**ingest);
}

// A scoring run large enough to fill a stalled client's window: 400
// regions x framework "big" (index -> dim -> 20 leaves, goalposts 0-100),
// period 2020. Its results: 400 x 22 nodes = 8,800 rows.
constexpr int kRunRegions = 400;
constexpr int kLeaves = 20;

std::string SeedRun(const ServiceSet& services) {
  auto ingest = IngestService::NewStub(services.ingest->Channel());
  ingest::v1::UpsertRegionsRequest regions;
  for (int r = 0; r < kRunRegions; ++r) {
    auto* region = regions.add_regions();
    region->set_code(absl::StrCat("P", r));
    region->set_name(absl::StrCat("P", r));
    region->set_kind(ingest::v1::REGION_KIND_PROVINCE);
  }
  grpc::ClientContext c1;
  ingest::v1::UpsertRegionsResponse r1;
  EXPECT_TRUE(ingest->UpsertRegions(&c1, regions, &r1).ok());
  ingest::v1::CreateFrameworkRequest fw;
  fw.set_code("big");
  fw.set_name("big");
  fw.set_weight_convention(ingest::v1::WEIGHT_CONVENTION_LOCAL);
  auto node = [&](const std::string& code, const std::string& parent, int level) {
    auto* n = fw.add_nodes();
    n->set_code(code);
    n->set_name(code);
    n->set_parent_code(parent);
    n->set_level(level);
    n->set_direction(1);
    if (level < 3) n->set_weight(level == 2 ? 1.0 : 1.0 / kLeaves);
    if (level == 1) {
      n->set_goal_min(0);
      n->set_goal_max(100);
      fw.add_indicators()->set_code(code);
    }
  };
  node("index", "", 3);
  node("dim", "index", 2);
  for (int l = 0; l < kLeaves; ++l) node(absl::StrCat("leaf", l), "dim", 1);
  grpc::ClientContext c2;
  ingest::v1::CreateFrameworkResponse r2;
  grpc::Status s = ingest->CreateFramework(&c2, fw, &r2);
  EXPECT_TRUE(s.ok()) << s.error_message();
  grpc::ClientContext c3;
  auto stream = ingest->WriteObservations(&c3);
  ingest::v1::WriteObservationsRequest batch;
  batch.set_batch_id("big-2020");
  for (int r = 0; r < kRunRegions; ++r) {
    for (int l = 0; l < kLeaves; ++l) {
      auto* o = batch.add_observations();
      o->set_region_code(absl::StrCat("P", r));
      o->set_indicator_code(absl::StrCat("leaf", l));
      o->set_period(2020);
      o->set_value((7 * r + 13 * l) % 101);
    }
  }
  ingest::v1::WriteObservationsResponse written;
  EXPECT_TRUE(stream->Write(batch) && stream->Read(&written));
  stream->WritesDone();
  s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  scoring::v1::ComputeScoresRequest request;
  request.mutable_spec()->mutable_framework()->set_code("big");
  request.mutable_spec()->mutable_framework()->set_version(1);
  request.mutable_spec()->set_period(2020);
  request.mutable_spec()->mutable_pipeline()->mutable_normalisation()->set_method(
      scoring::v1::NORMALISATION_METHOD_GOALPOSTS);
  grpc::ClientContext c4;
  scoring::v1::ComputeScoresResponse computed;
  s = scoring::v1::ScoringService::NewStub(services.scoring->Channel())
          ->ComputeScores(&c4, request, &computed);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return computed.run().id();
}

// Scoring's ExportRun pages run_results: stalled readers (twice scoring's
// pool) hold no connection and are cut; scoring's unary calls stay prompt.
TEST_F(StreamsFaultTest, StalledExportReadersAreCutAndScoringStaysPrompt) {
  auto url = pg_->CreateDatabase("stalledexport");
  ASSERT_TRUE(url.ok()) << url.status();
  auto services = StartServices({{"DATABASE_URL", *url},
                                 {"INNOSCOPE_DB_POOL_SIZE", "2"},
                                 {"INNOSCOPE_STREAM_PAGE_ROWS", "100"},
                                 {"INNOSCOPE_STREAM_WRITE_TIMEOUT_SECONDS", "5"}},
                                {"weighting", "scoring"});
  ASSERT_TRUE(services.ok()) << services.status();
  const std::string run_id = SeedRun(*services);
  ASSERT_FALSE(run_id.empty());
  scoring::v1::ExportRunRequest request;
  request.set_run_id(run_id);

  constexpr int kStalled = 4;
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<scoring::v1::ExportRunResponse>>> readers;
  for (int i = 0; i < kStalled; ++i) {
    channels.push_back(SmallWindowChannel(services->scoring->grpc_address(), 400 + i));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(scoring::v1::ScoringService::NewStub(channels.back())
                          ->ExportRun(contexts.back().get(), request));
  }
  for (auto& reader : readers) {
    scoring::v1::ExportRunResponse first;
    ASSERT_TRUE(reader->Read(&first));
  }
  absl::SleepFor(absl::Seconds(1));
  auto stub = scoring::v1::ScoringService::NewStub(services->scoring->Channel());
  for (int i = 0; i < 10; ++i) {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
    scoring::v1::ListRunsResponse runs;
    grpc::Status s = stub->ListRuns(&ctx, {}, &runs);
    ASSERT_TRUE(s.ok()) << "unary call " << i << ": " << s.error_message();
    EXPECT_EQ(runs.runs_size(), 1);
  }
  ExpectServing(*services->scoring);
  ASSERT_TRUE(WaitFor([&] { return CountOf(services->scoring->Log(), kCutLine) >= kStalled; },
                      absl::Seconds(30))
                  .ok())
      << services->scoring->Log();
  for (int i = 0; i < kStalled; ++i) {
    scoring::v1::ExportRunResponse message;
    while (readers[i]->Read(&message)) {
    }
    EXPECT_FALSE(readers[i]->Finish().ok()) << "stalled reader " << i;
  }

  // A reader that reads gets every (region, node) once: 400 x 22.
  grpc::ClientContext ctx;
  auto reader = stub->ExportRun(&ctx, request);
  scoring::v1::ExportRunResponse message;
  std::set<std::pair<std::string, std::string>> keys;
  int rows = 0;
  while (reader->Read(&message)) {
    for (const auto& row : message.rows()) {
      ++rows;
      keys.insert({row.region_code(), row.node_code()});
    }
  }
  grpc::Status s = reader->Finish();
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(rows, kRunRegions * (kLeaves + 2));
  EXPECT_EQ(keys.size(), static_cast<size_t>(kRunRegions * (kLeaves + 2)));
  ExpectServing(*services->scoring);
  ExpectServing(*services->ingest);
  ExpectServing(*services->weighting);
}

// Pages are read in separate transactions; the stream still shows the
// state at its start. A reader takes one message, a writer then changes
// every value (+0.5), and the rest of the stream still has the old values.
TEST_F(StreamsFaultTest, PagedStreamReadsOneSnapshotWhileAWriterChangesEveryRow) {
  auto url = pg_->CreateDatabase("snapshot");
  ASSERT_TRUE(url.ok()) << url.status();
  auto ingest =
      ServiceProcess::Start("ingest", {"--stream_page_rows=100"}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  Seed((*ingest)->Channel(), 0, true);

  auto channel = SmallWindowChannel((*ingest)->grpc_address(), 100);
  auto stub = IngestService::NewStub(channel);
  grpc::ClientContext ctx;
  auto reader = stub->ReadObservations(&ctx, {});
  ReadResult during;
  ingest::v1::ReadObservationsResponse message;
  ASSERT_TRUE(reader->Read(&message));
  Add(message, during);
  Seed((*ingest)->Channel(), 0.5, false);
  while (reader->Read(&message)) Add(message, during);
  during.status = reader->Finish();
  // 200 pages of 100 rows: most were read after the write committed.
  EXPECT_GT(during.messages, 150);
  ExpectExactlyTheInput(during, 0);
  // A stream started afterwards sees the new values, each key once.
  ExpectExactlyTheInput(ReadAll((*ingest)->Channel()), 0.5);
  ExpectServing(**ingest);
}

// A write is visible to the next read even while another session of the
// service's role holds a transaction open that began before the write: only
// writers in flight bound a read's snapshot (TakeSnapshot), not readers.
TEST_F(StreamsFaultTest, ACommittedWriteIsReadWhileAnotherSessionHoldsAReadTransaction) {
  auto url = pg_->CreateDatabase("read_your_writes");
  ASSERT_TRUE(url.ok()) << url.status();
  auto ingest = ServiceProcess::Start("ingest", {}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  Seed((*ingest)->Channel(), 0, true);
  // The service's own role, a transaction left open.
  pqxx::connection other(RoleUrl(*url, "ingest"));
  pqxx::work held(other);
  held.exec("SELECT 1");
  Seed((*ingest)->Channel(), 0.5, false);
  ExpectExactlyTheInput(ReadAll((*ingest)->Channel()), 0.5);
  held.commit();
  ExpectServing(**ingest);
}

// A read by indicator list over many pages: each page lists only the
// indicators from the last key on (libs/storage/paged_read.h); still every
// key once with its exact value, values only.
TEST_F(StreamsFaultTest, PagedReadByIndicatorListReturnsEveryKeyOnce) {
  auto url = pg_->CreateDatabase("by_indicator");
  ASSERT_TRUE(url.ok()) << url.status();
  auto ingest =
      ServiceProcess::Start("ingest", {"--stream_page_rows=100"}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  Seed((*ingest)->Channel(), 0, true);
  ingest::v1::ReadObservationsRequest request;
  for (const char* code : kIndicators) request.add_indicator_codes(code);
  request.set_values_only(true);
  ReadResult read = ReadAll((*ingest)->Channel(), absl::ZeroDuration(), request);
  EXPECT_EQ(read.messages, kRows / 100);  // 200 pages of 100 rows
  ExpectExactlyTheInput(read, 0);
  // One indicator: its half of the rows.
  request.clear_indicator_codes();
  request.add_indicator_codes("firms");
  ReadResult firms = ReadAll((*ingest)->Channel(), absl::ZeroDuration(), request);
  ASSERT_TRUE(firms.status.ok()) << firms.status.error_message();
  EXPECT_EQ(firms.rows, kRows / 2);
  EXPECT_EQ(firms.keys.size(), static_cast<size_t>(kRows / 2));
  ExpectServing(**ingest);
}

// A stream that runs ~4 s on a connection whose max age is 1 s completes:
// the age only stops new calls on the connection. With a 1 s grace the
// same stream is cut, which shows the test would see a cut.
TEST_F(StreamsFaultTest, MaxConnectionAgeNeverCutsARunningCall) {
  auto url = pg_->CreateDatabase("age");
  ASSERT_TRUE(url.ok()) << url.status();
  auto ingest =
      ServiceProcess::Start("ingest", {"--max_connection_age_seconds=1", "--stream_page_rows=1000"},
                            {{"DATABASE_URL", *url}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  Seed((*ingest)->Channel(), 0, true);
  // 20 pages of 1,000 rows, 200 ms apart: about 4 s.
  ReadResult slow =
      ReadAll(SmallWindowChannel((*ingest)->grpc_address(), 200), absl::Milliseconds(200));
  ExpectExactlyTheInput(slow, 0);

  auto graced =
      ServiceProcess::Start("ingest",
                            {"--max_connection_age_seconds=1",
                             "--max_connection_age_grace_seconds=1", "--stream_page_rows=1000"},
                            {{"DATABASE_URL", *url}});
  ASSERT_TRUE(graced.ok()) << graced.status();
  ReadResult cut =
      ReadAll(SmallWindowChannel((*graced)->grpc_address(), 201), absl::Milliseconds(200));
  EXPECT_FALSE(cut.status.ok());
  EXPECT_LT(cut.rows, kRows);

  ExpectExactlyTheInput(ReadAll((*ingest)->Channel()), 0);
  ExpectServing(**ingest);
  ExpectServing(**graced);
}

// Opens the idle clients of a cluster on `target`: a health Watch, a plain
// channel, and (through `upstream_users`' GetServiceInfo, which checks their
// upstreams' health) the other services' upstream channels.
class IdleClients {
 public:
  explicit IdleClients(const ServiceProcess& target) {
    plain_ = grpc::CreateChannel(target.grpc_address(), grpc::InsecureChannelCredentials());
    EXPECT_TRUE(plain_->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(5))));
    health_ = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(target.grpc_address(), grpc::InsecureChannelCredentials()));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("readiness");
    watch_ = health_->Watch(&watch_ctx_, request);
    grpc::health::v1::HealthCheckResponse first;
    EXPECT_TRUE(watch_->Read(&first));
    EXPECT_EQ(first.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  ~IdleClients() { watch_ctx_.TryCancel(); }

 private:
  std::shared_ptr<grpc::Channel> plain_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  grpc::ClientContext watch_ctx_;
  std::unique_ptr<grpc::ClientReader<grpc::health::v1::HealthCheckResponse>> watch_;
};

// Stops `process` with SIGTERM and returns how long it took to exit 0.
absl::Duration StopAndTime(ServiceProcess& process) {
  const absl::Time start = absl::Now();
  process.Signal(SIGTERM);
  absl::StatusOr<int> code = process.WaitExit(absl::Seconds(60));
  EXPECT_TRUE(code.ok()) << code.status();
  if (code.ok()) {
    EXPECT_EQ(*code, 0);
  }
  return absl::Now() - start;
}

// Before, ingest took 18.8-19 s to stop after SIGTERM with a 5 s drain when
// a client merely held a channel; Shutdown waited for the health Watch (the
// whole 20 s grace) and for idle connections to answer the GOAWAY's ping.
TEST_F(StreamsFaultTest, IdleClientsDoNotHoldShutdownPastTheDrain) {
  auto url = pg_->CreateDatabase("idle");
  ASSERT_TRUE(url.ok()) << url.status();
  const absl::Duration drain = absl::Seconds(2);
  auto services = StartServices({{"DATABASE_URL", *url}, {"INNOSCOPE_DRAIN_SECONDS", "2"}},
                                {"weighting", "network", "scoring"});
  ASSERT_TRUE(services.ok()) << services.status();
  Seed(services->ingest->Channel(), 0, true);
  // Each service's GetServiceInfo checks its upstreams' health: weighting,
  // network and scoring now hold connected channels to ingest, scoring one
  // to weighting.
  {
    grpc::ClientContext c1, c2, c3;
    weighting::v1::GetServiceInfoResponse r1;
    network::v1::GetServiceInfoResponse r2;
    scoring::v1::GetServiceInfoResponse r3;
    ASSERT_TRUE(weighting::v1::WeightingService::NewStub(services->weighting->Channel())
                    ->GetServiceInfo(&c1, {}, &r1)
                    .ok());
    ASSERT_TRUE(network::v1::NetworkService::NewStub(services->network->Channel())
                    ->GetServiceInfo(&c2, {}, &r2)
                    .ok());
    ASSERT_TRUE(scoring::v1::ScoringService::NewStub(services->scoring->Channel())
                    ->GetServiceInfo(&c3, {}, &r3)
                    .ok());
    for (const auto& upstream : r3.info().upstreams()) EXPECT_TRUE(upstream.serving());
  }
  {
    IdleClients idle(*services->weighting);
    EXPECT_LE(StopAndTime(*services->weighting), drain + absl::Seconds(2));
  }
  {
    IdleClients idle(*services->ingest);
    EXPECT_LE(StopAndTime(*services->ingest), drain + absl::Seconds(2));
  }

  // Restarted on the same database: the data is intact and it serves.
  auto ingest = ServiceProcess::Start("ingest", {}, {{"DATABASE_URL", *url}});
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  ExpectExactlyTheInput(ReadAll((*ingest)->Channel()), 0);
  ExpectServing(**ingest);
  ExpectServing(*services->network);
  ExpectServing(*services->scoring);
}

}  // namespace
}  // namespace innoscope::testing
