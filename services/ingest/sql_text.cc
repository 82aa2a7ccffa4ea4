#include "services/ingest/sql_text.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/log.h"
#include "services/ingest/ingest_store.h"

namespace innoscope::ingest {

std::string TextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string JsonObject(const google::protobuf::Map<std::string, std::string>& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) {
    parts.push_back(absl::StrCat("\"", log::JsonEscape(k), "\":\"", log::JsonEscape(v), "\""));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

std::string FlatJson(const std::string& column) {
  return absl::StrCat(
      "coalesce((SELECT string_agg(key || chr(31) || value, chr(30) ORDER BY key) "
      "FROM jsonb_each_text(",
      column, ")), '')");
}

void ParseFlatJson(const std::string& flat, google::protobuf::Map<std::string, std::string>* out) {
  if (flat.empty()) return;
  for (absl::string_view pair : absl::StrSplit(flat, '\x1e')) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('\x1f', 1));
    (*out)[kv.first] = kv.second;
  }
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

double ParseDouble(const char* text) {
  double v = 0;
  if (!absl::SimpleAtod(text, &v)) return 0;  // as before: unparsable text reads as 0
  return v;
}

std::optional<std::string> OptionalExact(bool has, double value) {
  if (!has) return std::nullopt;
  return ExactDouble(value);
}

std::string InList(pqxx::transaction_base& tx, const std::string& column,
                   const google::protobuf::RepeatedPtrField<std::string>& values) {
  return absl::StrCat(column, " IN (", QuotedList(tx, values), ")");
}

}  // namespace innoscope::ingest
