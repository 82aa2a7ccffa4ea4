#include "services/cli/cli_support.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace innoscope::cli {

config::FlagSet CommandFlags(const std::string& command, const std::string& help,
                             const std::vector<std::string>& services,
                             const std::string& default_timeout_seconds) {
  config::FlagSet flags(absl::StrCat("innoscope ", command), help);
  flags.Add("stack_file", ".local/stack/addresses.env",
            "address file written by deploy/local/stack.sh");
  for (const std::string& name : services) {
    flags.Add(absl::StrCat(name, "_address"), "",
              absl::StrCat("HOST:PORT of the ", name, " service (default: from the stack file)"));
  }
  server::AddChannelSecurityFlags(flags);
  flags.Add("timeout_seconds", default_timeout_seconds,
            "deadline in seconds for each call (streams of batches have none)");
  return flags;
}

std::vector<std::string> NormalizeFlagSpelling(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  out.reserve(args.size());
  bool only_positional = false;
  for (const std::string& arg : args) {
    if (only_positional || arg.size() < 3 || arg[0] != '-' || arg == "--") {
      if (arg == "--") only_positional = true;
      out.push_back(arg);
      continue;
    }
    std::string normalized = arg;
    const size_t start = arg[1] == '-' ? 2 : 1;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(normalized.begin() + start, normalized.begin() + end, '-', '_');
    out.push_back(std::move(normalized));
  }
  return out;
}

ParsedCommand ParseCommandOrExit(const config::FlagSet& flags, const std::vector<std::string>& args,
                                 size_t positional, const std::string& positional_usage) {
  absl::StatusOr<config::ParsedFlags> parsed =
      flags.Parse(NormalizeFlagSpelling(args), config::ProcessEnv(), /*allow_positional=*/true);
  if (!parsed.ok()) {
    config::ExitInvalidConfig(flags.program(), std::string(parsed.status().message()));
  }
  if (parsed->help_requested()) {
    std::fputs(flags.Usage(positional_usage).c_str(), stdout);
    std::exit(0);
  }
  if (parsed->positional().size() != positional) {
    config::ExitInvalidConfig(
        flags.program(),
        absl::StrCat("expected ", positional_usage.empty() ? "no arguments" : positional_usage,
                     ", got ", parsed->positional().size(), " argument(s); see --help"));
  }
  absl::StatusOr<int64_t> timeout_s = parsed->GetInt("timeout_seconds", 1, 86400);
  if (!timeout_s.ok()) {
    config::ExitInvalidConfig(flags.program(), std::string(timeout_s.status().message()));
  }
  ParsedCommand command{flags.program(), *parsed, parsed->positional(), absl::Seconds(*timeout_s)};
  return command;
}

std::string AnnotateRowIndexes(absl::string_view message,
                               const std::function<std::string(size_t)>& where) {
  constexpr absl::string_view kRow = "row ";
  std::string out;
  size_t pos = 0;
  while (true) {
    const size_t found = message.find(kRow, pos);
    if (found == absl::string_view::npos) break;
    size_t end = found + kRow.size();
    size_t row = 0;
    while (end < message.size() && absl::ascii_isdigit(message[end]) && end - found < 16) {
      row = row * 10 + static_cast<size_t>(message[end] - '0');
      ++end;
    }
    const bool word_start = found == 0 || !absl::ascii_isalnum(message[found - 1]);
    out.append(message.data() + pos, end - pos);
    if (word_start && end > found + kRow.size()) {
      const std::string position = where(row);
      if (!position.empty()) absl::StrAppend(&out, " (", position, ")");
    }
    pos = end;
  }
  out.append(message.data() + pos, message.size() - pos);
  return out;
}

absl::StatusOr<FrameworkArg> ParseFrameworkArg(absl::string_view text) {
  FrameworkArg out;
  const size_t at = text.find('@');
  out.code = std::string(absl::StripAsciiWhitespace(text.substr(0, at)));
  if (out.code.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--framework '", text, "': give a framework code, optionally with @VERSION (e.g. asem@2)"));
  }
  if (at != absl::string_view::npos) {
    const absl::string_view version = absl::StripAsciiWhitespace(text.substr(at + 1));
    if (!absl::SimpleAtoi(version, &out.version) || out.version < 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--framework '", text, "': the version after @ must be a whole number >= 1"));
    }
  }
  return out;
}

int Fail(const std::string& program, const absl::Status& status, const std::string& hint) {
  std::fprintf(stderr, "%s: %s\n", program.c_str(), std::string(status.message()).c_str());
  const std::string next = hint.empty() ? clients::HintFor(status) : hint;
  if (!next.empty()) std::fprintf(stderr, "%s: %s\n", program.c_str(), next.c_str());
  return 1;
}

bool IsTerminal(std::FILE* stream) { return ::isatty(::fileno(stream)) == 1; }

}  // namespace innoscope::cli
