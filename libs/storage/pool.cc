#include "libs/storage/pool.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/storage/sql_errors.h"

namespace innoscope::storage {
namespace {

// Adds key=value to a libpq URL (as a query parameter) or keyword string,
// unless the string sets `key` already.
std::string WithParameter(const std::string& url, const std::string& key, int64_t value) {
  if (absl::StrContains(url, key + "=")) return url;
  bool is_uri = absl::StartsWith(url, "postgresql://") || absl::StartsWith(url, "postgres://");
  if (is_uri) {
    return absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?", key, "=", value);
  }
  return absl::StrCat(url, url.empty() ? "" : " ", key, "=", value);
}

// The SET statements every new session runs (one round trip).
std::string SessionSettings(const PoolOptions& options) {
  std::vector<std::string> sets;
  if (!options.search_path.empty()) sets.push_back("SET search_path TO " + options.search_path);
  if (options.statement_timeout > absl::ZeroDuration()) {
    sets.push_back(absl::StrCat("SET statement_timeout = ",
                                absl::ToInt64Milliseconds(options.statement_timeout)));
  }
  if (options.lock_timeout > absl::ZeroDuration()) {
    sets.push_back(
        absl::StrCat("SET lock_timeout = ", absl::ToInt64Milliseconds(options.lock_timeout)));
  }
  return absl::StrJoin(sets, "; ");
}

}  // namespace

std::string WithConnectTimeout(const std::string& url, int seconds) {
  return WithParameter(url, "connect_timeout", seconds);
}

std::string LibpqConnectionString(const PoolOptions& options) {
  std::string s = WithConnectTimeout(options.url, options.connect_timeout_seconds);
  if (options.keepalive_idle > absl::ZeroDuration()) {
    s = WithParameter(s, "keepalives", 1);
    s = WithParameter(s, "keepalives_idle", absl::ToInt64Seconds(options.keepalive_idle));
    s = WithParameter(s, "keepalives_interval", 5);
    s = WithParameter(s, "keepalives_count", 3);
  }
  if (options.tcp_user_timeout > absl::ZeroDuration()) {
    s = WithParameter(s, "tcp_user_timeout", absl::ToInt64Milliseconds(options.tcp_user_timeout));
  }
  return s;
}

std::string DatabaseLabel(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (parsed == nullptr) {
    PQfreemem(error);
    return "PostgreSQL";
  }
  std::string host = "localhost", port = "5432", dbname;
  for (PQconninfoOption* o = parsed; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string keyword = o->keyword;
    if (keyword == "host" || keyword == "hostaddr") host = o->val;
    if (keyword == "port") port = o->val;
    if (keyword == "dbname") dbname = o->val;
  }
  PQconninfoFree(parsed);
  return absl::StrCat("PostgreSQL at ", host, ":", port, dbname.empty() ? "" : "/", dbname);
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
      connect_string_(LibpqConnectionString(options_)),
      session_settings_(SessionSettings(options_)) {}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<std::unique_ptr<pqxx::connection>> ConnectionPool::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    ++waiting_;
    auto available = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !down_reason_.empty() || !idle_.empty() || in_use_ + opening_ < options_.max_size;
    };
    bool ok = mu_.AwaitWithTimeout(absl::Condition(&available), options_.acquire_timeout);
    --waiting_;
    if (!down_reason_.empty()) {
      // Known down: fail now rather than wait connect_timeout per call.
      return absl::UnavailableError(down_reason_);
    }
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
        in_use_sockets_[conn.get()] = ::dup(conn->sock());
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
    if (!session_settings_.empty()) {
      pqxx::nontransaction tx(*conn);
      tx.exec(session_settings_);
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
  in_use_sockets_[conn.get()] = ::dup(conn->sock());
  return conn;
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  absl::MutexLock lock(&mu_);
  --in_use_;
  auto socket = in_use_sockets_.find(conn.get());
  if (socket != in_use_sockets_.end()) {
    if (socket->second >= 0) ::close(socket->second);
    in_use_sockets_.erase(socket);
  }
  if (broken) conn.reset();
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
  Release(std::move(*conn), broken);
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

void ConnectionPool::MarkDatabaseDown(const absl::Status& reason) {
  absl::MutexLock lock(&mu_);
  down_reason_ = absl::StrCat(DatabaseLabel(options_.url), " is unavailable (", reason.message(),
                              "); retry later");
  // Wakes the blocked reads and writes of the calls in flight: libpq sees
  // the connection closed and the call fails with UNAVAILABLE.
  for (const auto& [conn, fd] : in_use_sockets_) {
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
}

void ConnectionPool::MarkDatabaseUp() {
  absl::MutexLock lock(&mu_);
  down_reason_.clear();
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
