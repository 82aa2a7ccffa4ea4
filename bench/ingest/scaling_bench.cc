// Scaling of two ingest calls whose cost once grew with the square of the
// input (bench/ingest/scaling.sh starts the service): GetDataVersions with
// 10,000 and 80,000 scopes (was 0.25 s and 15.2 s), and CreateFramework of
// a chain of 4,000 and 16,000 nodes (was 1.3 s and 17.2 s). A linear
// implementation takes 8x and 4x as long for the larger input; a quadratic
// one 64x and 16x. Prints, best of 3 calls per size:
//
//   bench ingest_data_versions_scaling s_10k=… s_80k=… ratio=…   (linear: 8)
//   bench ingest_framework_chain_scaling s_4k=… s_16k=… ratio=… (linear: 4)
//
// Usage: bench_ingest_scaling HOST:PORT  (the service needs
// --max_framework_depth >= 16000; its --max_data_version_scopes default,
// 100,000, admits 80,000).

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"

namespace {

namespace v1 = ::innoscope::ingest::v1;
using Stub = v1::IngestService::Stub;

// Seconds of the fastest of 3 calls of `call`, or -1 when one fails.
template <typename Call>
double BestOf3(const char* what, Call call) {
  double best = -1;
  for (int i = 0; i < 3; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(600));
    const absl::Time start = absl::Now();
    const grpc::Status status = call(&context, i);
    const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
    if (!status.ok()) {
      std::fprintf(stderr, "bench_ingest_scaling: %s: %s\n", what, status.error_message().c_str());
      return -1;
    }
    best = best < 0 ? seconds : std::min(best, seconds);
  }
  return best;
}

double DataVersions(Stub& stub, int scopes) {
  v1::GetDataVersionsRequest request;
  // Mostly scopes never written (answered at version 0), as a recompute
  // job's first run asks.
  for (int i = 0; i < scopes; ++i) request.add_scopes(absl::StrCat("framework:bench_", i));
  return BestOf3("GetDataVersions", [&](grpc::ClientContext* context, int) {
    v1::GetDataVersionsResponse response;
    return stub.GetDataVersions(context, request, &response);
  });
}

// A chain root -> ... -> leaf of `size` nodes; a new framework code per
// call (a repeated one would be answered as a replay).
double Chain(Stub& stub, int size, const std::string& run) {
  return BestOf3("CreateFramework", [&](grpc::ClientContext* context, int attempt) {
    v1::CreateFrameworkRequest request;
    request.set_code(absl::StrCat("chain_", size, "_", run, "_", attempt));
    for (int i = 0; i < size; ++i) {
      v1::FrameworkNode* n = request.add_nodes();
      n->set_code(absl::StrCat("c", i));
      if (i > 0) n->set_parent_code(absl::StrCat("c", i - 1));
      n->set_level(size - i);
      n->set_direction(1);
    }
    request.add_indicators()->set_code(absl::StrCat("c", size - 1));
    v1::CreateFrameworkResponse response;
    return stub.CreateFramework(context, request, &response);
  });
}

void Print(const char* name, const char* small, double s_small, const char* large, double s_large) {
  std::printf("bench %s s_%s=%.3f s_%s=%.3f ratio=%.1f\n", name, small, s_small, large, s_large,
              s_small > 0 ? s_large / s_small : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_ingest_scaling HOST:PORT\n");
    return 2;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  std::unique_ptr<Stub> stub = v1::IngestService::NewStub(
      grpc::CreateCustomChannel(argv[1], grpc::InsecureChannelCredentials(), args));
  const double v10 = DataVersions(*stub, 10000), v80 = DataVersions(*stub, 80000);
  Print("ingest_data_versions_scaling", "10k", v10, "80k", v80);
  const std::string run = absl::StrCat(absl::ToUnixSeconds(absl::Now()));
  const double c4 = Chain(*stub, 4000, run), c16 = Chain(*stub, 16000, run);
  Print("ingest_framework_chain_scaling", "4k", c4, "16k", c16);
  return v10 < 0 || v80 < 0 || c4 < 0 || c16 < 0 ? 1 : 0;
}
