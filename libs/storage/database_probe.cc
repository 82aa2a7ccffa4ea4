#include "libs/storage/database_probe.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace innoscope::storage {
namespace {

// Waits until the socket is readable (or writable) or the deadline passes;
// false on timeout or a poll error.
bool WaitSocket(int fd, bool for_write, absl::Time deadline) {
  for (;;) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd pfd{};
    pfd.fd = fd;
    pfd.events = for_write ? POLLOUT : POLLIN;
    const int ready = ::poll(&pfd, 1, static_cast<int>(ms));
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string ErrorOf(const PGconn* conn) {
  return std::string(absl::StripTrailingAsciiWhitespace(PQerrorMessage(conn)));
}

}  // namespace

DatabaseProbe::DatabaseProbe(const PoolOptions& options)
    : conninfo_(LibpqConnectionString(options)), label_(DatabaseLabel(options.url)) {}

DatabaseProbe::~DatabaseProbe() { Drop(); }

void DatabaseProbe::Drop() {
  if (conn_ != nullptr) PQfinish(conn_);
  conn_ = nullptr;
}

absl::Status DatabaseProbe::Check(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  timeout_ = timeout;
  absl::Status status = absl::OkStatus();
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    Drop();
    status = Connect(deadline);
  }
  if (status.ok()) status = Query(deadline);
  if (!status.ok()) Drop();
  return status;
}

absl::Status DatabaseProbe::Connect(absl::Time deadline) {
  conn_ = PQconnectStart(conninfo_.c_str());
  if (conn_ == nullptr) return absl::ResourceExhaustedError("libpq: out of memory");
  if (PQstatus(conn_) == CONNECTION_BAD) {
    return absl::UnavailableError(absl::StrCat(label_, ": cannot connect: ", ErrorOf(conn_)));
  }
  // PQconnectPoll's protocol: wait for writable first, then as it says.
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  for (;;) {
    if (poll == PGRES_POLLING_OK) return absl::OkStatus();
    if (poll == PGRES_POLLING_FAILED) {
      return absl::UnavailableError(absl::StrCat(label_, ": cannot connect: ", ErrorOf(conn_)));
    }
    if (!WaitSocket(PQsocket(conn_), poll == PGRES_POLLING_WRITING, deadline)) {
      return absl::UnavailableError(absl::StrCat(label_, " did not complete a connection within ",
                                                 absl::FormatDuration(timeout_)));
    }
    poll = PQconnectPoll(conn_);
  }
}

absl::Status DatabaseProbe::Query(absl::Time deadline) {
  if (PQsendQuery(conn_, "SELECT 1") != 1) {
    return absl::UnavailableError(absl::StrCat(label_, ": cannot send a query: ", ErrorOf(conn_)));
  }
  // The query is a few bytes: the kernel buffers it, so PQflush is done at
  // once unless the connection is already broken.
  if (PQflush(conn_) != 0) {
    return absl::UnavailableError(absl::StrCat(label_, ": cannot send a query: ", ErrorOf(conn_)));
  }
  bool answered = false;
  for (;;) {
    while (PQisBusy(conn_) == 0) {
      PGresult* result = PQgetResult(conn_);
      if (result == nullptr) {
        if (answered) return absl::OkStatus();
        return absl::UnavailableError(absl::StrCat(label_, ": no answer to SELECT 1"));
      }
      const ExecStatusType status = PQresultStatus(result);
      std::string error = PQresultErrorMessage(result);
      PQclear(result);
      if (status != PGRES_TUPLES_OK) {
        return absl::UnavailableError(
            absl::StrCat(label_, ": SELECT 1 failed: ", absl::StripTrailingAsciiWhitespace(error)));
      }
      answered = true;
    }
    if (!WaitSocket(PQsocket(conn_), /*for_write=*/false, deadline)) {
      return absl::UnavailableError(
          absl::StrCat(label_, " did not answer SELECT 1 within ", absl::FormatDuration(timeout_)));
    }
    if (PQconsumeInput(conn_) != 1) {
      return absl::UnavailableError(absl::StrCat(label_, ": connection lost: ", ErrorOf(conn_)));
    }
  }
}

}  // namespace innoscope::storage
