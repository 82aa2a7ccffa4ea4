// The readiness probe's deadline and the pool's libpq connection string,
// without a database: a loopback listener that accepts connections (the
// kernel completes the handshake) but never answers stands in for a frozen
// PostgreSQL, and a closed port for a stopped one.

#include "libs/storage/database_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/storage/pool.h"

namespace innoscope::storage {
namespace {

using ::testing::HasSubstr;

// A listening socket on 127.0.0.1 that nobody accept()s from.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 16);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(DatabaseProbeTest, AServerThatNeverAnswersFailsWithinTheDeadline) {
  SilentListener frozen;
  PoolOptions options;
  options.url = absl::StrCat("postgresql://innoscope@127.0.0.1:", frozen.port(), "/innoscope");
  DatabaseProbe probe(options);
  const absl::Time start = absl::Now();
  absl::Status status = probe.Check(absl::Milliseconds(300));
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(),
              HasSubstr(absl::StrCat("PostgreSQL at 127.0.0.1:", frozen.port(), "/innoscope")));
  EXPECT_THAT(status.message(), HasSubstr("within 300ms"));
  // libpq's own connect_timeout (5 s here) never came into play.
  EXPECT_LT(took, absl::Seconds(2)) << took;
}

TEST(DatabaseProbeTest, ARefusedPortFailsAtOnceNamingTheDatabase) {
  int port = 0;
  {
    SilentListener closed;  // bound, then closed: nothing listens there
    port = closed.port();
  }
  PoolOptions options;
  options.url = absl::StrCat("postgresql://innoscope@127.0.0.1:", port, "/db1");
  DatabaseProbe probe(options);
  absl::Status status = probe.Check(absl::Seconds(5));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("127.0.0.1:", port, "/db1")));
  EXPECT_THAT(status.message(), HasSubstr("cannot connect"));
}

TEST(ConnectionStringTest, AddsTimeoutsAndKeepalivesTheUrlDoesNotSet) {
  PoolOptions options;
  options.url = "postgresql://u@h:5432/d?sslmode=require&keepalives_idle=60";
  options.connect_timeout_seconds = 4;
  options.keepalive_idle = absl::Seconds(10);
  options.tcp_user_timeout = absl::Seconds(30);
  EXPECT_EQ(LibpqConnectionString(options),
            "postgresql://u@h:5432/d?sslmode=require&keepalives_idle=60&connect_timeout=4"
            "&keepalives=1&keepalives_interval=5&keepalives_count=3&tcp_user_timeout=30000");
  options.url = "host=h dbname=d";
  options.keepalive_idle = absl::ZeroDuration();
  options.tcp_user_timeout = absl::ZeroDuration();
  EXPECT_EQ(LibpqConnectionString(options), "host=h dbname=d connect_timeout=4");
}

TEST(ConnectionStringTest, LabelsADatabaseWithoutItsCredentials) {
  EXPECT_EQ(DatabaseLabel("postgresql://user:secret@db.internal:6432/innoscope?sslmode=require"),
            "PostgreSQL at db.internal:6432/innoscope");
  EXPECT_EQ(DatabaseLabel("host=10.0.0.5 dbname=x password=p"), "PostgreSQL at 10.0.0.5:5432/x");
}

TEST(ConnectionPoolTest, FailsFastWhileMarkedDownAndServesAgainAfter) {
  SilentListener frozen;
  PoolOptions options;
  options.url = absl::StrCat("postgresql://innoscope@127.0.0.1:", frozen.port(), "/innoscope");
  options.connect_timeout_seconds = 2;
  ConnectionPool pool(options);
  pool.MarkDatabaseDown(absl::UnavailableError("did not answer SELECT 1 within 1s"));
  const absl::Time start = absl::Now();
  absl::Status status = pool.Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_THAT(status.message(), HasSubstr("is unavailable (did not answer SELECT 1 within 1s)"));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500)) << "no connection attempt";
  EXPECT_EQ(pool.Stats().failed_total, 0u);
  // Up again: the pool tries the server (which still does not answer: the
  // attempt runs into connect_timeout and counts as failed).
  pool.MarkDatabaseUp();
  EXPECT_EQ(pool.Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(pool.Stats().failed_total, 1u);
}

}  // namespace
}  // namespace innoscope::storage
