#pragma once

// What every `innoscope` command shares, so no command repeats it:
// flag parsing (both --batch_size and --batch-size spellings, each flag also
// read from INNOSCOPE_<NAME>), unary calls with a deadline, and one format
// for failures: what went wrong, then what to do. Service addresses
// (flag, INNOSCOPE_*_ADDRESS or the local stack's address file), channels,
// deadlines and hints are libs/clients (service_address.h, calls.h), shared
// with innoscope-recompute.
//
//   config::FlagSet flags = CommandFlags("import regions", "Upserts regions.", {"ingest"});
//   ParsedCommand cmd = ParseCommandOrExit(flags, args, /*positional=*/1);
//   ASSIGN_OR_RETURN(auto channel, clients::ServiceChannel(cmd.flags, "ingest"));
//   RETURN_IF_ERROR(CallUnary(*stub, &Stub::UpsertRegions, request, &response, cmd.timeout));
//   return Fail(cmd.program, status);   // prints message and hint, returns 1

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "libs/clients/calls.h"
#include "libs/clients/service_address.h"
#include "libs/config/flags.h"
#include "libs/server/grpc_status.h"

namespace innoscope::cli {

// A FlagSet for "innoscope <command>" with --stack_file, --<service>_address
// for each of `services`, and --timeout_seconds (deadline of unary calls).
config::FlagSet CommandFlags(const std::string& command, const std::string& help,
                             const std::vector<std::string>& services,
                             const std::string& default_timeout_seconds = "30");

struct ParsedCommand {
  std::string program;  // "innoscope import observations", for messages
  config::ParsedFlags flags;
  std::vector<std::string> positional;
  absl::Duration timeout;  // --timeout_seconds, for unary calls
};

// Rewrites "--batch-size=5" to "--batch_size=5" (the name only, never the
// value), so both spellings work with one flag and one INNOSCOPE_BATCH_SIZE.
std::vector<std::string> NormalizeFlagSpelling(const std::vector<std::string>& args);

// Parses args (without the command words); prints --help and exits 0, or
// prints one line and exits 2 for unknown flags, bad values, or a number of
// positional arguments other than `positional` (e.g. the FILE).
ParsedCommand ParseCommandOrExit(const config::FlagSet& flags, const std::vector<std::string>& args,
                                 size_t positional, const std::string& positional_usage);

// One unary RPC with a deadline, as absl::Status (libs/clients/calls.h).
using clients::CallUnary;

// Appends the file position to every "row N" the service names in a batch
// error ("row 3 value: not finite" -> "row 3 (line 5004) value: ..."), using
// where(N) for row N of the rejected batch; where returns "" for unknown N.
std::string AnnotateRowIndexes(absl::string_view message,
                               const std::function<std::string(size_t)>& where);

// A framework version on the command line: "CODE" (the latest version) or
// "CODE@VERSION", e.g. "ai2023@2". INVALID_ARGUMENT for an empty code or a
// version that is not a whole number >= 1.
struct FrameworkArg {
  std::string code;
  int32_t version = 0;  // 0 = the latest
};
absl::StatusOr<FrameworkArg> ParseFrameworkArg(absl::string_view text);

// Prints "<program>: <message>" and a hint (clients::HintFor(status) unless `hint` is
// given) on stderr; returns exit code 1.
int Fail(const std::string& program, const absl::Status& status, const std::string& hint = "");

// True when `stream` is a terminal (progress bars), false for files/pipes.
bool IsTerminal(std::FILE* stream);

}  // namespace innoscope::cli
