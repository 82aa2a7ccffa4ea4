#pragma once

// Command-line and environment configuration shared by every Innoscope
// binary, so operators start any service the same way:
//
//   --name=value or --name value on the command line, else
//   INNOSCOPE_<NAME IN CAPS> in the environment, else
//   an optional fallback variable (DATABASE_URL for --database_url), else
//   the default.
//
// A FlagSet is declared in main.cc only; parsing is pure (the environment is
// passed in), so it is unit tested without touching the process.
//
//   FlagSet flags("innoscope-ingest", "Ingest service.");
//   flags.Add("grpc_address", "0.0.0.0:50051", "HOST:PORT to serve gRPC on");
//   absl::StatusOr<ParsedFlags> parsed = flags.Parse(args, env);
//   std::string address = parsed->Get("grpc_address");

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace innoscope::config {

// Looks up an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup ProcessEnv();

struct FlagSpec {
  std::string name;
  std::string default_value;
  std::string help;
  std::string fallback_env;  // extra variable consulted after INNOSCOPE_*
  bool is_bool = false;      // "--name" alone means true
};

class ParsedFlags {
 public:
  const std::string& Get(const std::string& name) const;
  // Where the value came from: "flag", "env", "default".
  const std::string& Origin(const std::string& name) const;
  bool help_requested() const { return help_requested_; }
  const std::vector<std::string>& positional() const { return positional_; }

  // Typed accessors; errors are INVALID_ARGUMENT naming the flag.
  absl::StatusOr<int64_t> GetInt(const std::string& name, int64_t min, int64_t max) const;
  absl::StatusOr<double> GetDouble(const std::string& name) const;
  absl::StatusOr<bool> GetBool(const std::string& name) const;
  absl::StatusOr<absl::Duration> GetSeconds(const std::string& name) const;

 private:
  friend class FlagSet;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> origins_;
  std::vector<std::string> positional_;
  bool help_requested_ = false;
};

class FlagSet {
 public:
  FlagSet(std::string program, std::string description);

  FlagSet& Add(std::string name, std::string default_value, std::string help);
  FlagSet& AddBool(std::string name, bool default_value, std::string help);
  // Like Add, with a second environment variable consulted after
  // INNOSCOPE_<NAME> (e.g. DATABASE_URL).
  FlagSet& AddWithFallbackEnv(std::string name, std::string fallback_env, std::string default_value,
                              std::string help);

  // Parses args (without argv[0]). Unknown flags and malformed values are
  // INVALID_ARGUMENT with a one-line message naming the flag. When
  // allow_positional is false, a positional argument is an error.
  absl::StatusOr<ParsedFlags> Parse(const std::vector<std::string>& args, const EnvLookup& env,
                                    bool allow_positional = false) const;

  // The --help text: "Usage: <program> [<positional>] [flags]", the
  // description, then every flag with its variable, default and help.
  std::string Usage(absl::string_view positional = "") const;

  const std::string& program() const { return program_; }
  static std::string EnvName(const std::string& flag);

 private:
  const FlagSpec* Find(const std::string& name) const;

  std::string program_;
  std::string description_;
  std::vector<FlagSpec> specs_;
};

// For main(): parses argv; prints usage and exits 0 on --help; prints one
// line "<program>: invalid configuration: <reason>" and exits 2 on error.
ParsedFlags ParseOrExit(const FlagSet& flags, int argc, char** argv, bool allow_positional = false);

// Exits 2 with the same one-line format; for validation after parsing.
[[noreturn]] void ExitInvalidConfig(const std::string& program, const std::string& reason);

// HOST:PORT with a numeric port 0..65535; "[::1]:80" accepted.
struct HostPort {
  std::string host;
  int port = 0;
  std::string ToString() const;
};
absl::StatusOr<HostPort> ParseHostPort(const std::string& flag_name, const std::string& value);

}  // namespace innoscope::config
