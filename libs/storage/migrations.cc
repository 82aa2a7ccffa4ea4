#include "libs/storage/migrations.h"

#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/log.h"
#include "libs/common/status_macros.h"
#include "libs/storage/pool.h"

namespace innoscope::storage {
namespace {

// Schema names are compile-time constants of each service; still, they are
// interpolated into SQL, so accept only lower-case identifiers.
absl::Status CheckSchemaName(const std::string& schema) {
  if (schema.empty() || schema.size() > 63) {
    return absl::InvalidArgumentError("schema name must have 1-63 characters");
  }
  for (char c : schema) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_')) {
      return absl::InvalidArgumentError(
          absl::StrCat("schema name \"", schema, "\" must be [a-z0-9_]"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Migration> MigrationFromFile(const std::string& file_name, std::string sql) {
  size_t underscore = file_name.find('_');
  bool has_suffix = file_name.size() > 4 && file_name.compare(file_name.size() - 4, 4, ".sql") == 0;
  Migration m;
  if (underscore == std::string::npos || !has_suffix ||
      !absl::SimpleAtoi(file_name.substr(0, underscore), &m.version)) {
    return absl::InvalidArgumentError(
        absl::StrCat("migration file \"", file_name, "\" is not named NNNN_description.sql"));
  }
  m.name = file_name.substr(underscore + 1, file_name.size() - underscore - 5);
  m.sql = std::move(sql);
  return m;
}

absl::StatusOr<std::vector<Migration>> OrderMigrations(std::vector<Migration> migrations) {
  std::sort(migrations.begin(), migrations.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 0; i < migrations.size(); ++i) {
    const Migration& m = migrations[i];
    if (m.version < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration \"", m.name, "\" has version ", m.version, " < 1"));
    }
    if (i > 0 && migrations[i - 1].version == m.version) {
      return absl::InvalidArgumentError(absl::StrCat("migrations \"", migrations[i - 1].name,
                                                     "\" and \"", m.name, "\" share version ",
                                                     m.version));
    }
    if (absl::StripAsciiWhitespace(m.sql).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration ", m.version, " \"", m.name, "\" is empty"));
    }
  }
  return migrations;
}

std::string MigrationChecksum(const std::string& sql) {
  uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : sql) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return absl::StrFormat("%016x", hash);
}

absl::StatusOr<std::vector<Migration>> PendingMigrations(
    const std::vector<Migration>& ordered, const std::map<int, std::string>& applied_checksums) {
  std::map<int, const Migration*> known;
  for (const Migration& m : ordered) known[m.version] = &m;
  for (const auto& [version, checksum] : applied_checksums) {
    auto it = known.find(version);
    if (it == known.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the database has migration ", version,
                       " which this binary does not know: it is older than the schema; "
                       "deploy a newer release"));
    }
    if (MigrationChecksum(it->second->sql) != checksum) {
      return absl::FailedPreconditionError(
          absl::StrCat("migration ", version, " \"", it->second->name,
                       "\" was changed after it was applied; add a new migration instead"));
    }
  }
  std::vector<Migration> pending;
  for (const Migration& m : ordered) {
    if (applied_checksums.count(m.version) == 0) pending.push_back(m);
  }
  return pending;
}

absl::StatusOr<int> ApplyMigrations(ConnectionPool& pool, const std::string& schema,
                                    const std::vector<Migration>& migrations) {
  RETURN_IF_ERROR(CheckSchemaName(schema));
  ASSIGN_OR_RETURN(std::vector<Migration> ordered, OrderMigrations(migrations));
  const std::string lock_key = absl::StrCat("innoscope.migrate.", schema);
  int applied_count = 0;
  // One transaction per migration, each under the transaction-level lock:
  // it holds through a pooler in transaction mode (PgBouncer), where a
  // session-level lock could be taken on one server connection and
  // released on another. Each transaction reads what is applied afresh.
  for (bool done = false; !done;) {
    RETURN_IF_ERROR(pool.WithConnection([&](pqxx::connection& c) -> absl::Status {
      pqxx::work tx(c);
      // A migration may rewrite a large table, and a second replica waits
      // here for the first one's: no session limit applies.
      tx.exec("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0");
      tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", lock_key);
      // A least-privilege role owns its schema but may not create schemas
      // (deploy/sql/database_roles.sql creates them), and CREATE SCHEMA IF
      // NOT EXISTS checks that privilege before it looks: create only when
      // missing.
      if (tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema).empty()) {
        tx.exec(absl::StrCat("CREATE SCHEMA ", schema));
      }
      tx.exec(
          absl::StrCat("CREATE TABLE IF NOT EXISTS ", schema,
                       ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                       "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
      std::map<int, std::string> applied;
      for (const auto& row :
           tx.exec(absl::StrCat("SELECT version, checksum FROM ", schema, ".schema_migrations"))) {
        applied[row[0].as<int>()] = row[1].as<std::string>();
      }
      ASSIGN_OR_RETURN(std::vector<Migration> pending, PendingMigrations(ordered, applied));
      if (pending.empty()) {
        tx.commit();
        done = true;
        return absl::OkStatus();
      }
      const Migration& m = pending.front();
      tx.exec(absl::StrCat("SET LOCAL search_path TO ", schema, ", public"));
      tx.exec(m.sql);
      tx.exec_params(absl::StrCat("INSERT INTO ", schema,
                                  ".schema_migrations (version, name, checksum) "
                                  "VALUES ($1, $2, $3)"),
                     m.version, m.name, MigrationChecksum(m.sql));
      tx.commit();
      ++applied_count;
      log::Info("migration applied",
                {{"schema", schema}, {"version", m.version}, {"name", m.name}});
      return absl::OkStatus();
    }));
  }
  return applied_count;
}

absl::StatusOr<int> CurrentSchemaVersion(ConnectionPool& pool, const std::string& schema) {
  RETURN_IF_ERROR(CheckSchemaName(schema));
  int version = 0;
  RETURN_IF_ERROR(pool.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::row row = tx.exec1(
        absl::StrCat("SELECT coalesce(max(version), 0) FROM ", schema, ".schema_migrations"));
    version = row[0].as<int>();
    return absl::OkStatus();
  }));
  return version;
}

}  // namespace innoscope::storage
