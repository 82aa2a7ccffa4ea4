// innoscope-scoring: flags -> config -> wiring -> serve (libs/server/service_host.h).

#include <memory>
#include <vector>

#include "libs/clients/grpc_ingest_client.h"
#include "libs/clients/grpc_weighting_client.h"
#include "libs/server/service_host.h"
#include "services/scoring/scoring_grpc.h"

// Generated from services/scoring/migrations/*.sql.
std::vector<innoscope::storage::Migration> ScoringMigrations();

int main(int argc, char** argv) {
  innoscope::server::ServiceDefinition definition;
  definition.name = "scoring";
  definition.grpc_service = "innoscope.scoring.v1.ScoringService";
  definition.description =
      "Innoscope scoring service: composite scores, rankings, tiers, profiles and uncertainty "
      "analysis.";
  definition.default_grpc_port = 50053;
  definition.default_metrics_port = 9103;
  definition.migrations = ScoringMigrations;
  definition.upstream_defaults = {{"ingest", "localhost:50051"}, {"weighting", "localhost:50052"}};
  return innoscope::server::ServiceMain(
      definition, argc, argv,
      [](innoscope::server::ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        auto& ingest = context.Keep(std::make_unique<innoscope::clients::GrpcIngestClient>(
            context.upstreams.at("ingest"), context.config.upstreams.at("ingest")));
        auto& weighting = context.Keep(std::make_unique<innoscope::clients::GrpcWeightingClient>(
            context.upstreams.at("weighting"), context.config.upstreams.at("weighting")));
        auto& store = context.Keep(std::make_unique<innoscope::scoring::ScoringStore>(
            context.pool, context.config.stream_page_rows));
        // Uncertainty analyses use at most --threads (default: the
        // container's CPU quota); one by default, so concurrent requests
        // share the machine.
        innoscope::scoring::ScoringOptions options;
        options.max_threads = context.config.threads;
        options.default_threads = 1;
        options.clock = [] { return absl::Now(); };
        auto& core = context.Keep(std::make_unique<innoscope::scoring::ScoringService>(
            ingest, weighting, store, std::move(options)));
        return std::make_unique<innoscope::scoring::ScoringGrpc>(
            context.info, core, context.config.stream_write_timeout);
      });
}
