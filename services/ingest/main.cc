// innoscope-ingest: flags -> config -> wiring -> serve (libs/server/service_host.h).

#include <memory>
#include <vector>

#include "libs/server/service_host.h"
#include "services/ingest/ingest_grpc.h"

// Generated from services/ingest/migrations/*.sql.
std::vector<innoscope::storage::Migration> IngestMigrations();

int main(int argc, char** argv) {
  innoscope::server::ServiceDefinition definition;
  definition.name = "ingest";
  definition.grpc_service = "innoscope.ingest.v1.IngestService";
  definition.description =
      "Innoscope ingest service: regions, indicator frameworks, observations, actors and "
      "relations, validated and stored in PostgreSQL.";
  definition.default_grpc_port = 50051;
  definition.default_metrics_port = 9101;
  definition.migrations = IngestMigrations;
  definition.upstream_defaults = {};
  return innoscope::server::ServiceMain(
      definition, argc, argv,
      [](innoscope::server::ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        auto& store = context.Keep(std::make_unique<innoscope::ingest::IngestStore>(
            context.pool, context.config.stream_page_rows));
        auto& core = context.Keep(std::make_unique<innoscope::ingest::IngestService>(store));
        return std::make_unique<innoscope::ingest::IngestGrpc>(context.info, core,
                                                               context.config.stream_write_timeout);
      });
}
