// innoscope-network: flags -> config -> wiring -> serve (libs/server/service_host.h).

#include <memory>
#include <vector>

#include "libs/clients/grpc_ingest_client.h"
#include "libs/server/service_host.h"
#include "services/network/network_grpc.h"

// Generated from services/network/migrations/*.sql.
std::vector<innoscope::storage::Migration> NetworkMigrations();

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
  return innoscope::server::ServiceMain(
      definition, argc, argv,
      [](innoscope::server::ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        auto& ingest = context.Keep(std::make_unique<innoscope::clients::GrpcIngestClient>(
            context.upstreams.at("ingest"), context.config.upstreams.at("ingest")));
        auto& store =
            context.Keep(std::make_unique<innoscope::network::NetworkStore>(context.pool));
        auto& core =
            context.Keep(std::make_unique<innoscope::network::NetworkService>(ingest, store));
        return std::make_unique<innoscope::network::NetworkGrpc>(context.info, core);
      });
}
