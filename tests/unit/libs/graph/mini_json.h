#pragma once

// A tiny JSON reader for tests (no JSON library is in the dependency list):
// enough to read reference_stats_networkx_3.6.1.json. Objects keep key
// order; numbers are doubles.
//
//   std::optional<JsonValue> doc = ParseJson(text);
//   double apl =
//   doc->At("graphs").At("karate.gml").At("gephi_avg_path_length").number;

#include <cctype>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace innoscope::graph::testing {

struct JsonValue {
  enum Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;

  // The member `key`, or a static null value when absent.
  const JsonValue& At(std::string_view key) const {
    for (const auto& [k, v] : object) {
      if (k == key) return v;
    }
    static const JsonValue kMissing;
    return kMissing;
  }
  bool Has(std::string_view key) const {
    for (const auto& [k, v] : object) {
      if (k == key) return true;
    }
    return false;
  }
};

class JsonParser {
 public:
  explicit JsonParser(std::string_view text) : text_(text) {}

  std::optional<JsonValue> Parse() {
    std::optional<JsonValue> value = ParseValue(0);
    SkipSpace();
    if (pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  std::optional<std::string> ParseString() {
    if (!Consume('"')) return std::nullopt;
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) {
        char e = text_[pos_++];
        switch (e) {
          case 'n':
            out.push_back('\n');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'u':
            out.push_back('?');
            pos_ += 4;
            break;  // not needed here
          default:
            out.push_back(e);
        }
      } else {
        out.push_back(c);
      }
    }
    if (pos_ >= text_.size()) return std::nullopt;
    ++pos_;
    return out;
  }
  std::optional<JsonValue> ParseValue(int depth) {
    if (depth > 64) return std::nullopt;
    SkipSpace();
    if (pos_ >= text_.size()) return std::nullopt;
    JsonValue v;
    const char c = text_[pos_];
    if (c == '{') {
      ++pos_;
      v.kind = JsonValue::kObject;
      if (Consume('}')) return v;
      do {
        std::optional<std::string> key = ParseString();
        if (!key || !Consume(':')) return std::nullopt;
        std::optional<JsonValue> member = ParseValue(depth + 1);
        if (!member) return std::nullopt;
        v.object.emplace_back(std::move(*key), std::move(*member));
      } while (Consume(','));
      if (!Consume('}')) return std::nullopt;
    } else if (c == '[') {
      ++pos_;
      v.kind = JsonValue::kArray;
      if (Consume(']')) return v;
      do {
        std::optional<JsonValue> element = ParseValue(depth + 1);
        if (!element) return std::nullopt;
        v.array.push_back(std::move(*element));
      } while (Consume(','));
      if (!Consume(']')) return std::nullopt;
    } else if (c == '"') {
      std::optional<std::string> s = ParseString();
      if (!s) return std::nullopt;
      v.kind = JsonValue::kString;
      v.string = std::move(*s);
    } else if (text_.substr(pos_, 4) == "true" || text_.substr(pos_, 5) == "false") {
      v.kind = JsonValue::kBool;
      v.boolean = c == 't';
      pos_ += v.boolean ? 4 : 5;
    } else if (text_.substr(pos_, 4) == "null") {
      pos_ += 4;
    } else {
      const std::string rest(text_.substr(pos_, 64));
      char* end = nullptr;
      v.kind = JsonValue::kNumber;
      v.number = std::strtod(rest.c_str(), &end);
      if (end == rest.c_str()) return std::nullopt;
      pos_ += static_cast<size_t>(end - rest.c_str());
    }
    return v;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

inline std::optional<JsonValue> ParseJson(std::string_view text) {
  return JsonParser(text).Parse();
}

}  // namespace innoscope::graph::testing
