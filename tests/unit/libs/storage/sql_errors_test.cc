#include "libs/storage/sql_errors.h"

#include <pqxx/except>

#include "gtest/gtest.h"

namespace innoscope::storage {
namespace {

TEST(SqlErrorsTest, MapsSqlStatesToTheMostSpecificCode) {
  EXPECT_EQ(CodeFromSqlState("40001"), absl::StatusCode::kAborted);  // serialization
  EXPECT_EQ(CodeFromSqlState("40P01"), absl::StatusCode::kAborted);  // deadlock
  EXPECT_EQ(CodeFromSqlState("23505"), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeFromSqlState("23503"), absl::StatusCode::kFailedPrecondition);  // fk
  EXPECT_EQ(CodeFromSqlState("22P02"), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CodeFromSqlState("08006"), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeFromSqlState("57P01"), absl::StatusCode::kUnavailable);  // admin shutdown
  EXPECT_EQ(CodeFromSqlState("57014"), absl::StatusCode::kCancelled);
  EXPECT_EQ(CodeFromSqlState("53100"), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(CodeFromSqlState("55P03"), absl::StatusCode::kUnavailable);  // lock_timeout
  EXPECT_EQ(CodeFromSqlState("42P01"), absl::StatusCode::kInternal);
}

TEST(SqlErrorsTest, MapsLibpqxxExceptions) {
  absl::Status broken = StatusFromException(pqxx::broken_connection("gone"));
  EXPECT_EQ(broken.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(broken.message().find("gone"), absl::string_view::npos);
  absl::Status unique = StatusFromException(pqxx::unique_violation("dup key", "INSERT", "23505"));
  EXPECT_EQ(unique.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusFromException(pqxx::serialization_failure("could not serialize")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromException(pqxx::deadlock_detected("deadlock")).code(),
            absl::StatusCode::kAborted);
  EXPECT_EQ(StatusFromException(pqxx::data_exception("bad date", "SELECT", "22008")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusFromException(std::runtime_error("x")).code(), absl::StatusCode::kInternal);
  // statement_timeout and a cancel share SQLSTATE 57014; PostgreSQL's
  // message tells them apart.
  EXPECT_EQ(StatusFromException(pqxx::sql_error("ERROR:  canceling statement due to statement "
                                                "timeout",
                                                "SELECT pg_sleep(9)", "57014"))
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(StatusFromException(pqxx::sql_error("ERROR:  canceling statement due to user request",
                                                "SELECT pg_sleep(9)", "57014"))
                .code(),
            absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace innoscope::storage
