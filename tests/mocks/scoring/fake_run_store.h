#pragma once

// FakeRunStore: the scoring service's RunStore in memory, so that
// ScoringService computes runs in unit tests without PostgreSQL. Runs and
// their rows are kept as inserted (an existing id keeps the first; a
// non-draft insert publishes a draft); the uncertainty analyses and the
// series look-ups of the SQL store are not provided (UNIMPLEMENTED), nor
// ListRuns' paging.
//
//   FakeRunStore store;
//   ScoringService core(ingest, weighting, store, options);
//   ... core.ComputeScores(request, deadline) ...
//   const std::vector<RunResultRow>& rows = store.rows(run_id);

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/scoring/scoring_store.h"

namespace innoscope::scoring::testing {

class FakeRunStore final : public RunStore {
 public:
  absl::StatusOr<bool> InsertRun(const v1::Run& run, const std::vector<RunResultRow>& rows,
                                 bool draft) override {
    auto it = runs_.find(run.id());
    if (it != runs_.end()) {
      if (!draft) Publish(it->second, run.written_by());
      return false;
    }
    Entry& entry = runs_[run.id()] = Entry{run, rows, true};
    if (!draft) Publish(entry, run.written_by());
    return true;
  }
  absl::Status PublishExisting(const std::string& id, const std::string& published_by) override {
    auto it = runs_.find(id);
    if (it != runs_.end()) Publish(it->second, published_by);
    return absl::OkStatus();
  }
  absl::StatusOr<int> PublishRuns(const std::vector<std::string>& ids,
                                  const std::string& published_by) override {
    for (const std::string& id : ids) {
      if (runs_.count(id) == 0) return absl::NotFoundError(absl::StrCat("run ", id));
    }
    int published = 0;
    for (const std::string& id : ids) {
      published += runs_[id].draft ? 1 : 0;
      Publish(runs_[id], published_by);
    }
    return published;
  }
  absl::StatusOr<std::optional<v1::Run>> FindRun(const std::string& id) override {
    auto it = runs_.find(id);
    if (it == runs_.end()) return std::optional<v1::Run>();
    return std::optional<v1::Run>(it->second.run);
  }
  absl::StatusOr<std::vector<v1::Run>> ListRuns(const std::string&, int, int64_t, int,
                                                int64_t*) override {
    return Unimplemented("ListRuns");
  }
  absl::StatusOr<std::optional<std::string>> FindSeriesRun(const std::string&, int) override {
    return Unimplemented("FindSeriesRun");
  }
  absl::StatusOr<std::vector<RunResultRow>> NodeResults(const std::string& run_id,
                                                        const std::string& node,
                                                        bool cluster) override {
    std::vector<RunResultRow> out;
    for (const RunResultRow& row : rows(run_id)) {
      if (row.node == node && row.cluster == cluster) out.push_back(row);
    }
    return out;
  }
  absl::StatusOr<std::vector<RunResultRow>> Scores(const std::string&, bool) override {
    return Unimplemented("Scores");
  }
  absl::Status ExportResults(const std::string&,
                             const std::function<bool(std::vector<RunResultRow>&)>&) override {
    return Unimplemented("ExportResults");
  }
  absl::StatusOr<bool> InsertUncertainty(const v1::Uncertainty&) override {
    return Unimplemented("InsertUncertainty");
  }
  absl::StatusOr<std::optional<v1::Uncertainty>> FindUncertainty(const std::string&) override {
    return Unimplemented("FindUncertainty");
  }
  absl::StatusOr<bool> InsertUncertaintyBlock(const std::string&,
                                              const ReplicateBlockRanks&) override {
    return Unimplemented("InsertUncertaintyBlock");
  }
  absl::StatusOr<std::optional<int64_t>> FindUncertaintyBlock(const std::string&,
                                                              int64_t) override {
    return Unimplemented("FindUncertaintyBlock");
  }
  absl::StatusOr<std::vector<ReplicateBlockRanks>> UncertaintyBlocks(const std::string&) override {
    return Unimplemented("UncertaintyBlocks");
  }

  // The rows inserted with the run (empty for an unknown id).
  const std::vector<RunResultRow>& rows(const std::string& run_id) const {
    static const std::vector<RunResultRow> kNone;
    auto it = runs_.find(run_id);
    return it == runs_.end() ? kNone : it->second.rows;
  }
  bool is_draft(const std::string& run_id) const {
    auto it = runs_.find(run_id);
    return it != runs_.end() && it->second.draft;
  }
  size_t size() const { return runs_.size(); }

 private:
  struct Entry {
    v1::Run run;
    std::vector<RunResultRow> rows;
    bool draft = false;
  };

  // A draft becomes published by `by`, as the SQL store records it; a
  // published run keeps its publisher.
  static void Publish(Entry& entry, const std::string& by) {
    if (!entry.draft) return;
    entry.draft = false;
    entry.run.set_published_by(by);
  }

  static absl::Status Unimplemented(const char* method) {
    return absl::UnimplementedError(absl::StrCat("FakeRunStore::", method));
  }

  std::map<std::string, Entry> runs_;
};

}  // namespace innoscope::scoring::testing
