// innoscope-network: flags -> config -> wiring -> serve (libs/server/service_host.h).

#include <memory>
#include <string>
#include <vector>

#include "libs/clients/grpc_ingest_client.h"
#include "libs/config/flags.h"
#include "libs/server/service_host.h"
#include "services/network/network_grpc.h"

// Generated from services/network/migrations/*.sql.
std::vector<innoscope::storage::Migration> NetworkMigrations();

namespace {

// The size limits of exact path statistics (services/network/path_method.h);
// exits 2 naming the flag on a bad value.
innoscope::network::ExactLimits LimitsOrExit(const innoscope::config::ParsedFlags& flags) {
  innoscope::network::ExactLimits limits;
  const struct {
    const char* flag;
    int64_t* value;
  } fields[] = {{"exact_max_nodes", &limits.max_nodes},
                {"exact_max_edges", &limits.max_edges},
                {"exact_cap_nodes", &limits.cap_nodes},
                {"exact_cap_edges", &limits.cap_edges}};
  for (const auto& field : fields) {
    absl::StatusOr<int64_t> value = flags.GetInt(field.flag, 1, int64_t{1} << 40);
    if (!value.ok()) {
      innoscope::config::ExitInvalidConfig("innoscope-network",
                                           std::string(value.status().message()));
    }
    *field.value = *value;
  }
  if (absl::Status valid = ValidateExactLimits(limits); !valid.ok()) {
    innoscope::config::ExitInvalidConfig("innoscope-network", std::string(valid.message()));
  }
  return limits;
}

}  // namespace

int main(int argc, char** argv) {
  innoscope::server::ServiceDefinition definition;
  definition.name = "network";
  definition.grpc_service = "innoscope.network.v1.NetworkService";
  definition.description =
      "Innoscope network-analysis service: network statistics, centralities, communities, region "
      "flows and derived indicators.";
  definition.default_grpc_port = 50054;
  definition.default_metrics_port = 9104;
  definition.migrations = NetworkMigrations;
  definition.upstream_defaults = {{"ingest", "localhost:50051"}};
  definition.add_flags = [](innoscope::config::FlagSet& flags) {
    const innoscope::network::ExactLimits defaults;
    flags.Add("exact_max_nodes", std::to_string(defaults.max_nodes),
              "above this many nodes, path statistics and betweenness are sampled unless a "
              "request sets approximation.exact");
    flags.Add("exact_max_edges", std::to_string(defaults.max_edges),
              "above this many edges, the same as --exact_max_nodes");
    flags.Add("exact_cap_nodes", std::to_string(defaults.cap_nodes),
              "above this many nodes, exact path statistics (approximation.exact, closeness, "
              "harmonic) are refused with FAILED_PRECONDITION");
    flags.Add("exact_cap_edges", std::to_string(defaults.cap_edges),
              "above this many edges, the same as --exact_cap_nodes");
    flags.Add("progress_interval_seconds", "10",
              "how often a running computation logs its progress (\"network: progress\"); "
              "0: never");
  };
  return innoscope::server::ServiceMain(
      definition, argc, argv,
      [](innoscope::server::ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        innoscope::network::NetworkOptions options;
        options.threads = context.config.threads;
        options.limits = LimitsOrExit(context.config.flags);
        absl::StatusOr<absl::Duration> progress_interval =
            context.config.flags.GetSeconds("progress_interval_seconds");
        if (!progress_interval.ok()) return progress_interval.status();
        options.progress_interval = *progress_interval;
        auto& ingest = context.Keep(std::make_unique<innoscope::clients::GrpcIngestClient>(
            context.upstreams.at("ingest"), context.config.upstreams.at("ingest")));
        auto& store =
            context.Keep(std::make_unique<innoscope::network::NetworkStore>(context.pool));
        auto& core = context.Keep(
            std::make_unique<innoscope::network::NetworkService>(ingest, store, options));
        return std::make_unique<innoscope::network::NetworkGrpc>(
            context.info, core, context.config.stream_write_timeout);
      });
}
