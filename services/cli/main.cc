// innoscope: the command-line client.
//
//   innoscope status            health and version of every service
//
// Service addresses come from --<service>_address flags, INNOSCOPE_*
// environment variables, or the local stack's address file
// (--stack_file, default .local/stack/addresses.env).

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpcpp/client_context.h"
#include "innoscope/ingest/v1/ingest.grpc.pb.h"
#include "innoscope/network/v1/network.grpc.pb.h"
#include "innoscope/scoring/v1/scoring.grpc.pb.h"
#include "innoscope/weighting/v1/weighting.grpc.pb.h"
#include "libs/config/flags.h"
#include "libs/server/grpc_status.h"
#include "libs/server/health_client.h"
#include "services/cli/stack_file.h"

namespace innoscope::cli {
namespace {

constexpr char kUsage[] =
    "Usage: innoscope <command> [flags]\n\n"
    "Commands:\n"
    "  status    health, version and schema of every service\n\n"
    "Run 'innoscope <command> --help' for the flags of a command.\n";

const std::vector<std::string>& ServiceNames() {
  static const auto* names =
      new std::vector<std::string>{"ingest", "weighting", "scoring", "network"};
  return *names;
}

config::FlagSet CommonFlags(const std::string& command, const std::string& help) {
  config::FlagSet flags(absl::StrCat("innoscope ", command), help);
  flags.Add("stack_file", ".local/stack/addresses.env",
            "address file written by deploy/local/stack.sh");
  for (const std::string& name : ServiceNames()) {
    flags.Add(absl::StrCat(name, "_address"), "",
              absl::StrCat("HOST:PORT of the ", name,
                           " service (default: from the stack file)"));
  }
  flags.Add("timeout_seconds", "5", "deadline for each call");
  return flags;
}

// Address of a service: flag or INNOSCOPE_* variable, else the stack file.
absl::StatusOr<std::string> ServiceAddress(const config::ParsedFlags& flags,
                                           const std::string& name) {
  const std::string& explicit_address = flags.Get(absl::StrCat(name, "_address"));
  if (!explicit_address.empty()) return explicit_address;
  absl::StatusOr<std::map<std::string, std::string>> stack =
      ReadStackFile(flags.Get("stack_file"));
  if (!stack.ok()) return stack.status();
  std::string key = absl::StrCat("INNOSCOPE_", absl::AsciiStrToUpper(name), "_ADDRESS");
  auto it = stack->find(key);
  if (it == stack->end()) {
    return absl::NotFoundError(absl::StrCat(flags.Get("stack_file"), " has no ", key));
  }
  return it->second;
}

template <typename Service, typename Request, typename Response>
absl::StatusOr<common::v1::ServiceInfo> FetchInfo(
    const std::shared_ptr<grpc::Channel>& channel, absl::Duration timeout) {
  auto stub = Service::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  Request request;
  Response response;
  grpc::Status status = stub->GetServiceInfo(&context, request, &response);
  if (!status.ok()) return server::FromGrpcStatus(status);
  return response.info();
}

absl::StatusOr<common::v1::ServiceInfo> GetInfo(
    const std::string& name, const std::shared_ptr<grpc::Channel>& channel,
    absl::Duration timeout) {
  if (name == "ingest") {
    return FetchInfo<ingest::v1::IngestService, ingest::v1::GetServiceInfoRequest,
                     ingest::v1::GetServiceInfoResponse>(channel, timeout);
  }
  if (name == "weighting") {
    return FetchInfo<weighting::v1::WeightingService,
                     weighting::v1::GetServiceInfoRequest,
                     weighting::v1::GetServiceInfoResponse>(channel, timeout);
  }
  if (name == "scoring") {
    return FetchInfo<scoring::v1::ScoringService, scoring::v1::GetServiceInfoRequest,
                     scoring::v1::GetServiceInfoResponse>(channel, timeout);
  }
  return FetchInfo<network::v1::NetworkService, network::v1::GetServiceInfoRequest,
                   network::v1::GetServiceInfoResponse>(channel, timeout);
}

int RunStatus(int argc, char** argv) {
  config::FlagSet flags =
      CommonFlags("status", "Health, version and schema of every service.");
  config::ParsedFlags parsed = config::ParseOrExit(flags, argc, argv);
  absl::StatusOr<int64_t> timeout_s = parsed.GetInt("timeout_seconds", 1, 3600);
  if (!timeout_s.ok()) config::ExitInvalidConfig("innoscope status", timeout_s.status().ToString());
  absl::Duration timeout = absl::Seconds(*timeout_s);
  int failures = 0;
  std::printf("%-10s %-22s %-8s %-8s %-8s %s\n", "SERVICE", "ADDRESS", "HEALTH",
              "READY", "SCHEMA", "VERSION");
  for (const std::string& name : ServiceNames()) {
    absl::StatusOr<std::string> address = ServiceAddress(parsed, name);
    if (!address.ok()) {
      std::fprintf(stderr, "innoscope status: %s\n",
                   std::string(address.status().message()).c_str());
      return 1;
    }
    auto channel = server::MakeChannel(*address);
    absl::StatusOr<bool> live = server::CheckServing(channel, "", timeout);
    absl::StatusOr<bool> ready = server::CheckServing(channel, "readiness", timeout);
    absl::StatusOr<common::v1::ServiceInfo> info = GetInfo(name, channel, timeout);
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
                 "innoscope status: %d service(s) not ready; see their logs in "
                 ".local/stack/*.log or restart with deploy/local/stack.sh restart\n",
                 failures);
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace innoscope::cli

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    std::fputs(innoscope::cli::kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  if (command == "status") return innoscope::cli::RunStatus(argc - 1, argv + 1);
  std::fprintf(stderr, "innoscope: unknown command \"%s\"\n\n%s", command.c_str(),
               innoscope::cli::kUsage);
  return 2;
}
