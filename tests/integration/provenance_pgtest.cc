// Provenance against the real services: what the CLI imports and the
// recompute job computes over plaintext without credentials is recorded as
// written by "anonymous"; what a call with a bearer token writes, as
// "sha256:<hex of the token>" (the hash taken here with sha256sum, not with
// the code under test). Export (--provenance), the run and weight-set
// metadata and the stored columns all show it (docs/operations.md,
// "Provenance").

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "tests/integration/recompute_stack.h"

namespace innoscope::testing {
namespace {

namespace iv1 = ::innoscope::ingest::v1;
namespace sv1 = ::innoscope::scoring::v1;
namespace wv1 = ::innoscope::weighting::v1;

constexpr char kWriterToken[] = "provenance-writer-token";
constexpr char kPublisherToken[] = "provenance-publisher-token";

// "sha256:" + the hex SHA-256 of `token`, from coreutils' sha256sum.
std::string TokenIdentity(const std::string& token) {
  int code = 0;
  auto out = RunCommand(absl::StrCat("printf %s '", token, "' | sha256sum | cut -d' ' -f1"), &code);
  EXPECT_TRUE(out.ok());
  EXPECT_EQ(code, 0);
  return absl::StrCat("sha256:", absl::StripAsciiWhitespace(out.ok() ? *out : ""));
}

void WithToken(grpc::ClientContext* context, const std::string& token) {
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

// A unary call with `token` as its bearer token ("": none).
template <typename Stub, typename Request, typename Response>
grpc::Status CallAs(const std::string& token, Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
  grpc::ClientContext context;
  if (!token.empty()) WithToken(&context, token);
  return (stub.*method)(&context, request, response);
}

class ProvenanceTest : public RecomputeStack {
 protected:
  // `innoscope export <what> --provenance` as CSV lines (header first).
  std::vector<std::string> Export(const std::string& what) {
    const std::string file = absl::StrCat(dir_, "/export-", ++exports_, ".csv");
    int code = 0;
    auto out = RunCommand(
        absl::StrCat(Cli(), " export ", what, " --provenance --out ", ShellQuote(file),
                     " --ingest_address=", ingest_->grpc_address(), " --stack_file=/nonexistent"),
        &code);
    EXPECT_TRUE(out.ok());
    EXPECT_EQ(code, 0) << (out.ok() ? *out : "");
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return absl::StrSplit(text.str(), '\n', absl::SkipEmpty());
  }

  int exports_ = 0;
};

TEST_F(ProvenanceTest, AnonymousWritesAreRecordedAsAnonymousEverywhere) {
  ASSERT_NO_FATAL_FAILURE(Seed());
  CliResult r = Recompute();
  ASSERT_EQ(r.code, 0) << r.out << r.err;

  // Observations: the CLI's import and the network service's derived
  // indicators, both without credentials.
  std::vector<std::string> rows = Export("observations --framework recompute_test");
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(rows[0], "region,indicator,period,value,source,batch_id,ingested_at,written_by");
  bool derived = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(absl::EndsWith(rows[i], ",anonymous")) << rows[i];
    derived = derived || absl::StrContains(rows[i], ",network,");
  }
  EXPECT_TRUE(derived) << "no network-derived observation was exported";
  rows = Export("relations --relation_set test_network");
  ASSERT_GT(rows.size(), 1u);
  EXPECT_TRUE(absl::EndsWith(rows[0], ",batch_id,ingested_at,written_by")) << rows[0];
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_TRUE(absl::EndsWith(rows[i], ",anonymous")) << rows[i];
  }
  // The stored records of every deployable.
  EXPECT_EQ(Sql("SELECT string_agg(DISTINCT written_by, ',') FROM ingest.batches"), "anonymous");
  EXPECT_EQ(Sql("SELECT count(*) FROM scoring.runs"),
            Sql("SELECT count(*) FROM scoring.runs WHERE written_by = 'anonymous' "
                "AND published_by = 'anonymous'"));
  EXPECT_NE(Sql("SELECT count(*) FROM scoring.runs"), "0");
  EXPECT_EQ(Sql("SELECT string_agg(DISTINCT written_by, ',') FROM network.runs"), "anonymous");
  // The run metadata (ListRuns / GetRun).
  sv1::ListRunsRequest list;
  list.set_framework_code("recompute_test");
  sv1::ListRunsResponse runs;
  ASSERT_TRUE(CallAs("", *scoring_stub_, &sv1::ScoringService::Stub::ListRuns, list, &runs).ok());
  ASSERT_GT(runs.runs_size(), 0);
  for (const sv1::Run& run : runs.runs()) {
    EXPECT_EQ(run.written_by(), "anonymous") << run.id();
    EXPECT_EQ(run.published_by(), "anonymous") << run.id();
  }
}

TEST_F(ProvenanceTest, BearerTokenCallsAreRecordedAsTheTokensIdentity) {
  ASSERT_NO_FATAL_FAILURE(Seed());
  const std::string writer = TokenIdentity(kWriterToken);
  const std::string publisher = TokenIdentity(kPublisherToken);
  ASSERT_EQ(writer.size(), std::string("sha256:").size() + 64) << writer;
  // The job's runs, whose spec is computed again below once the data changed
  // (a new run, as its id covers the data versions).
  CliResult job = Recompute();
  ASSERT_EQ(job.code, 0) << job.out << job.err;
  sv1::ListRunsRequest list;
  list.set_framework_code("recompute_test");
  sv1::ListRunsResponse runs;
  ASSERT_TRUE(CallAs("", *scoring_stub_, &sv1::ScoringService::Stub::ListRuns, list, &runs).ok());
  ASSERT_GT(runs.runs_size(), 0);

  // An observation revised with a token: that revision is the token's,
  // the others stay anonymous.
  {
    grpc::ClientContext context;
    WithToken(&context, kWriterToken);
    auto stream = ingest_stub_->WriteObservations(&context);
    iv1::WriteObservationsRequest batch;
    batch.set_batch_id("provenance-1");
    iv1::Observation* o = batch.add_observations();
    o->set_region_code("CN-ZJ");
    o->set_indicator_code("firms");
    o->set_period(2022);
    o->set_value(61);
    ASSERT_TRUE(stream->Write(batch));
    iv1::WriteObservationsResponse response;
    ASSERT_TRUE(stream->Read(&response));
    stream->WritesDone();
    grpc::Status s = stream->Finish();
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  std::vector<std::string> rows = Export("observations --indicators firms --periods 2022");
  int by_writer = 0, anonymous = 0;
  for (size_t i = 1; i < rows.size(); ++i) {
    // region,indicator,period,value,source,batch_id,ingested_at,written_by
    std::vector<std::string> fields = absl::StrSplit(rows[i], ',');
    ASSERT_EQ(fields.size(), 8u) << rows[i];
    if (fields[0] == "CN-ZJ" && fields[3] == "61") {
      EXPECT_EQ(fields[5], "provenance-1");
      EXPECT_EQ(fields[7], writer);
      ++by_writer;
    } else {
      EXPECT_EQ(fields[7], "anonymous") << rows[i];
      ++anonymous;
    }
  }
  EXPECT_EQ(by_writer, 1);
  EXPECT_GT(anonymous, 0);
  EXPECT_EQ(Sql("SELECT written_by FROM ingest.batches WHERE batch_id = 'provenance-1'"), writer);

  // A weight set computed with the token (rounded to 3 decimals: a request
  // the job does not make, so a new set).
  auto weighting = wv1::WeightingService::NewStub(weighting_->Channel());
  wv1::ComputeWeightsRequest weights;
  weights.mutable_framework()->set_code("recompute_test");
  weights.set_method(wv1::METHOD_EQUAL);
  weights.mutable_rounding()->set_decimals(3);
  weights.set_label("provenance");
  wv1::ComputeWeightsResponse computed_weights;
  grpc::Status s = CallAs(kWriterToken, *weighting, &wv1::WeightingService::Stub::ComputeWeights,
                          weights, &computed_weights);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(computed_weights.created());
  EXPECT_EQ(computed_weights.weight_set().written_by(), writer);
  wv1::GetWeightSetRequest get_set;
  get_set.set_id(computed_weights.weight_set().id());
  wv1::GetWeightSetResponse got_set;  // read anonymously: the record is the writer's
  ASSERT_TRUE(
      CallAs("", *weighting, &wv1::WeightingService::Stub::GetWeightSet, get_set, &got_set).ok());
  EXPECT_EQ(got_set.weight_set().written_by(), writer);

  // A draft run computed with one token and published with another.
  sv1::ComputeScoresRequest compute;
  *compute.mutable_spec() = runs.runs(0).spec();
  compute.mutable_spec()->set_label("provenance");
  compute.set_draft(true);
  sv1::ComputeScoresResponse computed;
  s = CallAs(kWriterToken, *scoring_stub_, &sv1::ScoringService::Stub::ComputeScores, compute,
             &computed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(computed.run().written_by(), writer);
  EXPECT_EQ(computed.run().published_by(), "");
  sv1::PublishRunsRequest publish;
  publish.add_run_ids(computed.run().id());
  sv1::PublishRunsResponse published;
  s = CallAs(kPublisherToken, *scoring_stub_, &sv1::ScoringService::Stub::PublishRuns, publish,
             &published);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(published.published(), 1);
  sv1::GetRunRequest get;
  get.set_id(computed.run().id());
  sv1::GetRunResponse got;
  ASSERT_TRUE(CallAs("", *scoring_stub_, &sv1::ScoringService::Stub::GetRun, get, &got).ok());
  EXPECT_EQ(got.run().written_by(), writer);
  EXPECT_EQ(got.run().published_by(), publisher);
  EXPECT_EQ(Sql(absl::StrCat("SELECT written_by || ' ' || published_by FROM scoring.runs "
                             "WHERE id = '",
                             computed.run().id(), "'")),
            writer + " " + publisher);
}

}  // namespace
}  // namespace innoscope::testing
