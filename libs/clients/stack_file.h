#pragma once

// The local stack's address file (deploy/local/stack.sh writes it):
//
//   INNOSCOPE_INGEST_ADDRESS=127.0.0.1:41231
//   INNOSCOPE_INGEST_METRICS_ADDRESS=127.0.0.1:41232
//   ...
//   DATABASE_URL=postgresql://innoscope@127.0.0.1:35001/innoscope
//
// It is a shell-sourceable KEY=VALUE file, so scripts can `source` it and
// the CLI and the recompute job can read it; explicit flags and environment
// variables win.

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace innoscope::clients {

// Parses KEY=VALUE lines; blank lines and # comments are skipped. Errors
// name the line number.
absl::StatusOr<std::map<std::string, std::string>> ParseStackFile(const std::string& text);

// Reads and parses a file; NOT_FOUND with a hint to start the stack when the
// file does not exist.
absl::StatusOr<std::map<std::string, std::string>> ReadStackFile(const std::string& path);

}  // namespace innoscope::clients
