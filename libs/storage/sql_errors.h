#pragma once

// The one place where libpqxx exceptions become absl::Status.
//
// Mapping (PostgreSQL SQLSTATE, Appendix A of the PostgreSQL manual):
//   broken connection, class 08, 57P01-57P03 -> UNAVAILABLE (retry later)
//   40001 serialization_failure, 40P01 deadlock -> ABORTED (retry the txn)
//   23505 unique_violation                     -> ALREADY_EXISTS
//   other class 23 (integrity constraints)     -> FAILED_PRECONDITION
//   class 22 data_exception                    -> INVALID_ARGUMENT
//   57014 query_canceled                       -> CANCELLED
//   53xxx insufficient resources               -> RESOURCE_EXHAUSTED
//   anything else                              -> INTERNAL
//
//   try { ... } catch (const std::exception& e) { return StatusFromException(e); }

#include <exception>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace innoscope::storage {

// Pure mapping from a SQLSTATE code; unit tested.
absl::StatusCode CodeFromSqlState(absl::string_view sqlstate);

// Maps any exception thrown by libpqxx (or the standard library) to a status
// whose message carries the server's text.
absl::Status StatusFromException(const std::exception& e);

}  // namespace innoscope::storage
