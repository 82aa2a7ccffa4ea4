#include "libs/config/flags.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace innoscope::config {

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

const std::string& ParsedFlags::Get(const std::string& name) const {
  static const std::string* kEmpty = new std::string();
  auto it = values_.find(name);
  return it == values_.end() ? *kEmpty : it->second;
}

const std::string& ParsedFlags::Origin(const std::string& name) const {
  static const std::string* kEmpty = new std::string();
  auto it = origins_.find(name);
  return it == origins_.end() ? *kEmpty : it->second;
}

absl::StatusOr<int64_t> ParsedFlags::GetInt(const std::string& name, int64_t min,
                                            int64_t max) const {
  int64_t value = 0;
  if (!absl::SimpleAtoi(Get(name), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": expected an integer, got \"", Get(name), "\""));
  }
  if (value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": ", value, " is outside [", min, ", ", max, "]"));
  }
  return value;
}

absl::StatusOr<double> ParsedFlags::GetDouble(const std::string& name) const {
  double value = 0;
  if (!absl::SimpleAtod(Get(name), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": expected a number, got \"", Get(name), "\""));
  }
  return value;
}

absl::StatusOr<bool> ParsedFlags::GetBool(const std::string& name) const {
  bool value = false;
  if (!absl::SimpleAtob(Get(name), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": expected true or false, got \"", Get(name), "\""));
  }
  return value;
}

absl::StatusOr<absl::Duration> ParsedFlags::GetSeconds(const std::string& name) const {
  double seconds = 0;
  if (!absl::SimpleAtod(Get(name), &seconds) || !(seconds >= 0) || seconds > 86400 * 365) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": expected a number of seconds >= 0, got \"", Get(name), "\""));
  }
  return absl::Seconds(seconds);
}

FlagSet::FlagSet(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

FlagSet& FlagSet::Add(std::string name, std::string default_value, std::string help) {
  specs_.push_back({std::move(name), std::move(default_value), std::move(help), "", false});
  return *this;
}

FlagSet& FlagSet::AddBool(std::string name, bool default_value, std::string help) {
  specs_.push_back({std::move(name), default_value ? "true" : "false", std::move(help), "", true});
  return *this;
}

FlagSet& FlagSet::AddWithFallbackEnv(std::string name, std::string fallback_env,
                                     std::string default_value, std::string help) {
  specs_.push_back(
      {std::move(name), std::move(default_value), std::move(help), std::move(fallback_env), false});
  return *this;
}

std::string FlagSet::EnvName(const std::string& flag) {
  return absl::StrCat("INNOSCOPE_", absl::AsciiStrToUpper(flag));
}

const FlagSpec* FlagSet::Find(const std::string& name) const {
  for (const FlagSpec& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

absl::StatusOr<ParsedFlags> FlagSet::Parse(const std::vector<std::string>& args,
                                           const EnvLookup& env, bool allow_positional) const {
  ParsedFlags parsed;
  for (const FlagSpec& spec : specs_) {
    parsed.values_[spec.name] = spec.default_value;
    parsed.origins_[spec.name] = "default";
    if (!spec.fallback_env.empty()) {
      if (auto v = env(spec.fallback_env)) {
        parsed.values_[spec.name] = *v;
        parsed.origins_[spec.name] = "env";
      }
    }
    if (auto v = env(EnvName(spec.name))) {
      parsed.values_[spec.name] = *v;
      parsed.origins_[spec.name] = "env";
    }
  }
  bool only_positional = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      if (!allow_positional) {
        return absl::InvalidArgumentError(absl::StrCat("unexpected argument \"", arg, "\""));
      }
      parsed.positional_.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      parsed.help_requested_ = true;
      continue;
    }
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body;
    std::optional<std::string> value;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
    }
    const FlagSpec* spec = Find(name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name, " (see --help)"));
    }
    if (!value) {
      if (spec->is_bool) {
        value = "true";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(absl::StrCat("--", name, " needs a value"));
      }
    }
    if (spec->is_bool) {
      bool b;
      if (!absl::SimpleAtob(*value, &b)) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, ": expected true or false, got \"", *value, "\""));
      }
    }
    parsed.values_[name] = *value;
    parsed.origins_[name] = "flag";
  }
  return parsed;
}

std::string FlagSet::Usage(absl::string_view positional) const {
  std::string out = absl::StrCat("Usage: ", program_, positional.empty() ? "" : " ", positional,
                                 " [flags]\n\n", description_,
                                 "\n\nFlags (each also read from "
                                 "the environment variable shown):\n");
  for (const FlagSpec& spec : specs_) {
    std::string env = EnvName(spec.name);
    if (!spec.fallback_env.empty()) absl::StrAppend(&env, " or ", spec.fallback_env);
    absl::StrAppend(&out, absl::StrFormat("  --%s (%s; default \"%s\")\n      %s\n", spec.name, env,
                                          spec.default_value, spec.help));
  }
  absl::StrAppend(&out, "  --help\n      Print this text and exit.\n");
  return out;
}

void ExitInvalidConfig(const std::string& program, const std::string& reason) {
  std::fprintf(stderr, "%s: invalid configuration: %s\n", program.c_str(), reason.c_str());
  std::exit(2);
}

ParsedFlags ParseOrExit(const FlagSet& flags, int argc, char** argv, bool allow_positional) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<ParsedFlags> parsed = flags.Parse(args, ProcessEnv(), allow_positional);
  if (!parsed.ok()) {
    ExitInvalidConfig(flags.program(), std::string(parsed.status().message()));
  }
  if (parsed->help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    std::exit(0);
  }
  return *std::move(parsed);
}

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<HostPort> ParseHostPort(const std::string& flag_name, const std::string& value) {
  auto error = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag_name, ": \"", value, "\" is not HOST:PORT (", why, ")"));
  };
  size_t colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) return error("missing host or port");
  HostPort hp;
  hp.host = value.substr(0, colon);
  if (hp.host.front() == '[') {
    if (hp.host.back() != ']') return error("unbalanced brackets");
    hp.host = hp.host.substr(1, hp.host.size() - 2);
  } else if (hp.host.find(':') != std::string::npos) {
    return error("IPv6 hosts need brackets");
  }
  if (hp.host.empty()) return error("empty host");
  std::string port = value.substr(colon + 1);
  if (port.empty() || !absl::SimpleAtoi(port, &hp.port) || hp.port < 0 || hp.port > 65535) {
    return error("port must be 0..65535");
  }
  return hp;
}

}  // namespace innoscope::config
