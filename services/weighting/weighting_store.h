#pragma once

// WeightingStore: the SQL of the weighting service (schema `weighting`).
// Weight sets are immutable: inserted once under their content-derived id.
//
//   ASSIGN_OR_RETURN(bool created, store.Insert(weight_set));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "innoscope/weighting/v1/weighting.pb.h"
#include "libs/storage/pool.h"

namespace innoscope::weighting {

class WeightingStore {
 public:
  explicit WeightingStore(storage::ConnectionPool& pool) : pool_(pool) {}

  // Inserts the set unless its id exists; returns whether it was inserted.
  absl::StatusOr<bool> Insert(const v1::WeightSet& set);
  // NOT_FOUND names the id.
  absl::StatusOr<v1::WeightSet> Get(const std::string& id);
  // Newest first, without weights and diagnostics.
  absl::StatusOr<std::vector<v1::WeightSet>> List(const std::string& framework_code,
                                                  int64_t offset, int limit, int64_t* total);

 private:
  storage::ConnectionPool& pool_;
};

}  // namespace innoscope::weighting
