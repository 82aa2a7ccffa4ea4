#pragma once

// FakeWeightSetStore: the weighting service's WeightSetStore in memory, so
// that WeightingService runs in unit tests without PostgreSQL. Insert keeps
// the first set of an id, as the SQL store does.
//
//   FakeWeightSetStore store;
//   WeightingService core(ingest, store);

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/weighting/weighting_store.h"

namespace innoscope::weighting::testing {

class FakeWeightSetStore final : public WeightSetStore {
 public:
  absl::StatusOr<bool> Insert(const v1::WeightSet& set) override {
    return sets_.emplace(set.id(), set).second;
  }
  absl::StatusOr<v1::WeightSet> Get(const std::string& id) override {
    auto it = sets_.find(id);
    if (it == sets_.end()) return absl::NotFoundError(absl::StrCat("weight set ", id, ": none"));
    return it->second;
  }
  // By id (no insertion times here), all of them.
  absl::StatusOr<std::vector<v1::WeightSet>> List(const std::string& framework_code, int64_t, int,
                                                  int64_t* total) override {
    std::vector<v1::WeightSet> out;
    for (const auto& [id, set] : sets_) {
      if (framework_code.empty() || set.framework().code() == framework_code) out.push_back(set);
    }
    *total = static_cast<int64_t>(out.size());
    return out;
  }

  const std::map<std::string, v1::WeightSet>& sets() const { return sets_; }

 private:
  std::map<std::string, v1::WeightSet> sets_;
};

}  // namespace innoscope::weighting::testing
