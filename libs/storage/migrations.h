#pragma once

// Schema migrations: each service owns one PostgreSQL schema and applies its
// ordered SQL migrations at start-up.
//
// Migration files are named NNNN_description.sql and embedded into the
// binary at build time (see innoscope_embed_migrations in CMake). At start-up
// Each pending migration runs in its own transaction together with its row
// in <schema>.schema_migrations, so a crash leaves either all or none of it;
// each such transaction first takes the transaction-level advisory lock
// keyed by the schema (pg_advisory_xact_lock), so replicas starting together
// serialise, also through a pooler in transaction mode (PgBouncer), where a
// session-level lock would not hold. A migration already applied whose
// text has changed is refused (FAILED_PRECONDITION): history is append-only.
//
//   std::vector<Migration> all = IngestMigrations();
//   RETURN_IF_ERROR(ApplyMigrations(pool, "ingest", all));

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace innoscope::storage {

class ConnectionPool;

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;
};

// Parses "0003_add_indexes.sql" into version 3 and name "add_indexes".
absl::StatusOr<Migration> MigrationFromFile(const std::string& file_name, std::string sql);

// Sorts by version; rejects versions < 1, duplicates and empty SQL.
absl::StatusOr<std::vector<Migration>> OrderMigrations(std::vector<Migration> migrations);

// The migrations still to apply, in order, given the versions already
// recorded with their checksums. Fails when the database records a version
// this binary does not know (the database is newer: refuse to run an old
// binary against it) or a checksum differs.
absl::StatusOr<std::vector<Migration>> PendingMigrations(
    const std::vector<Migration>& ordered, const std::map<int, std::string>& applied_checksums);

// A stable checksum of a migration's text (FNV-1a 64, hex).
std::string MigrationChecksum(const std::string& sql);

// Applies every pending migration, each in a transaction holding the
// schema's transaction-level advisory lock. Returns the number applied.
absl::StatusOr<int> ApplyMigrations(ConnectionPool& pool, const std::string& schema,
                                    const std::vector<Migration>& migrations);

// The highest applied version, 0 when none.
absl::StatusOr<int> CurrentSchemaVersion(ConnectionPool& pool, const std::string& schema);

}  // namespace innoscope::storage
