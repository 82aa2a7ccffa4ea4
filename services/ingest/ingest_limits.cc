#include "services/ingest/ingest_limits.h"

#include "absl/strings/str_cat.h"
#include "libs/common/field_violations.h"
#include "libs/common/status_macros.h"

namespace innoscope::ingest {
namespace {

// One limit flag: its name, default, allowed range and help.
struct LimitFlag {
  const char* name;
  int64_t IngestLimits::*field;
  int64_t max;
  const char* help;
};

const LimitFlag kLimitFlags[] = {
    {kMaxBatchRowsFlag, &IngestLimits::max_batch_rows, 10000000,
     "rows per write batch and entries per upsert request; more is RESOURCE_EXHAUSTED"},
    {kMaxFrameworkNodesFlag, &IngestLimits::max_framework_nodes, 10000000,
     "nodes per framework version; more is INVALID_ARGUMENT"},
    {kMaxFrameworkDepthFlag, &IngestLimits::max_framework_depth, 10000000,
     "edges on a framework's longest root-to-leaf path; deeper is INVALID_ARGUMENT"},
    {kMaxDataVersionScopesFlag, &IngestLimits::max_data_version_scopes, 100000000,
     "scopes per GetDataVersions request; more is INVALID_ARGUMENT"},
    {kMaxFilterCodesFlag, &IngestLimits::max_filter_codes, 10000000,
     "codes per read filter (indicator_codes, region_codes, types, kinds); more is "
     "INVALID_ARGUMENT"},
    {kMaxRelationSetRowsFlag, &IngestLimits::max_relation_set_rows, 1000000000,
     "current actors, and current relations, per relation set; a batch that would pass it "
     "is RESOURCE_EXHAUSTED and not written"},
};

}  // namespace

void AddIngestLimitFlags(config::FlagSet& flags) {
  const IngestLimits defaults;
  for (const LimitFlag& f : kLimitFlags) {
    flags.Add(f.name, absl::StrCat(defaults.*(f.field)), f.help);
  }
}

absl::StatusOr<IngestLimits> IngestLimitsFromFlags(const config::ParsedFlags& flags) {
  IngestLimits limits;
  for (const LimitFlag& f : kLimitFlags) {
    ASSIGN_OR_RETURN(limits.*(f.field), flags.GetInt(f.name, 1, f.max));
  }
  return limits;
}

absl::Status CheckLimit(absl::StatusCode code, const std::string& field, const std::string& what,
                        int64_t value, int64_t limit, const std::string& flag) {
  if (value <= limit) return absl::OkStatus();
  const std::string reason =
      absl::StrCat(value, " ", what, "; the limit is ", limit, " (flag --", flag, ")");
  absl::Status status(code, absl::StrCat(field, ": ", reason));
  AttachFieldViolations({{field, reason}}, status);
  return status;
}

}  // namespace innoscope::ingest
