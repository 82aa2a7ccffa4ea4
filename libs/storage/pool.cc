#include "libs/storage/pool.h"

#include <poll.h>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/storage/sql_errors.h"

namespace innoscope::storage {

std::string WithConnectTimeout(const std::string& url, int seconds) {
  if (absl::StrContains(url, "connect_timeout")) return url;
  bool is_uri = absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://");
  if (is_uri) {
    return absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?", "connect_timeout=", seconds);
  }
  return absl::StrCat(url, url.empty() ? "" : " ", "connect_timeout=", seconds);
}

namespace {

// An idle connection has nothing to read. If its socket is readable, hung
// up or in error, the server has closed it (restart, failover, idle
// timeout) and sent at most a final error: discard it without a round trip.
bool IdleConnectionLooksAlive(pqxx::connection& conn) {
  if (!conn.is_open()) return false;
  pollfd pfd{};
  pfd.fd = conn.sock();
  if (pfd.fd < 0) return false;
  pfd.events = POLLIN;
  return ::poll(&pfd, 1, 0) == 0;
}

}  // namespace

ConnectionPool::ConnectionPool(PoolOptions options)
    : options_(std::move(options)),
      connect_string_(WithConnectTimeout(options_.url, options_.connect_timeout_seconds)) {}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<std::unique_ptr<pqxx::connection>> ConnectionPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    ++waiting_;
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || in_use_ + opening_ < options_.max_size;
    };
    bool ok = mu_.AwaitWithTimeout(absl::Condition(&available), options_.acquire_timeout);
    --waiting_;
    if (!ok) {
      return absl::ResourceExhaustedError(
          absl::StrCat("all ", options_.max_size,
                       " database connections are busy; retry later or raise --db_pool_size"));
    }
    while (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> conn = std::move(idle_.back());
      idle_.pop_back();
      if (IdleConnectionLooksAlive(*conn)) {
        ++in_use_;
        return conn;
      }
    }
    ++opening_;
  }
  // Connect outside the lock: it can take up to connect_timeout.
  std::unique_ptr<pqxx::connection> conn;
  absl::Status status;
  try {
    conn = std::make_unique<pqxx::connection>(connect_string_);
    if (!options_.search_path.empty()) {
      pqxx::nontransaction tx(*conn);
      tx.exec("SET search_path TO " + options_.search_path);
    }
  } catch (const std::exception& e) {
    status = StatusFromException(e);
    if (status.code() == absl::StatusCode::kInternal) {
      status = absl::UnavailableError(absl::StrCat("database unreachable: ", e.what()));
    }
  }
  absl::MutexLock lock(&mu_);
  --opening_;
  if (!status.ok()) {
    ++failed_total_;
    return status;
  }
  ++opened_total_;
  ++in_use_;
  return conn;
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> conn) {
  absl::MutexLock lock(&mu_);
  --in_use_;
  if (conn != nullptr && conn->is_open()) {
    idle_.push_back(std::move(conn));
  } else {
    // One broken connection usually means the server went away: the idle
    // ones are stale too, so drop them rather than fail one RPC each.
    idle_.clear();
  }
}

absl::Status ConnectionPool::WithConnection(
    const std::function<absl::Status(pqxx::connection&)>& fn) {
  absl::StatusOr<std::unique_ptr<pqxx::connection>> conn = Acquire();
  if (!conn.ok()) return conn.status();
  absl::Status status;
  bool broken = false;
  try {
    status = fn(**conn);
  } catch (const pqxx::broken_connection& e) {
    broken = true;
    status = StatusFromException(e);
  } catch (const std::exception& e) {
    status = StatusFromException(e);
    broken = !(*conn)->is_open();
  }
  if (broken) conn->reset();
  Release(std::move(*conn));
  return status;
}

absl::Status ConnectionPool::WithRetries(const std::function<absl::Status(pqxx::connection&)>& fn,
                                         int max_attempts) {
  absl::Status status;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    status = WithConnection(fn);
    if (status.code() != absl::StatusCode::kAborted) return status;
    // Back off a little so conflicting transactions interleave differently.
    absl::SleepFor(absl::Milliseconds(5 * attempt * attempt));
  }
  return status;
}

absl::Status ConnectionPool::Ping() {
  return WithConnection([](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    tx.exec("SELECT 1");
    return absl::OkStatus();
  });
}

PoolStats ConnectionPool::Stats() const {
  absl::MutexLock lock(&mu_);
  PoolStats stats;
  stats.max_size = options_.max_size;
  stats.in_use = in_use_;
  stats.open = in_use_ + idle_.size();
  stats.waiting = waiting_;
  stats.opened_total = opened_total_;
  stats.failed_total = failed_total_;
  return stats;
}

}  // namespace innoscope::storage
