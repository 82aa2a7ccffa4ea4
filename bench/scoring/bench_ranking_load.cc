// GetRanking load client (bench/scoring/run.sh): CLIENTS threads, each with
// its own gRPC channel (its own TCP connection), send GetRanking requests to
// a running scoring service at an aggregate RATE requests per second for
// SECONDS seconds, open loop, and print the latency percentiles:
//
//   bench_ranking_load ADDRESS RUN_ID NODES [CLIENTS RATE SECONDS]
//       NODES  comma-separated node codes to vary over ("" = the composite
//              is always among them); defaults 16 clients, 500/s, 20 s.
//
//   bench score_get_ranking_p99_ms=… p50_ms=… rps=… errors=… requests=… PASS|FAIL
//
// Open loop: request k of client c is due at start + (k * CLIENTS + c) / RATE,
// whether or not the earlier ones have returned, and its latency is counted
// from when it was due, not from when it was sent. A client that falls
// behind sends at once and its lateness is part of the latency, so a slow
// server cannot hide its queueing by slowing the clients down (the
// "coordinated omission" of closed-loop load generators, Tene 2013).
//
// Requests vary the node (NODES, round robin), top N (0 = all, 5, 10) and
// the page (size 10, 20 or 100; first or second page), so the service
// cannot answer from one cached response. PASS when p99 < 10 ms and no
// request failed (issue 5's target). Starts nothing itself.
//
// With INNOSCOPE_TLS_CA_FILE set (and INNOSCOPE_TLS_CERT_FILE /
// INNOSCOPE_TLS_KEY_FILE, the stack file's client certificate) every
// connection is mutual TLS, and the line is named
// score_get_ranking_mtls_p99_ms (docs/security.md).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "libs/server/channel_security.h"
#include "libs/server/paging.h"

namespace {

namespace v1 = innoscope::scoring::v1;
using Clock = std::chrono::steady_clock;

constexpr double kTargetP99Ms = 10.0;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_ranking_load: %s\n", message.c_str());
  std::exit(1);
}

int IntArg(int argc, char** argv, int i, int fallback) {
  int v = fallback;
  if (i < argc && (!absl::SimpleAtoi(argv[i], &v) || v < 1)) {
    Die(absl::StrCat("bad number ", argv[i]));
  }
  return v;
}

