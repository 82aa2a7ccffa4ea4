// Network computations at size, with real processes: ingest and network on
// the shared PostgreSQL, the network service started with small size
// limits (--exact_max_nodes=100, --exact_cap_nodes=300 ...), a generated
// relation set of 400 actors and 1,200 relations above both:
//   - statistics come back sampled and say why (PathStats.method_reason);
//   - an explicit exact request is FAILED_PRECONDITION naming the size and
//     the flag, and records no run;
//   - `innoscope network` with a deadline too short for a long computation
//     (sampled betweenness at epsilon 1e-4), and with the service frozen
//     (SIGSTOP) for a unary call, prints the deadline it used and the flag
//     to raise, never gRPC's bare text, and exits 1;
// and ends with both services SERVING and the relation set as written
// (actor and relation counts, a checksum of every relation's key).

#include <signal.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "tests/integration/harness.h"

namespace innoscope::testing {
namespace {

namespace iv1 = ::innoscope::ingest::v1;
namespace nv1 = ::innoscope::network::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kActors = 400;
constexpr char kSet[] = "big";
// Three relation families, each of a type of its own so their keys never
// collide: i -> i+1, i -> 7i+3, i -> 13i+5 (mod 400).
constexpr const char* kTypes[] = {"cooperation", "investment", "technology_empowerment"};
constexpr int kMultipliers[] = {1, 7, 13};
constexpr int kOffsets[] = {1, 3, 5};

std::string ActorCode(int i) { return absl::StrCat("a", 1000 + i); }

// Order-independent checksum of relation keys: the sum of a 64-bit FNV-1a
// hash of "type|source|target|period" per relation (wrapping).
uint64_t KeyHash(const std::string& type, const std::string& source, const std::string& target,
                 int period) {
  uint64_t h = 1469598103934665603ull;
  for (char c : absl::StrCat(type, "|", source, "|", target, "|", period)) {
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  }
  return h;
}

// Reads a server stream to its end, handing each message to `each`;
// whether it finished OK.
template <typename Message, typename Reader, typename Each>
bool ReadToEnd(Reader reader, const Each& each) {
  Message message;
  while (reader->Read(&message)) each(message);
  return reader->Finish().ok();
}

// The integer value of "key": in one JSON log line.
bool JsonInt(absl::string_view line, absl::string_view key, int64_t* value) {
  const std::string needle = absl::StrCat("\"", key, "\":");
  const size_t at = line.find(needle);
  if (at == absl::string_view::npos) return false;
  absl::string_view rest = line.substr(at + needle.size());
  const size_t end = rest.find_first_not_of("-0123456789");
  return absl::SimpleAtoi(rest.substr(0, end), value);
}

class NetworkFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pg = PostgresServer::Shared();
    ASSERT_TRUE(pg.ok()) << pg.status();
    auto url = (*pg)->CreateDatabase("netfault");
    ASSERT_TRUE(url.ok()) << url.status();
    std::map<std::string, std::string> env = {{"DATABASE_URL", *url}};
    auto ingest = ServiceProcess::Start("ingest", {}, env);
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = std::move(*ingest);
    auto network = ServiceProcess::Start(
        "network",
        {absl::StrCat("--ingest_address=", ingest_->grpc_address()), "--exact_max_nodes=100",
         "--exact_max_edges=1000", "--exact_cap_nodes=300", "--exact_cap_edges=3000", "--threads=1",
         "--progress_interval_seconds=1"},
        env);
    ASSERT_TRUE(network.ok()) << network.status();
    network_ = std::move(*network);
    ingest_stub_ = iv1::IngestService::NewStub(ingest_->Channel());
    stub_ = nv1::NetworkService::NewStub(network_->Channel());
    WriteRelationSet();
  }

