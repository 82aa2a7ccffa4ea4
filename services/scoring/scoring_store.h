#pragma once

// ScoringStore: the SQL of the scoring service (schema `scoring`). Runs and
// uncertainty analyses are immutable and inserted once under their
// content-derived id; a run and all its result rows are written in one
// transaction, so no partial run is ever visible.
//
//   ASSIGN_OR_RETURN(bool created, store.InsertRun(run, rows, &created_at));
//   ASSIGN_OR_RETURN(std::vector<RunResultRow> column,
//                    store.NodeResults(run_id, "ai_index", /*cluster=*/false));

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/storage/pool.h"
#include "services/scoring/run_results.h"

namespace innoscope::scoring {

class ScoringStore {
 public:
  explicit ScoringStore(storage::ConnectionPool& pool) : pool_(pool) {}

  // Inserts the run and its rows unless the id exists; returns whether it
  // was inserted. A draft is not listed (ListRuns) nor found by
  // FindSeriesRun until PublishRuns; a non-draft insert of an existing
  // draft publishes it, and an existing published run stays published.
  absl::StatusOr<bool> InsertRun(const v1::Run& run, const std::vector<RunResultRow>& rows,
                                 bool draft = false);
  // Publishes the run if it is a draft (no-op otherwise or when absent).
  absl::Status PublishExisting(const std::string& id);
  // Publishes every run of `ids` in one transaction; returns how many were
  // drafts. NOT_FOUND naming the first unknown id, and nothing published.
  absl::StatusOr<int> PublishRuns(const std::vector<std::string>& ids);
  // std::nullopt when the run does not exist.
  absl::StatusOr<std::optional<v1::Run>> FindRun(const std::string& id);
  // Published runs, newest first; without statistics, nodes, universe and
  // group labels.
  absl::StatusOr<std::vector<v1::Run>> ListRuns(const std::string& framework_code, int period,
                                                int64_t offset, int limit, int64_t* total);

  // The id of the newest published run of `series` for `period`;
  // std::nullopt when there is none.
  absl::StatusOr<std::optional<std::string>> FindSeriesRun(const std::string& series, int period);

  // One node's rows (regions or clusters), by region code.
  absl::StatusOr<std::vector<RunResultRow>> NodeResults(const std::string& run_id,
                                                        const std::string& node, bool cluster);
  // Region, node position and score of every region (or cluster) and node.
  absl::StatusOr<std::vector<RunResultRow>> Scores(const std::string& run_id, bool cluster);
  // Every row of the run (regions, then clusters; by region, then framework
  // node order) in chunks; on_chunk returns false to stop.
  absl::Status ExportResults(const std::string& run_id,
                             const std::function<bool(std::vector<RunResultRow>&)>& on_chunk);

  absl::StatusOr<bool> InsertUncertainty(const v1::Uncertainty& analysis);
  absl::StatusOr<std::optional<v1::Uncertainty>> FindUncertainty(const std::string& id);

 private:
  storage::ConnectionPool& pool_;
};

}  // namespace innoscope::scoring
