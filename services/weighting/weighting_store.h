#pragma once

// WeightSetStore: where the weighting service keeps its weight sets, an
// interface so that the service's logic is unit-tested without a database
// (tests/mocks/weighting). WeightingStore: its SQL (schema `weighting`).
// Weight sets are immutable: inserted once under their content-derived id.
//
//   WeightingStore store(pool);
//   ASSIGN_OR_RETURN(bool created, store.Insert(weight_set));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "innoscope/weighting/v1/weighting.pb.h"
#include "libs/storage/pool.h"

namespace innoscope::weighting {

class WeightSetStore {
 public:
  virtual ~WeightSetStore() = default;

  // Inserts the set unless its id exists; returns whether it was inserted.
  virtual absl::StatusOr<bool> Insert(const v1::WeightSet& set) = 0;
  // NOT_FOUND names the id.
  virtual absl::StatusOr<v1::WeightSet> Get(const std::string& id) = 0;
  // Newest first, without weights and diagnostics.
  virtual absl::StatusOr<std::vector<v1::WeightSet>> List(const std::string& framework_code,
                                                          int64_t offset, int limit,
                                                          int64_t* total) = 0;
};

class WeightingStore final : public WeightSetStore {
 public:
  explicit WeightingStore(storage::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<bool> Insert(const v1::WeightSet& set) override;
  absl::StatusOr<v1::WeightSet> Get(const std::string& id) override;
  absl::StatusOr<std::vector<v1::WeightSet>> List(const std::string& framework_code, int64_t offset,
                                                  int limit, int64_t* total) override;

 private:
  storage::ConnectionPool& pool_;
};

}  // namespace innoscope::weighting
