// innoscope-weighting: flags -> config -> wiring -> serve (libs/server/service_host.h).

#include <memory>
#include <vector>

#include "libs/clients/grpc_ingest_client.h"
#include "libs/server/service_host.h"
#include "services/weighting/weighting_grpc.h"

// Generated from services/weighting/migrations/*.sql.
std::vector<innoscope::storage::Migration> WeightingMigrations();

int main(int argc, char** argv) {
  innoscope::server::ServiceDefinition definition;
  definition.name = "weighting";
  definition.grpc_service = "innoscope.weighting.v1.WeightingService";
  definition.description =
      "Innoscope weighting service: indicator weights by AHP, entropy, CRITIC, PCA, equal or "
      "fixed.";
  definition.default_grpc_port = 50052;
  definition.default_metrics_port = 9102;
  definition.migrations = WeightingMigrations;
  definition.upstream_defaults = {{"ingest", "localhost:50051"}};
  return innoscope::server::ServiceMain(
      definition, argc, argv,
      [](innoscope::server::ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        auto& ingest = context.Keep(std::make_unique<innoscope::clients::GrpcIngestClient>(
            context.upstreams.at("ingest"), context.config.upstreams.at("ingest")));
        auto& store =
            context.Keep(std::make_unique<innoscope::weighting::WeightingStore>(context.pool));
        auto& core =
            context.Keep(std::make_unique<innoscope::weighting::WeightingService>(ingest, store));
        return std::make_unique<innoscope::weighting::WeightingGrpc>(context.info, core);
      });
}
