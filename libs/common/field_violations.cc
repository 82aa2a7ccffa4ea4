#include "libs/common/field_violations.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/cord.h"

namespace innoscope {
namespace {

// Protobuf wire format (https://protobuf.dev/programming-guides/encoding/):
// BadRequest { repeated FieldViolation field_violations = 1; }
// FieldViolation { string field = 1; string description = 2; }
// Every field is length-delimited: tag (number << 3 | 2), varint length, bytes.
constexpr uint8_t kLengthDelimited = 2;

void PutVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void PutField(int number, absl::string_view bytes, std::string& out) {
  PutVarint((static_cast<uint64_t>(number) << 3) | kLengthDelimited, out);
  PutVarint(bytes.size(), out);
  out.append(bytes.data(), bytes.size());
}

std::optional<uint64_t> GetVarint(absl::string_view& in) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  return std::nullopt;
}

// The next length-delimited field; nullopt at the end or on anything else.
std::optional<std::pair<int, absl::string_view>> GetField(absl::string_view& in) {
  std::optional<uint64_t> tag = GetVarint(in);
  if (!tag || (*tag & 7) != kLengthDelimited) return std::nullopt;
  std::optional<uint64_t> size = GetVarint(in);
  if (!size || *size > in.size()) return std::nullopt;
  absl::string_view bytes = in.substr(0, *size);
  in.remove_prefix(*size);
  return std::make_pair(static_cast<int>(*tag >> 3), bytes);
}

}  // namespace

void AttachFieldViolations(const std::vector<FieldViolation>& violations, absl::Status& status) {
  if (status.ok() || violations.empty()) return;
  std::string encoded;
  for (const FieldViolation& v : violations) {
    std::string one;
    PutField(1, v.field, one);
    PutField(2, v.description, one);
    PutField(1, one, encoded);
  }
  status.SetPayload(kBadRequestTypeUrl, absl::Cord(encoded));
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  const auto payload = status.GetPayload(kBadRequestTypeUrl);  // absl::optional<absl::Cord>
  if (!payload) return out;
  const std::string flat(*payload);
  absl::string_view in = flat;
  while (!in.empty()) {
    auto violation = GetField(in);
    if (!violation || violation->first != 1) return {};
    FieldViolation v;
    absl::string_view fields = violation->second;
    while (!fields.empty()) {
      auto field = GetField(fields);
      if (!field) return {};
      if (field->first == 1) v.field = std::string(field->second);
      if (field->first == 2) v.description = std::string(field->second);
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<FieldViolation> FieldViolationInMessage(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || colon == 0 || colon + 2 >= message.size()) {
    return std::nullopt;
  }
  const absl::string_view path = message.substr(0, colon);
  // A name: [a-z][a-z0-9_]*; then optional [digits]; names joined by '.'.
  size_t i = 0;
  while (i < path.size()) {
    if (!(path[i] >= 'a' && path[i] <= 'z')) return std::nullopt;
    while (i < path.size() && ((path[i] >= 'a' && path[i] <= 'z') ||
                               (path[i] >= '0' && path[i] <= '9') || path[i] == '_')) {
      ++i;
    }
    if (i < path.size() && path[i] == '[') {
      const size_t digits = ++i;
      while (i < path.size() && path[i] >= '0' && path[i] <= '9') ++i;
      if (i == digits || i >= path.size() || path[i] != ']') return std::nullopt;
      ++i;
    }
    if (i == path.size()) break;
    if (path[i] != '.' || i + 1 == path.size()) return std::nullopt;
    ++i;
  }
  return FieldViolation{std::string(path), std::string(message.substr(colon + 2))};
}

}  // namespace innoscope
