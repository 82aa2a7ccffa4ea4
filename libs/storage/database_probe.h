#pragma once

// DatabaseProbe: "does PostgreSQL answer?" with a deadline of its own.
//
// The readiness monitor of every service asks this once per probe interval.
// A frozen server (SIGSTOP, a hung volume, a stuck host) keeps its TCP
// connections open and lets the kernel accept new ones, so a blocking
// libpq call would wait forever and the readiness entry would stay
// SERVING. The probe therefore uses libpq's non-blocking API (PQconnectStart
// / PQconnectPoll, PQsendQuery / PQconsumeInput) and poll(2) with the
// remaining time: Check returns within `timeout` whatever the server does,
// UNAVAILABLE naming what did not happen in time. One dedicated connection
// is kept between checks (no connection churn) and dropped after a failure.
//
//   DatabaseProbe probe(pool_options);
//   absl::Status s = probe.Check(absl::Seconds(1));  // SELECT 1 within 1 s

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "libs/storage/pool.h"

struct pg_conn;

namespace innoscope::storage {

class DatabaseProbe {
 public:
  // Connects with LibpqConnectionString(options) (keepalives and
  // tcp_user_timeout included); the pool fields do not apply.
  explicit DatabaseProbe(const PoolOptions& options);
  ~DatabaseProbe();
  DatabaseProbe(const DatabaseProbe&) = delete;
  DatabaseProbe& operator=(const DatabaseProbe&) = delete;

  // Opens the connection if needed and runs SELECT 1, all within `timeout`.
  // OK, or UNAVAILABLE naming the database and the step that failed.
  absl::Status Check(absl::Duration timeout);

 private:
  absl::Status Connect(absl::Time deadline);
  absl::Status Query(absl::Time deadline);
  void Drop();

  const std::string conninfo_;
  const std::string label_;  // "PostgreSQL at host:port/db"
  pg_conn* conn_ = nullptr;
  absl::Duration timeout_;  // of the current check, for messages
};

}  // namespace innoscope::storage