// Request k of a client: node round robin, top N and page from k.
v1::GetRankingRequest RequestFor(const std::string& run_id, const std::vector<std::string>& nodes,
                                 int64_t k) {
  static constexpr int kTopN[] = {0, 5, 10};
  static constexpr int kPageSize[] = {10, 20, 100};
  v1::GetRankingRequest request;
  request.set_run_id(run_id);
  request.set_node_code(nodes[static_cast<size_t>(k) % nodes.size()]);
  request.set_top_n(kTopN[(k / 3) % 3]);
  request.mutable_page()->set_page_size(kPageSize[(k / 9) % 3]);
  if ((k / 27) % 2 == 1) {
    // The second page: the token the service hands out after the first one
    // (tokens are opaque; libs/server/paging.h makes them).
    const int size = kPageSize[(k / 9) % 3];
    absl::StatusOr<innoscope::server::PageWindow> first = innoscope::server::ReadPage(request);
    if (!first.ok()) Die(std::string(first.status().message()));
    request.mutable_page()->set_page_token(
        innoscope::server::PageResult(*first, size, size + 1).next_page_token());
  }
  return request;
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double h = (static_cast<double>(sorted.size()) - 1) * p;  // type 7
  const size_t lo = static_cast<size_t>(h);
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) Die("usage: bench_ranking_load ADDRESS RUN_ID NODES [CLIENTS RATE SECONDS]");
  const std::string address = argv[1];
  const std::string run_id = argv[2];
  std::vector<std::string> nodes = {""};  // the composite
  for (absl::string_view n : absl::StrSplit(argv[3], ',', absl::SkipEmpty())) {
    nodes.emplace_back(n);
  }
  const int clients = IntArg(argc, argv, 4, 16);
  const int rate = IntArg(argc, argv, 5, 500);
  const int seconds = IntArg(argc, argv, 6, 20);
  const int64_t total = static_cast<int64_t>(rate) * seconds;

  innoscope::server::ChannelSecurity security;
  auto env = [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value == nullptr ? "" : value);
  };
  security.ca_file = env("INNOSCOPE_TLS_CA_FILE");
  security.cert_file = env("INNOSCOPE_TLS_CERT_FILE");
  security.key_file = env("INNOSCOPE_TLS_KEY_FILE");
  if (absl::Status valid = innoscope::server::ValidateChannelSecurity(security); !valid.ok()) {
    Die(std::string(valid.message()));
  }
  const std::string name = security.tls() ? "score_get_ranking_mtls" : "score_get_ranking";
  std::vector<std::unique_ptr<v1::ScoringService::Stub>> stubs;
  for (int c = 0; c < clients; ++c) {
    grpc::ChannelArguments args;
    // Without it channels to one address share a subchannel, i.e. one TCP
    // connection: 16 clients are 16 connections (16 TLS sessions).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel =
        grpc::CreateCustomChannel(address, innoscope::server::ChannelCredentials(security), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      Die(absl::StrCat("cannot connect to ", address));
    }
    stubs.push_back(v1::ScoringService::NewStub(channel));
  }
  // One warm-up call per client (connection set-up, the run's first load
  // from the database), not counted.
  for (int c = 0; c < clients; ++c) {
    grpc::ClientContext context;
    v1::GetRankingResponse response;
    grpc::Status status = stubs[c]->GetRanking(&context, RequestFor(run_id, nodes, c), &response);
    if (!status.ok()) Die(absl::StrCat("GetRanking: ", status.error_message()));
  }

  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int64_t> errors{0};
  std::string first_error;
  std::atomic<bool> error_recorded{false};
  const Clock::time_point start = Clock::now() + std::chrono::milliseconds(100);
  const double interval_ns = 1e9 / rate;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int64_t k = c; k < total; k += clients) {
        const Clock::time_point due =
            start +
            std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(k) * interval_ns));
        std::this_thread::sleep_until(due);
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        v1::GetRankingResponse response;
        const grpc::Status status =
            stubs[c]->GetRanking(&context, RequestFor(run_id, nodes, k), &response);
        const std::chrono::duration<double, std::milli> latency = Clock::now() - due;
        latencies[c].push_back(latency.count());
        // A first page is never empty (a second one can be: top 5 on
        // pages of 10).
        const bool first_page = (k / 27) % 2 == 0;  // as RequestFor pages
        if (!status.ok() || (first_page && response.entries_size() == 0)) {
          if (!error_recorded.exchange(true)) {
            first_error = status.ok() ? "empty first page" : status.error_message();
          }
          ++errors;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const std::chrono::duration<double> elapsed = Clock::now() - start;

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  const double p50 = Percentile(all, 0.50);
  const double p99 = Percentile(all, 0.99);
  if (errors > 0)
    std::fprintf(stderr, "bench_ranking_load: first error: %s\n", first_error.c_str());
  std::fprintf(
      stderr, "bench_ranking_load: %zu requests, p90 %.3f ms, p99.9 %.3f ms, max %.3f ms\n",
      all.size(), Percentile(all, 0.90), Percentile(all, 0.999), all.empty() ? 0 : all.back());
  const bool pass = p99 < kTargetP99Ms && errors == 0;
  std::printf("bench %s_p99_ms=%.3f p50_ms=%.3f rps=%.1f errors=%lld requests=%zu %s\n",
              name.c_str(), p99, p50, static_cast<double>(all.size()) / elapsed.count(),
              static_cast<long long>(errors.load()), all.size(), pass ? "PASS" : "FAIL");
  return 0;
}
