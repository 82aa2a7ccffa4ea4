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
#define RETURN_IF_ERROR(expr)                               \
  do {                                                      \
    ::absl::Status innoscope_status_ = (expr);              \
    if (!innoscope_status_.ok()) return innoscope_status_;  \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise move-assigns the value to `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, rexpr)                                          \
  INNOSCOPE_ASSIGN_OR_RETURN_IMPL(                                            \
      INNOSCOPE_STATUS_CONCAT(innoscope_statusor_, __LINE__), lhs, rexpr)

#define INNOSCOPE_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) return statusor.status();               \
  lhs = std::move(statusor).value()
