#pragma once

// Machine-readable "which field of which row is wrong" on an absl::Status:
// the google.rpc.BadRequest detail of the gRPC error model
// (https://google.aip.dev/193), carried as a status payload so core code
// stays free of protobuf. The payload's key is the detail's type URL and its
// value the detail's protobuf wire encoding, written here by hand (two
// length-delimited fields); the gRPC adapter (libs/server/grpc_status.h)
// turns every payload into an Any of google.rpc.Status.details in the
// grpc-status-details-bin trailer, and back.
//
//   absl::Status s = absl::InvalidArgumentError("observations[3].value: not finite");
//   AttachFieldViolations({{"observations[3].value", "not finite"}}, s);
//   FieldViolationsOf(s);  // {{"observations[3].value", "not finite"}}
//
// Most INVALID_ARGUMENT answers name one request field by the services'
// message convention "<field path>: <why>" ("top_n: must be >= 0",
// "nodes[2].weight: must be >= 0"); FieldViolationInMessage reads that field
// back, and the gRPC adapter attaches it as the BadRequest of every such
// answer that carries none, so call sites only write the message.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace innoscope {

// google.rpc.BadRequest.FieldViolation: a field path ("nodes[2].weight",
// "page.page_token") and why its value is refused.
struct FieldViolation {
  std::string field;
  std::string description;
  bool operator==(const FieldViolation& other) const {
    return field == other.field && description == other.description;
  }
};

inline constexpr absl::string_view kBadRequestTypeUrl = "type.googleapis.com/google.rpc.BadRequest";

// Sets the BadRequest payload of a non-OK status (an OK status carries none).
void AttachFieldViolations(const std::vector<FieldViolation>& violations, absl::Status& status);

// The violations of the status' BadRequest payload; empty when it has none
// (or the payload is not a valid encoding).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// The field an error message names by the convention "<field path>: <why>":
// the path is lower-case snake_case names joined by '.', each optionally
// indexed ("[2]"), followed by ": " and a non-empty reason. nullopt for any
// other message ("ingest GetFramework: ...", "x", "Matrix: ...").
std::optional<FieldViolation> FieldViolationInMessage(absl::string_view message);

}  // namespace innoscope
