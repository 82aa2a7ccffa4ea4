// One ComputeScores call through the scoring service, timed end to end
// (bench/scoring/services.sh):
//
//   bench_compute_scores ADDRESS REQUEST.textproto [TIMEOUT_SECONDS]
//
// REQUEST.textproto is a ComputeScoresRequest in protobuf text format (the
// script writes it). Plaintext, or mutual TLS with INNOSCOPE_TLS_CA_FILE,
// INNOSCOPE_TLS_CERT_FILE and INNOSCOPE_TLS_KEY_FILE. Prints
//
//   compute seconds=<wall> runs=<n> created=<n> regions=<sum> nodes=<per run>
//   run id=<id> period=<p> created=<bool> regions=<n> weight_set=<id>
//
// and exits 1 when the call fails.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/server/channel_security.h"

namespace v1 = innoscope::scoring::v1;

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_compute_scores: %s\n", message.c_str());
  std::exit(1);
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4) Die("usage: bench_compute_scores ADDRESS REQUEST.textproto [TIMEOUT]");
  int timeout_seconds = 600;
  if (argc == 4 && (!absl::SimpleAtoi(argv[3], &timeout_seconds) || timeout_seconds < 1)) {
    Die(absl::StrCat("bad timeout ", argv[3]));
  }
  std::ifstream in(argv[2]);
  if (!in) Die(absl::StrCat("cannot read ", argv[2]));
  std::stringstream text;
  text << in.rdbuf();
  v1::ComputeScoresRequest request;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &request)) {
    Die(absl::StrCat(argv[2], ": not a ComputeScoresRequest in text format"));
  }

  innoscope::server::ChannelSecurity security;
  security.ca_file = Env("INNOSCOPE_TLS_CA_FILE");
  security.cert_file = Env("INNOSCOPE_TLS_CERT_FILE");
  security.key_file = Env("INNOSCOPE_TLS_KEY_FILE");
  if (absl::Status valid = innoscope::server::ValidateChannelSecurity(security); !valid.ok()) {
    Die(std::string(valid.message()));
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  auto channel =
      grpc::CreateCustomChannel(argv[1], innoscope::server::ChannelCredentials(security), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    Die(absl::StrCat("cannot connect to ", argv[1]));
  }
  auto stub = v1::ScoringService::NewStub(channel);

  grpc::ClientContext context;
  const auto start = std::chrono::steady_clock::now();
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(timeout_seconds));
  v1::ComputeScoresResponse response;
  const grpc::Status status = stub->ComputeScores(&context, request, &response);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!status.ok()) {
    Die(absl::StrCat("ComputeScores failed after ", seconds, " s: code ", status.error_code(), ": ",
                     status.error_message()));
  }
  int created = 0;
  int64_t regions = 0;
  for (const v1::ComputedRun& computed : response.runs()) {
    created += computed.created() ? 1 : 0;
    regions += computed.run().summary().regions();
  }
  std::printf("compute seconds=%.3f runs=%d created=%d regions=%lld\n", seconds,
              response.runs_size(), created, static_cast<long long>(regions));
  for (const v1::ComputedRun& computed : response.runs()) {
    const v1::Run& run = computed.run();
    std::printf("run id=%s period=%d created=%s regions=%d nodes=%d weight_set=%s\n",
                run.id().c_str(), run.spec().period(), computed.created() ? "true" : "false",
                run.summary().regions(), run.summary().nodes_size(),
                run.weight_set_id().empty() ? "-" : run.weight_set_id().c_str());
  }
  return 0;
}
