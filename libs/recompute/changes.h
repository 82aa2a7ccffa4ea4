#pragma once

// Change detection of the recompute job: has anything an index depends on
// changed since the job's last successful run for that index?
//
// What an index depends on is its configuration (a fingerprint of every
// setting, config.h CanonicalText) and ingest's data versions of its scopes
// (VersionScopes: framework:<code>, observations, regions, relations:<set>).
// Ingest bumps a scope's version on every effective change and never on a
// replay or an unchanged row (docs/ingest.md, "Data versions"), so equal
// versions mean equal data.
//
//   ChangeSet changes = DetectChanges(last_success_state, current_state);
//   if (!changes.any() && !force) { /* unchanged */ }
//   DataVersions used = VersionsUsed(entry, before_network, after_network);
//
// Pure; the job (services/recompute/recompute_job.cc) reads the versions and
// the last run's record, and unit tests pin the rules (tests/unit/recompute).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libs/recompute/config.h"

namespace innoscope::recompute {

// scope -> version, e.g. {"observations": 12, "framework:ai": 4}.
using DataVersions = std::map<std::string, int64_t>;

// What a run records of one index: the fingerprint of its configuration and
// the data versions its results were computed from.
struct EntryState {
  std::string config_hash;
  DataVersions versions;
};

struct VersionChange {
  std::string scope;
  std::optional<int64_t> previous;  // absent: never recorded
  int64_t current = 0;
};

struct ChangeSet {
  bool first_run = false;               // no successful run recorded this index
  bool config_changed = false;          // its settings differ from the last run's
  std::string previous_config_hash;     // the last run's, when there is one
  std::vector<VersionChange> versions;  // scopes whose version differs, sorted

  bool any() const { return first_run || config_changed || !versions.empty(); }
};

// The differences between the last successful run's state (nullopt when
// there is none) and the current one. Every scope of `current` whose version
// differs from the recorded one (or was not recorded) is listed, whether it
// went up or down (a database restored from a backup moves versions back).
// Scopes recorded but no longer current are ignored: the config fingerprint
// already covers a changed relation set. First run: every scope is listed
// with no previous version.
ChangeSet DetectChanges(const std::optional<EntryState>& last_success, const EntryState& current);

// One line for logs and the summary: "observations 12 -> 14,
// framework:ai 3 -> 4", "first run", "configuration changed", or
// "no change".
std::string DescribeChanges(const ChangeSet& changes);

// The versions a recomputation records as the ones its results rest on,
// from the versions read before the network step (`before`) and after it
// (`after`): relations:<set> from `before` (the network step reads the
// relations after that), every other scope from `after` (the derived
// indicators the network step writes move observations and framework:<code>;
// weights and scores read after that). Each recorded version is therefore no
// newer than the data it stands for: a change that races with the run is
// recomputed by the next run, never missed, and an unchanged second run
// finds exactly these versions. Scopes missing from both are left out.
DataVersions VersionsUsed(const IndexEntry& entry, const DataVersions& before,
                          const DataVersions& after);

}  // namespace innoscope::recompute
