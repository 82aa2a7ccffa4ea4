#include "libs/common/log.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace innoscope::log {
namespace {

struct State {
  std::mutex mu;
  std::string service = "innoscope";
  Level min_level = Level::kInfo;
  std::function<void(std::string_view)> sink;
};

State& GetState() {
  static State* state = new State();  // never destroyed: usable during exit
  return *state;
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

void AppendValue(std::string* out, const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    absl::StrAppend(out, "\"", JsonEscape(*s), "\"");
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    absl::StrAppend(out, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    // JSON has no NaN or infinity: write them as strings.
    if (std::isfinite(*d)) {
      absl::StrAppend(out, absl::StrFormat("%.10g", *d));
    } else {
      absl::StrAppend(out, "\"", absl::StrFormat("%g", *d), "\"");
    }
  } else {
    absl::StrAppend(out, std::get<bool>(value) ? "true" : "false");
  }
}

}  // namespace

std::string JsonEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string FormatLine(absl::Time time, Level level, std::string_view service,
                       std::string_view message, const Fields& fields) {
  std::string line = absl::StrCat(
      "{\"time\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()),
      "\",\"level\":\"", LevelName(level), "\",\"service\":\"", JsonEscape(service),
      "\",\"message\":\"", JsonEscape(message), "\"");
  for (const Field& field : fields) {
    absl::StrAppend(&line, ",\"", JsonEscape(field.key), "\":");
    AppendValue(&line, field.value);
  }
  line += "}";
  return line;
}

void Init(std::string service, Level min_level) {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.service = std::move(service);
  state.min_level = min_level;
}

void SetSinkForTesting(std::function<void(std::string_view)> sink) {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  state.sink = std::move(sink);
}

void Write(Level level, std::string_view message, const Fields& fields) {
  State& state = GetState();
  std::lock_guard<std::mutex> lock(state.mu);
  if (level < state.min_level) return;
  std::string line = FormatLine(absl::Now(), level, state.service, message, fields);
  if (state.sink) {
    state.sink(line);
    return;
  }
  line += "\n";
  // One write call per line keeps lines whole when threads interleave.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

bool ParseLevel(std::string_view text, Level* level) {
  if (text == "debug")
    *level = Level::kDebug;
  else if (text == "info")
    *level = Level::kInfo;
  else if (text == "warning" || text == "warn")
    *level = Level::kWarning;
  else if (text == "error")
    *level = Level::kError;
  else
    return false;
  return true;
}

}  // namespace innoscope::log