  void WriteRelationSet() {
    iv1::UpsertActorsRequest actors;
    actors.set_batch_id("actors");
    actors.set_relation_set(kSet);
    for (int i = 0; i < kActors; ++i) {
      iv1::Actor* a = actors.add_actors();
      a->set_code(ActorCode(i));
      a->set_name(ActorCode(i));
      a->set_kind(iv1::ACTOR_KIND_ENTERPRISE);
    }
    grpc::ClientContext c1;
    auto stream = ingest_stub_->UpsertActors(&c1);
    ASSERT_TRUE(stream->Write(actors));
    iv1::UpsertActorsResponse r1;
    ASSERT_TRUE(stream->Read(&r1));
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();

    iv1::WriteRelationsRequest relations;
    relations.set_batch_id("relations");
    relations.set_relation_set(kSet);
    for (int f = 0; f < 3; ++f) {
      for (int i = 0; i < kActors; ++i) {
        iv1::Relation* r = relations.add_relations();
        r->set_source_code(ActorCode(i));
        r->set_target_code(ActorCode((i * kMultipliers[f] + kOffsets[f]) % kActors));
        r->set_type(kTypes[f]);
        r->set_period(2022);
        written_hash_ += KeyHash(r->type(), r->source_code(), r->target_code(), r->period());
      }
    }
    grpc::ClientContext c2;
    auto writer = ingest_stub_->WriteRelations(&c2);
    ASSERT_TRUE(writer->Write(relations));
    iv1::WriteRelationsResponse r2;
    ASSERT_TRUE(writer->Read(&r2));
    writer->WritesDone();
    s = writer->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
    version_ = DataVersion();
  }

  int64_t DataVersion() {
    grpc::ClientContext ctx;
    iv1::GetDataVersionsRequest request;
    request.add_scopes(absl::StrCat("relations:", kSet));
    iv1::GetDataVersionsResponse response;
    EXPECT_TRUE(ingest_stub_->GetDataVersions(&ctx, request, &response).ok());
    return response.versions_size() == 1 ? response.versions(0).version() : -1;
  }

  // Every service alive and ready, and the relation set as written.
  // The network service's log lines that contain every one of `needles`.
  std::vector<std::string> LogLinesWith(std::vector<absl::string_view> needles) const {
    std::vector<std::string> lines;
    for (absl::string_view line : absl::StrSplit(network_->Log(), '\n')) {
      bool all = true;
      for (absl::string_view needle : needles) all = all && absl::StrContains(line, needle);
      if (all) lines.emplace_back(line);
    }
    return lines;
  }

  void ExpectServingAndIntact() {
    for (ServiceProcess* p : {ingest_.get(), network_.get()}) {
      EXPECT_EQ(HealthOf(p->Channel(), ""), "SERVING");
      EXPECT_EQ(HealthOf(p->Channel(), "readiness"), "SERVING");
    }
    int64_t actors = 0, relations = 0;
    uint64_t hash = 0;
    grpc::ClientContext c1, c2;
    iv1::ReadActorsRequest read_actors;
    read_actors.set_relation_set(kSet);
    EXPECT_TRUE(ReadToEnd<iv1::ReadActorsResponse>(
        ingest_stub_->ReadActors(&c1, read_actors),
        [&](const iv1::ReadActorsResponse& m) { actors += m.actors_size(); }));
    iv1::ReadRelationsRequest read_relations;
    read_relations.set_relation_set(kSet);
    EXPECT_TRUE(ReadToEnd<iv1::ReadRelationsResponse>(
        ingest_stub_->ReadRelations(&c2, read_relations), [&](const iv1::ReadRelationsResponse& m) {
          for (const iv1::Relation& r : m.relations()) {
            ++relations;
            hash += KeyHash(r.type(), r.source_code(), r.target_code(), r.period());
          }
        }));
    EXPECT_EQ(actors, kActors);
    EXPECT_EQ(relations, 3 * kActors);
    EXPECT_EQ(hash, written_hash_);
    EXPECT_EQ(DataVersion(), version_);
  }

  static nv1::GraphSelection Big() {
    nv1::GraphSelection s;
    s.set_relation_set(kSet);
    return s;
  }

  std::string Cli(const std::string& args, int* code) {
    const std::string command =
        absl::StrCat(BuildDir(), "/services/cli/innoscope network ", args,
                     " --network_address=", network_->grpc_address(), " 2>&1");
    absl::StatusOr<std::string> out = RunCommand(command, code);
    EXPECT_TRUE(out.ok()) << out.status();
    return out.value_or("");
  }

  std::unique_ptr<ServiceProcess> ingest_, network_;
  std::unique_ptr<iv1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<nv1::NetworkService::Stub> stub_;
  uint64_t written_hash_ = 0;
  int64_t version_ = 0;
};

TEST_F(NetworkFaultTest, AboveTheThresholdStatsAreSampledAndSaySo) {
  nv1::ComputeNetworkStatsRequest request;
  *request.mutable_selection() = Big();
  request.set_skip_communities(true);
  grpc::ClientContext ctx;
  nv1::ComputeNetworkStatsResponse response;
  grpc::Status s = stub_->ComputeNetworkStats(&ctx, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.stats().nodes().total(), kActors);
  EXPECT_FALSE(response.stats().paths().exact());
  EXPECT_GT(response.stats().paths().sources(), 0);
  EXPECT_THAT(response.stats().paths().method_reason(),
              HasSubstr("above --exact_max_nodes=100 or --exact_max_edges=1000"));
  // The service logged the computation's phases.
  EXPECT_THAT(network_->Log(), HasSubstr("network: statistics started"));
  ExpectServingAndIntact();
}

