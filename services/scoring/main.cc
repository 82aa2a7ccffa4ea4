// innoscope-scoring: flags -> config -> wiring -> serve (libs/server/service_host.h).

#include <memory>
#include <vector>

#include "libs/server/service_host.h"
#include "services/scoring/scoring_grpc.h"

// Generated from services/scoring/migrations/*.sql.
std::vector<innoscope::storage::Migration> ScoringMigrations();

int main(int argc, char** argv) {
  innoscope::server::ServiceDefinition definition;
  definition.name = "scoring";
  definition.grpc_service = "innoscope.scoring.v1.ScoringService";
  definition.description = "Innoscope scoring service: composite scores, rankings, tiers, profiles and uncertainty analysis.";
  definition.default_grpc_port = 50053;
  definition.default_metrics_port = 9103;
  definition.migrations = ScoringMigrations;
  definition.upstream_defaults = {{"ingest", "localhost:50051"}, {"weighting", "localhost:50052"}};
  return innoscope::server::ServiceMain(
      definition, argc, argv,
      [](innoscope::server::ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        return std::make_unique<innoscope::scoring::ScoringGrpc>(context.info);
      });
}
