#include "libs/recompute/changes.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace innoscope::recompute {

ChangeSet DetectChanges(const std::optional<EntryState>& last_success, const EntryState& current) {
  ChangeSet changes;
  changes.first_run = !last_success.has_value();
  changes.config_changed = last_success && last_success->config_hash != current.config_hash;
  if (last_success) changes.previous_config_hash = last_success->config_hash;
  for (const auto& [scope, version] : current.versions) {
    std::optional<int64_t> previous;
    if (last_success) {
      auto it = last_success->versions.find(scope);
      if (it != last_success->versions.end()) previous = it->second;
    }
    if (!previous || *previous != version) changes.versions.push_back({scope, previous, version});
  }
  return changes;
}

std::string DescribeChanges(const ChangeSet& changes) {
  if (changes.first_run) return "first run";
  std::vector<std::string> parts;
  if (changes.config_changed) parts.push_back("configuration changed");
  for (const VersionChange& c : changes.versions) {
    parts.push_back(absl::StrCat(c.scope, " ", c.previous ? absl::StrCat(*c.previous) : "none",
                                 " -> ", c.current));
  }
  return parts.empty() ? "no change" : absl::StrJoin(parts, ", ");
}

DataVersions VersionsUsed(const IndexEntry& entry, const DataVersions& before,
                          const DataVersions& after) {
  DataVersions used;
  for (const std::string& scope : VersionScopes(entry)) {
    const DataVersions& source = absl::StartsWith(scope, "relations:") ? before : after;
    auto it = source.find(scope);
    if (it != source.end()) used[scope] = it->second;
  }
  return used;
}

}  // namespace innoscope::recompute
