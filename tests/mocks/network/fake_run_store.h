#pragma once

// FakeRunStore: the network service's RunStore in memory, so that
// NetworkService runs in unit tests without PostgreSQL. Recording an
// existing id keeps the first run and its time, as the SQL store does.
//
//   FakeRunStore store;
//   NetworkService core(ingest, store);

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "services/network/network_store.h"

namespace innoscope::network::testing {

class FakeRunStore final : public RunStore {
 public:
  // Runs are "recorded" at 1, 2, 3... seconds after the epoch.
  absl::Status Record(v1::Run* run, const google::protobuf::Message&,
                      const google::protobuf::Message&) override {
    auto it = runs_.find(run->id());
    if (it == runs_.end()) {
      v1::Run stored = *run;
      stored.mutable_created_at()->set_seconds(static_cast<int64_t>(runs_.size()) + 1);
      it = runs_.emplace(run->id(), std::move(stored)).first;
    }
    *run->mutable_created_at() = it->second.created_at();
    run->set_written_by(it->second.written_by());
    return absl::OkStatus();
  }
  // By id (not newest first), all of them.
  absl::StatusOr<std::vector<v1::Run>> List(v1::RunKind kind, const std::string& relation_set,
                                            int64_t, int, int64_t* total) override {
    std::vector<v1::Run> out;
    for (const auto& [id, run] : runs_) {
      if ((kind == v1::RUN_KIND_UNSPECIFIED || run.kind() == kind) &&
          (relation_set.empty() || run.selection().relation_set() == relation_set)) {
        out.push_back(run);
      }
    }
    *total = static_cast<int64_t>(out.size());
    return out;
  }

  const std::map<std::string, v1::Run>& runs() const { return runs_; }

 private:
  std::map<std::string, v1::Run> runs_;
};

}  // namespace innoscope::network::testing
