#pragma once

// Structured logging: one JSON object per line on stderr, so that log
// collectors (Loki, Cloud Logging, Elasticsearch) index fields without regex.
//
//   innoscope::log::Init("ingest");
//   innoscope::log::Info("migrations applied", {{"count", 3}});
//   // {"time":"2026-11-22T03:40:00.123Z","level":"info","service":"ingest",
//   //  "message":"migrations applied","count":3}
//
// Thread-safe: a line is formatted first and written with one write call.

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/time/time.h"

namespace innoscope::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// A field value: text, integer, floating point or boolean.
using Value = std::variant<std::string, int64_t, double, bool>;

struct Field {
  Field(std::string k, std::string v) : key(std::move(k)), value(std::move(v)) {}
  Field(std::string k, const char* v) : key(std::move(k)), value(std::string(v)) {}
  Field(std::string k, std::string_view v) : key(std::move(k)), value(std::string(v)) {}
  Field(std::string k, int v) : key(std::move(k)), value(int64_t{v}) {}
  Field(std::string k, int64_t v) : key(std::move(k)), value(v) {}
  Field(std::string k, uint64_t v) : key(std::move(k)), value(static_cast<int64_t>(v)) {}
  Field(std::string k, double v) : key(std::move(k)), value(v) {}
  Field(std::string k, bool v) : key(std::move(k)), value(v) {}
  std::string key;
  Value value;
};
using Fields = std::vector<Field>;

// Names the service in every line and sets the minimum level written.
void Init(std::string service, Level min_level = Level::kInfo);

// Replaces the output (stderr by default); for tests. Pass nullptr to reset.
void SetSinkForTesting(std::function<void(std::string_view)> sink);

void Write(Level level, std::string_view message, const Fields& fields = {});
inline void Debug(std::string_view m, const Fields& f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, const Fields& f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, const Fields& f = {}) { Write(Level::kWarning, m, f); }
inline void Error(std::string_view m, const Fields& f = {}) { Write(Level::kError, m, f); }

// Pure formatting, exposed for tests: the JSON line without the newline.
std::string FormatLine(absl::Time time, Level level, std::string_view service,
                       std::string_view message, const Fields& fields);

// Escapes a string for inclusion in a JSON document (without quotes).
std::string JsonEscape(std::string_view text);

// Parses "debug", "info", "warning", "error".
bool ParseLevel(std::string_view text, Level* level);

}  // namespace innoscope::log
