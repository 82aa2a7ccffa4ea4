#pragma once

// Caps on what one ingest request may ask for, so that no input size turns
// into unbounded memory, time or storage (docs/operations.md, "Input
// limits"). Each limit is a flag of innoscope-ingest with a default; a
// request over a limit is refused before anything is read or written, with
// a status whose message names the field, the value, the limit and the
// flag that sets it, and (for a field at fault) a google.rpc.BadRequest
// field violation:
//
//   IngestLimits limits;  // defaults, or IngestLimitsFromFlags(parsed)
//   RETURN_IF_ERROR(CheckLimit(absl::StatusCode::kInvalidArgument, "scopes", "scopes",
//                              request.scopes_size(), limits.max_data_version_scopes,
//                              kMaxDataVersionScopesFlag));
//   // INVALID_ARGUMENT "scopes: 100001 scopes; the limit is 100000 (flag
//   // --max_data_version_scopes)"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/config/flags.h"

namespace innoscope::ingest {

inline constexpr char kMaxBatchRowsFlag[] = "max_batch_rows";
inline constexpr char kMaxFrameworkNodesFlag[] = "max_framework_nodes";
inline constexpr char kMaxFrameworkDepthFlag[] = "max_framework_depth";
inline constexpr char kMaxDataVersionScopesFlag[] = "max_data_version_scopes";
inline constexpr char kMaxFilterCodesFlag[] = "max_filter_codes";
inline constexpr char kMaxRelationSetRowsFlag[] = "max_relation_set_rows";

struct IngestLimits {
  // Rows of one write batch (observations, actors, relations) and entries of
  // one unary upsert (regions, indicators, cluster members, a framework's
  // declared indicators). RESOURCE_EXHAUSTED.
  int64_t max_batch_rows = 100000;
  // Nodes of one framework version. INVALID_ARGUMENT.
  int64_t max_framework_nodes = 20000;
  // Edges on the longest root-to-leaf path of a framework (a root alone has
  // depth 0). INVALID_ARGUMENT.
  int64_t max_framework_depth = 64;
  // Scopes asked for in one GetDataVersions. INVALID_ARGUMENT.
  int64_t max_data_version_scopes = 100000;
  // Codes in one read filter (indicator_codes, region_codes, types, kinds).
  // INVALID_ARGUMENT.
  int64_t max_filter_codes = 10000;
  // Current actors, and current relations, of one relation set after a
  // write. RESOURCE_EXHAUSTED; the batch is not written.
  int64_t max_relation_set_rows = 10000000;
};

// Adds the flags above (each also INNOSCOPE_<FLAG>) with their defaults.
void AddIngestLimitFlags(config::FlagSet& flags);

// Reads and range-checks them (INVALID_ARGUMENT naming the flag).
absl::StatusOr<IngestLimits> IngestLimitsFromFlags(const config::ParsedFlags& flags);

// OK when value <= limit; else `code` with the message
// "<field>: <value> <what>; the limit is <limit> (flag --<flag>)" and a
// BadRequest violation of `field` with the same reason.
absl::Status CheckLimit(absl::StatusCode code, const std::string& field, const std::string& what,
                        int64_t value, int64_t limit, const std::string& flag);

}  // namespace innoscope::ingest
