#pragma once

// Validation of ingest write requests, separate from storage so that every
// rule is unit tested without a database. A batch is valid as a whole or not
// at all: the functions collect every bad row (index, field, reason), and
// the resulting INVALID_ARGUMENT lists up to kMaxListedErrors of them.
//
//   Catalog catalog = ...;   // known regions, indicators, framework nodes
//   absl::StatusOr<std::vector<v1::Observation>> rows =
//       ValidateObservations(request, catalog, /*framework=*/nullptr);

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "innoscope/ingest/v1/ingest.pb.h"
#include "libs/common/field_violations.h"
#include "services/ingest/ingest_limits.h"

namespace innoscope::ingest {

inline constexpr int kMaxListedErrors = 20;
inline constexpr int kMinPeriod = 1900;
inline constexpr int kMaxPeriod = 2100;

// What validation needs to know about stored data.
struct Catalog {
  absl::flat_hash_set<std::string> regions;
  // Indicator code -> is_count (counts cannot be negative).
  absl::flat_hash_map<std::string, bool> indicators;
  // Codes of aggregate (non-leaf) framework nodes that are not indicators.
  absl::flat_hash_set<std::string> aggregates;
};

// A framework an observation batch is restricted to.
struct FrameworkScope {
  std::string code;
  int version = 0;
  absl::flat_hash_set<std::string> leaves;
  absl::flat_hash_set<std::string> aggregates;
};

// Collects row errors of the repeated field `list` ("observations") and
// renders them as one INVALID_ARGUMENT whose message lists them and whose
// google.rpc.BadRequest detail (libs/common/field_violations.h) names each as
// a field path: "observations[3].value"; a row of -1 is the request's field.
class RowErrors {
 public:
  explicit RowErrors(std::string list) : list_(std::move(list)) {}
  void Add(int row, const std::string& field, const std::string& reason);
  bool empty() const { return count_ == 0; }
  int count() const { return count_; }
  // "<what>: N invalid rows (nothing was written): row 3 value: not finite; ..."
  absl::Status ToStatus(const std::string& what) const;

 private:
  std::string list_;
  int count_ = 0;
  std::vector<std::string> listed_;
  std::vector<FieldViolation> violations_;  // the listed ones
};

// Batch ids are 1-128 printable ASCII characters.
absl::Status ValidateBatchId(const std::string& batch_id);

// Region and relation-type codes.
bool IsValidCode(const std::string& code);

// Returns the rows to store: default source applied, identical duplicates
// removed (the same key with different values is an error). More than
// limits.max_batch_rows rows is RESOURCE_EXHAUSTED. O(rows).
absl::StatusOr<std::vector<v1::Observation>> ValidateObservations(
    const v1::WriteObservationsRequest& request, const Catalog& catalog,
    const FrameworkScope* framework, const IngestLimits& limits = IngestLimits());

absl::Status ValidateRegions(const v1::UpsertRegionsRequest& request, const Catalog& catalog);

absl::Status ValidateIndicators(const v1::UpsertIndicatorsRequest& request);

// Structure of a framework: unique non-empty codes, exactly one root, known
// parents (no orphans), no cycles, levels decreasing towards the leaves,
// directions +1/-1, finite non-negative weights, goalposts min < max, leaves
// known as indicators (in the catalogue or the request), denominators known,
// and child weights consistent with the weight convention; at most
// limits.max_framework_nodes nodes and limits.max_framework_depth edges from
// the root to any leaf (INVALID_ARGUMENT naming the flag). O(N log N) for N
// nodes: every node's depth is found once (a walk up stops at the first node
// whose depth is known), so a chain costs no more than a flat tree.
absl::Status ValidateFramework(const v1::CreateFrameworkRequest& request, const Catalog& catalog,
                               const IngestLimits& limits = IngestLimits());

// Built-in relation types; any other valid code is a user-defined type.
bool IsBuiltinRelationType(const std::string& type);

absl::Status ValidateActors(const v1::UpsertActorsRequest& request, const Catalog& catalog,
                            const IngestLimits& limits = IngestLimits());

// known_actors: current actor codes of the relation set, plus actors of the
// same stream's earlier batches.
absl::Status ValidateRelations(const v1::WriteRelationsRequest& request,
                               const absl::flat_hash_set<std::string>& known_actors,
                               const IngestLimits& limits = IngestLimits());

// The cap on a list of a write request (regions, members, indicators, rows
// of a batch): RESOURCE_EXHAUSTED naming `field` and --max_batch_rows.
absl::Status CheckBatchRows(const std::string& field, int size, const IngestLimits& limits);

// The relation set named by a request ("default" when empty), validated.
absl::StatusOr<std::string> RelationSetName(const std::string& requested);

// A stable hash of a request's content, to detect a batch id reused for
// different content (deterministic serialization, FNV-1a 64).
std::string ContentHash(const google::protobuf::Message& message);

}  // namespace innoscope::ingest
