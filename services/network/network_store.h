#pragma once

// RunStore: where the network service records its runs, an interface so
// that the service's logic is unit-tested without a database
// (tests/mocks/network). NetworkStore: its SQL (schema `network`). Runs are
// immutable and keyed by their content-derived id: recording one that
// exists keeps the first.
//
//   NetworkStore store(pool);
//   RETURN_IF_ERROR(store.Record(&run, request, result));  // run.created_at: first recorded

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "innoscope/network/v1/network.pb.h"
#include "libs/storage/pool.h"

namespace innoscope::network {

class RunStore {
 public:
  virtual ~RunStore() = default;

  // Inserts the run (written by run->written_by) unless its id exists;
  // then sets run->created_at and run->written_by to those stored, i.e. of
  // its first recording.
  virtual absl::Status Record(v1::Run* run, const google::protobuf::Message& request,
                              const google::protobuf::Message& result) = 0;
  // Newest first; kind UNSPECIFIED and relation_set "" match everything.
  virtual absl::StatusOr<std::vector<v1::Run>> List(v1::RunKind kind,
                                                    const std::string& relation_set, int64_t offset,
                                                    int limit, int64_t* total) = 0;
};

class NetworkStore final : public RunStore {
 public:
  explicit NetworkStore(storage::ConnectionPool& pool) : pool_(pool) {}

  absl::Status Record(v1::Run* run, const google::protobuf::Message& request,
                      const google::protobuf::Message& result) override;
  absl::StatusOr<std::vector<v1::Run>> List(v1::RunKind kind, const std::string& relation_set,
                                            int64_t offset, int limit, int64_t* total) override;

 private:
  storage::ConnectionPool& pool_;
};

}  // namespace innoscope::network
