// innoscope status: health, readiness, schema and version of every service.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/server/health_client.h"
#include "services/cli/cli_support.h"
#include "services/cli/commands.h"

namespace innoscope::cli {
namespace {

template <typename Service, typename Request, typename Response>
absl::StatusOr<common::v1::ServiceInfo> FetchInfo(const std::shared_ptr<grpc::Channel>& channel,
                                                  absl::Duration timeout) {
  auto stub = Service::NewStub(channel);
  Response response;
  absl::Status status =
      CallUnary(*stub, &Service::Stub::GetServiceInfo, Request(), &response, timeout);
  if (!status.ok()) return status;
  return response.info();
}

absl::StatusOr<common::v1::ServiceInfo> GetInfo(const std::string& name,
                                                const std::shared_ptr<grpc::Channel>& channel,
                                                absl::Duration timeout) {
  if (name == "ingest") {
    return FetchInfo<ingest::v1::IngestService, ingest::v1::GetServiceInfoRequest,
                     ingest::v1::GetServiceInfoResponse>(channel, timeout);
  }
  if (name == "weighting") {
    return FetchInfo<weighting::v1::WeightingService, weighting::v1::GetServiceInfoRequest,
                     weighting::v1::GetServiceInfoResponse>(channel, timeout);
  }
  if (name == "scoring") {
    return FetchInfo<scoring::v1::ScoringService, scoring::v1::GetServiceInfoRequest,
                     scoring::v1::GetServiceInfoResponse>(channel, timeout);
  }
  return FetchInfo<network::v1::NetworkService, network::v1::GetServiceInfoRequest,
                   network::v1::GetServiceInfoResponse>(channel, timeout);
}

}  // namespace

int RunStatus(const std::vector<std::string>& args) {
  config::FlagSet flags = CommandFlags("status", "Health, version and schema of every service.",
                                       clients::ServiceNames(),
                                       /*default_timeout_seconds=*/"5");
  ParsedCommand cmd = ParseCommandOrExit(flags, args, 0, "");
  int failures = 0;
  std::printf("%-10s %-22s %-8s %-8s %-8s %s\n", "SERVICE", "ADDRESS", "HEALTH", "READY", "SCHEMA",
              "VERSION");
  for (const std::string& name : clients::ServiceNames()) {
    absl::StatusOr<std::string> address = clients::ServiceAddress(cmd.flags, name);
    if (!address.ok()) return Fail(cmd.program, address.status());
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel_or =
        clients::ServiceChannel(cmd.flags, name);
    if (!channel_or.ok()) return Fail(cmd.program, channel_or.status());
    std::shared_ptr<grpc::Channel> channel = *std::move(channel_or);
    absl::StatusOr<bool> live = server::CheckServing(channel, "", cmd.timeout);
    absl::StatusOr<bool> ready = server::CheckServing(channel, "readiness", cmd.timeout);
    absl::StatusOr<common::v1::ServiceInfo> info = GetInfo(name, channel, cmd.timeout);
    bool ok = live.ok() && *live && ready.ok() && *ready && info.ok();
    if (!ok) ++failures;
    std::printf("%-10s %-22s %-8s %-8s %-8s %s\n", name.c_str(), address->c_str(),
                live.ok() ? (*live ? "SERVING" : "NOT_SERVING") : "DOWN",
                ready.ok() ? (*ready ? "yes" : "no") : "-",
                info.ok() ? absl::StrCat("v", info->schema_version()).c_str() : "-",
                info.ok() ? absl::StrCat(info->version(), " (", info->revision(), ")").c_str()
                          : std::string(info.status().message()).c_str());
  }
  if (failures > 0) {
    std::fprintf(stderr,
                 "%s: %d service(s) not ready; see their logs in "
                 ".local/stack/*.log or restart with deploy/local/stack.sh restart\n",
                 cmd.program.c_str(), failures);
    return 1;
  }
  return 0;
}

}  // namespace innoscope::cli
