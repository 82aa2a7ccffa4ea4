#pragma once

// ConnectionPool: a bounded pool of libpqxx connections.
//
// A pqxx::connection is not thread-safe, so every RPC borrows one for the
// duration of its database work. Connections are opened lazily up to
// max_size; a caller waits up to acquire_timeout for a free one and then gets
// RESOURCE_EXHAUSTED. A connection found broken is discarded and reopened on
// the next acquisition, so the pool heals by itself when PostgreSQL returns.
//
//   ConnectionPool pool({.url = url, .max_size = 8});
//   absl::Status s = pool.WithConnection([&](pqxx::connection& c) {
//     pqxx::work tx(c); ...; tx.commit(); return absl::OkStatus();
//   });

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <pqxx/connection>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace innoscope::storage {

struct PoolOptions {
  std::string url;
  size_t max_size = 8;
  absl::Duration acquire_timeout = absl::Seconds(10);
  int connect_timeout_seconds = 5;
  // TCP: keepalive probes after keepalive_idle of silence (then every 5 s,
  // 3 unanswered close the connection), and tcp_user_timeout for data sent
  // but not acknowledged. Zero leaves the system default.
  absl::Duration keepalive_idle = absl::Seconds(10);
  absl::Duration tcp_user_timeout = absl::Seconds(30);
  // Per session (SET after connecting); zero: no limit.
  absl::Duration statement_timeout = absl::Minutes(5);
  absl::Duration lock_timeout = absl::Seconds(60);
  // Schemas searched by unqualified names on every connection (a service's
  // own schema); empty leaves the server default.
  std::string search_path;
};

struct PoolStats {
  size_t max_size = 0;
  size_t open = 0;  // connections currently open (idle + in use)
  size_t in_use = 0;
  size_t waiting = 0;  // callers waiting for a connection
  uint64_t opened_total = 0;
  uint64_t failed_total = 0;  // failed connection attempts
};

class ConnectionPool {
 public:
  explicit ConnectionPool(PoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Runs fn with a borrowed connection. Exceptions from fn are mapped with
  // StatusFromException; a broken connection is dropped from the pool.
  absl::Status WithConnection(const std::function<absl::Status(pqxx::connection&)>& fn);

  // Runs fn in a read-write transaction, retrying up to max_attempts times on
  // ABORTED (serialization failure, deadlock). fn must be idempotent up to
  // the commit: it is re-run from the start on retry.
  absl::Status WithRetries(const std::function<absl::Status(pqxx::connection&)>& fn,
                           int max_attempts = 5);

  // SELECT 1 on a pooled connection; UNAVAILABLE when the database is down.
  absl::Status Ping();

  // The readiness probe found the database unresponsive (`reason`):
  // acquisitions fail with UNAVAILABLE until MarkDatabaseUp, and the sockets
  // of connections in use are shut down, so their calls fail now (with
  // UNAVAILABLE) instead of waiting for a server that does not answer.
  void MarkDatabaseDown(const absl::Status& reason);
  void MarkDatabaseUp();

  PoolStats Stats() const;
  const PoolOptions& options() const { return options_; }

 private:
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Acquire();
  // Returns a borrowed connection; a broken one is closed, not pooled.
  void Release(std::unique_ptr<pqxx::connection> conn, bool broken);

  const PoolOptions options_;
  const std::string connect_string_;
  const std::string session_settings_;  // SET statements run after connecting
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);
  size_t in_use_ ABSL_GUARDED_BY(mu_) = 0;
  size_t opening_ ABSL_GUARDED_BY(mu_) = 0;
  size_t waiting_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t opened_total_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t failed_total_ ABSL_GUARDED_BY(mu_) = 0;
  // A duplicate of each in-use connection's socket (shut down by
  // MarkDatabaseDown). Ours, so libpq closing its own descriptor cannot
  // make us shut down an unrelated socket that reused the number.
  std::map<const pqxx::connection*, int> in_use_sockets_ ABSL_GUARDED_BY(mu_);
  // Non-empty while the database is known to be down: why.
  std::string down_reason_ ABSL_GUARDED_BY(mu_);
};

// Adds connect_timeout to a libpq URL or keyword string when absent.
std::string WithConnectTimeout(const std::string& url, int seconds);

// The libpq connection string of `options`: the URL with connect_timeout,
// keepalives and tcp_user_timeout added where the URL does not set them.
std::string LibpqConnectionString(const PoolOptions& options);

// "host:port/dbname" of a libpq URL or keyword string, without credentials,
// for messages ("PostgreSQL at 127.0.0.1:5432/innoscope").
std::string DatabaseLabel(const std::string& url);

}  // namespace innoscope::storage