TEST_F(NetworkFaultTest, ExplicitExactAboveTheCapIsAFailedPreconditionNamingSizeAndFlag) {
  nv1::ComputeNetworkStatsRequest request;
  *request.mutable_selection() = Big();
  request.mutable_approximation()->set_exact(true);
  grpc::ClientContext ctx;
  nv1::ComputeNetworkStatsResponse response;
  grpc::Status s = stub_->ComputeNetworkStats(&ctx, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("the graph has 400 nodes"));
  EXPECT_THAT(s.error_message(), HasSubstr("--exact_cap_nodes=300"));
  // Nothing recorded.
  grpc::ClientContext list_ctx;
  nv1::ListRunsRequest list;
  nv1::ListRunsResponse runs;
  ASSERT_TRUE(stub_->ListRuns(&list_ctx, list, &runs).ok());
  EXPECT_EQ(runs.runs_size(), 0);
  // The CLI says the same and exits 1.
  int code = 0;
  const std::string out = Cli("stats --relation_set big --exact --json", &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("--exact_cap_nodes=300"));
  ExpectServingAndIntact();
}

TEST_F(NetworkFaultTest, ACliCallPastItsDeadlineSaysSoAndExitsNonZero) {
  // A long computation on a stream: sampled betweenness at epsilon 1e-4
  // draws ~1e8 pairs, far beyond the one-second deadline.
  int code = 0;
  std::string out =
      Cli("centrality --relation_set big --measure betweenness --approximate --epsilon 0.0001 "
          "--timeout_seconds 1",
          &code);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("no answer within the call's deadline of 1 s (--timeout_seconds=1)"));
  EXPECT_THAT(out, HasSubstr("raise --timeout_seconds"));
  EXPECT_THAT(out, Not(HasSubstr("enter idle")));
  EXPECT_THAT(out, Not(HasSubstr("is the service running")));

  // A unary call to a frozen service.
  network_->Signal(SIGSTOP);
  out = Cli("stats --relation_set big --json --timeout_seconds 1", &code);
  network_->Signal(SIGCONT);
  EXPECT_EQ(code, 1) << out;
  EXPECT_THAT(out, HasSubstr("no answer within the call's deadline of 1 s (--timeout_seconds=1)"));

  // The service stopped the long computation itself and serves again.
  ASSERT_TRUE(
      WaitFor(
          [&] {
            return !LogLinesWith({"ComputeCentralities", "\"error\":\"graph computation"}).empty();
          },
          absl::Seconds(30))
          .ok())
      << network_->Log();
  ExpectServingAndIntact();
}

// A long computation logs its progress every --progress_interval_seconds:
// sampled betweenness at epsilon 1e-4 runs past a 4 s deadline, and the
// service's log shows "network: progress" lines for it whose items done
// grow within the loop's total.
TEST_F(NetworkFaultTest, ALongComputationLogsItsProgress) {
  int code = 0;
  std::string out =
      Cli("centrality --relation_set big --measure betweenness --approximate --epsilon 0.0001 "
          "--timeout_seconds 4",
          &code);
  EXPECT_EQ(code, 1) << out;
  std::vector<int64_t> done;
  int64_t total = 0;
  ASSERT_TRUE(WaitFor(
                  [&] {
                    done.clear();
                    for (const std::string& line : LogLinesWith(
                             {"\"network: progress\"", "\"computation\":\"betweenness\""})) {
                      int64_t d = 0;
                      int64_t t = 0;
                      if (JsonInt(line, "done", &d) && JsonInt(line, "total", &t)) {
                        done.push_back(d);
                        total = t;
                      }
                    }
                    return done.size() >= 2;
                  },
                  absl::Seconds(30))
                  .ok())
      << network_->Log();
  EXPECT_GT(total, 0);
  for (size_t i = 0; i < done.size(); ++i) {
    EXPECT_LE(done[i], total) << i;
    if (i > 0) {
      EXPECT_GE(done[i], done[i - 1]) << i;
    }
  }
  EXPECT_GT(done.back(), 0);
  ExpectServingAndIntact();
}

}  // namespace
}  // namespace innoscope::testing
