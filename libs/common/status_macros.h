#pragma once

// Status propagation helpers for absl::Status / absl::StatusOr code.
//
// Abseil 20220623 (Debian bookworm) ships no status macros, so the project
// defines them once here. Usage:
//
//   absl::StatusOr<Table> LoadTable(const std::string& path) {
//     ASSIGN_OR_RETURN(std::string text, ReadFile(path));
//     RETURN_IF_ERROR(Validate(text));
//     return Parse(text);
//   }

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define INNOSCOPE_STATUS_CONCAT_INNER(a, b) a##b
#define INNOSCOPE_STATUS_CONCAT(a, b) INNOSCOPE_STATUS_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr) \
  INNOSCOPE_RETURN_IF_ERROR_IMPL(INNOSCOPE_STATUS_CONCAT(innoscope_status_, __COUNTER__), expr)

#define INNOSCOPE_RETURN_IF_ERROR_IMPL(status, expr) \
  do {                                               \
    ::absl::Status status = (expr);                  \
    if (!status.ok()) return status;                 \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise move-assigns the value to `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, rexpr)                                                              \
  INNOSCOPE_ASSIGN_OR_RETURN_IMPL(INNOSCOPE_STATUS_CONCAT(innoscope_statusor_, __COUNTER__), lhs, \
                                  rexpr)

#define INNOSCOPE_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return statusor.status();               \
  lhs = std::move(statusor).value()
