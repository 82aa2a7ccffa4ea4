#include "libs/storage/sql_errors.h"

#include <pqxx/except>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace innoscope::storage {

absl::StatusCode CodeFromSqlState(absl::string_view sqlstate) {
  if (sqlstate == "40001" || sqlstate == "40P01") return absl::StatusCode::kAborted;
  if (sqlstate == "23505") return absl::StatusCode::kAlreadyExists;
  if (sqlstate == "57014") return absl::StatusCode::kCancelled;
  // lock_not_available: lock_timeout (or NOWAIT) gave up on a held lock.
  if (sqlstate == "55P03") return absl::StatusCode::kUnavailable;
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return absl::StatusCode::kUnavailable;
  }
  if (absl::StartsWith(sqlstate, "08")) return absl::StatusCode::kUnavailable;
  if (absl::StartsWith(sqlstate, "23")) return absl::StatusCode::kFailedPrecondition;
  if (absl::StartsWith(sqlstate, "22")) return absl::StatusCode::kInvalidArgument;
  if (absl::StartsWith(sqlstate, "53")) return absl::StatusCode::kResourceExhausted;
  return absl::StatusCode::kInternal;
}

absl::Status StatusFromException(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat("database unreachable: ", e.what()));
  }
  // libpqxx 6 reports serialization failures and deadlocks as
  // transaction_rollback, which is not an sql_error and carries no SQLSTATE.
  if (dynamic_cast<const pqxx::statement_completion_unknown*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat("statement outcome unknown: ", e.what()));
  }
  if (dynamic_cast<const pqxx::transaction_rollback*>(&e) != nullptr) {
    return absl::AbortedError(absl::StrCat("transaction conflict, retry: ", e.what()));
  }
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    std::string state = sql->sqlstate();
    if (state == "57014" && absl::StrContains(e.what(), "statement timeout")) {
      // statement_timeout (--db_statement_timeout_seconds), not a cancel.
      return absl::DeadlineExceededError(
          absl::StrCat("database statement timeout (--db_statement_timeout_seconds): ", e.what()));
    }
    return absl::Status(CodeFromSqlState(state),
                        absl::StrCat("database error ", state, ": ", e.what()));
  }
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat("commit outcome unknown: ", e.what()));
  }
  return absl::InternalError(absl::StrCat("database error: ", e.what()));
}

}  // namespace innoscope::storage
