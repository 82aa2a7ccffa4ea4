// innoscope-ingest: flags -> config -> wiring -> serve (libs/server/service_host.h).

#include <memory>
#include <vector>

#include "libs/server/service_host.h"
#include "prometheus/counter.h"
#include "services/ingest/ingest_grpc.h"
#include "services/ingest/ingest_limits.h"

// Generated from services/ingest/migrations/*.sql.
std::vector<innoscope::storage::Migration> IngestMigrations();

int main(int argc, char** argv) {
  namespace ingest = innoscope::ingest;
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
  // The input limits (docs/operations.md, "Input limits").
  definition.add_flags = ingest::AddIngestLimitFlags;
  definition.check_flags = [](const innoscope::config::ParsedFlags& flags) {
    return ingest::IngestLimitsFromFlags(flags).status();
  };
  return innoscope::server::ServiceMain(
      definition, argc, argv,
      [](innoscope::server::ServiceContext& context)
          -> absl::StatusOr<std::unique_ptr<grpc::Service>> {
        absl::StatusOr<ingest::IngestLimits> limits =
            ingest::IngestLimitsFromFlags(context.config.flags);
        if (!limits.ok()) return limits.status();
        auto& store = context.Keep(std::make_unique<ingest::IngestStore>(
            context.pool, limits->max_relation_set_rows, context.config.stream_page_rows));
        auto& core = context.Keep(std::make_unique<ingest::IngestService>(store, *limits));
        // What ReadObservations streamed: how often readers (scoring,
        // weighting, reports) read the data (bench/scoring/services.sh).
        auto& observations_read = prometheus::BuildCounter()
                                      .Name("innoscope_ingest_observations_read_total")
                                      .Help("Observations streamed by ReadObservations.")
                                      .Register(context.registry)
                                      .Add({});
        return std::make_unique<ingest::IngestGrpc>(
            context.info, core, context.config.stream_write_timeout, &observations_read);
      });
}
