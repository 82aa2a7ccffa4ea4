#pragma once

// RunStore: where the scoring service keeps its runs, their result rows and
// its uncertainty analyses, an interface so that the service's logic is
// unit-tested without a database (tests/mocks/scoring). ScoringStore: its
// SQL (schema `scoring`). Runs and uncertainty analyses are immutable and
// inserted once under their content-derived id; a run and all its result
// rows are written in one transaction, so no partial run is ever visible.
//
//   ScoringStore store(pool);
//   ASSIGN_OR_RETURN(bool created, store.InsertRun(run, rows, /*draft=*/false));
//   ASSIGN_OR_RETURN(std::vector<RunResultRow> column,
//                    store.NodeResults(run_id, "ai_index", /*cluster=*/false));

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"
#include "innoscope/scoring/v1/scoring.pb.h"
#include "libs/scoring/uncertainty.h"
#include "libs/storage/pool.h"
#include "services/scoring/run_results.h"

namespace innoscope::scoring {

class RunStore {
 public:
  virtual ~RunStore() = default;

  // Inserts the run and its rows unless the id exists; returns whether it
  // was inserted. A draft is not listed (ListRuns) nor found by
  // FindSeriesRun until PublishRuns; a non-draft insert of an existing
  // draft publishes it, and an existing published run stays published.
  // run.written_by is recorded as its writer, and as its publisher when
  // this insert publishes it.
  virtual absl::StatusOr<bool> InsertRun(const v1::Run& run, const std::vector<RunResultRow>& rows,
                                         bool draft) = 0;
  // Publishes the run if it is a draft (no-op otherwise or when absent),
  // recording `published_by`.
  virtual absl::Status PublishExisting(const std::string& id, const std::string& published_by) = 0;
  // Publishes every run of `ids` in one transaction, recording
  // `published_by` on each draft; returns how many were drafts. NOT_FOUND
  // naming the first unknown id, and nothing published.
  virtual absl::StatusOr<int> PublishRuns(const std::vector<std::string>& ids,
                                          const std::string& published_by) = 0;
  // std::nullopt when the run does not exist.
  virtual absl::StatusOr<std::optional<v1::Run>> FindRun(const std::string& id) = 0;
  // Published runs, newest first; without statistics, nodes, universe and
  // group labels.
  virtual absl::StatusOr<std::vector<v1::Run>> ListRuns(const std::string& framework_code,
                                                        int period, int64_t offset, int limit,
                                                        int64_t* total) = 0;

  // The id of the newest published run of `series` for `period`;
  // std::nullopt when there is none.
  virtual absl::StatusOr<std::optional<std::string>> FindSeriesRun(const std::string& series,
                                                                   int period) = 0;

  // One node's rows (regions or clusters), by region code.
  virtual absl::StatusOr<std::vector<RunResultRow>> NodeResults(const std::string& run_id,
                                                                const std::string& node,
                                                                bool cluster) = 0;
  // Region, node position and score of every region (or cluster) and node.
  virtual absl::StatusOr<std::vector<RunResultRow>> Scores(const std::string& run_id,
                                                           bool cluster) = 0;
  // Every row of the run (regions, then clusters; by region, then framework
  // node order) in chunks; on_chunk returns false to stop.
  virtual absl::Status ExportResults(
      const std::string& run_id,
      const std::function<bool(std::vector<RunResultRow>&)>& on_chunk) = 0;

  virtual absl::StatusOr<bool> InsertUncertainty(const v1::Uncertainty& analysis) = 0;
  virtual absl::StatusOr<std::optional<v1::Uncertainty>> FindUncertainty(const std::string& id) = 0;

  // Monte Carlo blocks of an analysis (ComputeUncertaintyRequest.block),
  // keyed by the analysis id and first replicate. Inserts unless a block
  // with that first replicate exists; returns whether it was inserted.
  virtual absl::StatusOr<bool> InsertUncertaintyBlock(const std::string& analysis_id,
                                                      const ReplicateBlockRanks& block) = 0;
  // The replicate count of the stored block starting at `first`, if any.
  virtual absl::StatusOr<std::optional<int64_t>> FindUncertaintyBlock(
      const std::string& analysis_id, int64_t first) = 0;
  // Every stored block of the analysis, by first replicate.
  virtual absl::StatusOr<std::vector<ReplicateBlockRanks>> UncertaintyBlocks(
      const std::string& analysis_id) = 0;
};

class ScoringStore final : public RunStore {
 public:
  // ExportResults reads `page_rows` rows per page, one short transaction
  // each (libs/storage/paged_read.h).
  explicit ScoringStore(storage::ConnectionPool& pool, int page_rows = 5000)
      : pool_(pool), page_rows_(page_rows) {}

  absl::StatusOr<bool> InsertRun(const v1::Run& run, const std::vector<RunResultRow>& rows,
                                 bool draft) override;
  absl::Status PublishExisting(const std::string& id, const std::string& published_by) override;
  absl::StatusOr<int> PublishRuns(const std::vector<std::string>& ids,
                                  const std::string& published_by) override;
  absl::StatusOr<std::optional<v1::Run>> FindRun(const std::string& id) override;
  absl::StatusOr<std::vector<v1::Run>> ListRuns(const std::string& framework_code, int period,
                                                int64_t offset, int limit, int64_t* total) override;
  absl::StatusOr<std::optional<std::string>> FindSeriesRun(const std::string& series,
                                                           int period) override;
  absl::StatusOr<std::vector<RunResultRow>> NodeResults(const std::string& run_id,
                                                        const std::string& node,
                                                        bool cluster) override;
  absl::StatusOr<std::vector<RunResultRow>> Scores(const std::string& run_id,
                                                   bool cluster) override;
  absl::Status ExportResults(
      const std::string& run_id,
      const std::function<bool(std::vector<RunResultRow>&)>& on_chunk) override;
  absl::StatusOr<bool> InsertUncertainty(const v1::Uncertainty& analysis) override;
  absl::StatusOr<std::optional<v1::Uncertainty>> FindUncertainty(const std::string& id) override;
  absl::StatusOr<bool> InsertUncertaintyBlock(const std::string& analysis_id,
                                              const ReplicateBlockRanks& block) override;
  absl::StatusOr<std::optional<int64_t>> FindUncertaintyBlock(const std::string& analysis_id,
                                                              int64_t first) override;
  absl::StatusOr<std::vector<ReplicateBlockRanks>> UncertaintyBlocks(
      const std::string& analysis_id) override;

 private:
  storage::ConnectionPool& pool_;
  const int page_rows_;
};

}  // namespace innoscope::scoring
