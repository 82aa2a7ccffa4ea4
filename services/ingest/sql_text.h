#pragma once

// Text forms of values in the ingest store's SQL (internal to IngestStore,
// shared by its per-entity files and revision_merge.cc): PostgreSQL array
// and jsonb literals, the flattened jsonb a query returns, exact doubles and
// timestamps, quoted IN lists.
//
//   tx.exec_params("... = ANY($1::text[])", TextArray(codes));
//   ParseFlatJson(row[5].as<std::string>(), region.mutable_attributes());

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "google/protobuf/map.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"

namespace innoscope::ingest {

// A PostgreSQL text[] literal; elements are quoted and escaped.
std::string TextArray(const std::vector<std::string>& items);

// A jsonb object literal with the keys sorted.
std::string JsonObject(const google::protobuf::Map<std::string, std::string>& map);

// SELECT expression turning a jsonb object into "k\x1fv\x1ek\x1fv"; keys and
// values are validated to contain no control characters.
std::string FlatJson(const std::string& column);

// The inverse of FlatJson's text, into `out`.
void ParseFlatJson(const std::string& flat, google::protobuf::Map<std::string, std::string>* out);

google::protobuf::Timestamp FromMicros(int64_t micros);

// A double as PostgreSQL prints it (0 for text that is not one).
double ParseDouble(const char* text);

// ExactDouble(value) when `has`, else NULL.
std::optional<std::string> OptionalExact(bool has, double value);

// "'a','b'": the values quoted by the connection, comma-separated.
template <typename Strings>
std::string QuotedList(pqxx::transaction_base& tx, const Strings& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ',';
    out += tx.quote(v);
  }
  return out;
}

// "column IN ('a','b')" with the values quoted by the connection.
std::string InList(pqxx::transaction_base& tx, const std::string& column,
                   const google::protobuf::RepeatedPtrField<std::string>& values);

}  // namespace innoscope::ingest
