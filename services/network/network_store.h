#pragma once

// NetworkStore: the SQL of the network service (schema `network`). Runs are
// immutable and keyed by their content-derived id: recording one that
// exists keeps the first.
//
//   ASSIGN_OR_RETURN(google::protobuf::Timestamp first, store.Record(run, request, result));

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "innoscope/network/v1/network.pb.h"
#include "libs/storage/pool.h"

namespace innoscope::network {

class NetworkStore {
 public:
  explicit NetworkStore(storage::ConnectionPool& pool) : pool_(pool) {}

  // Inserts the run unless its id exists; returns when it was first recorded.
  absl::StatusOr<google::protobuf::Timestamp> Record(const v1::Run& run,
                                                     const google::protobuf::Message& request,
                                                     const google::protobuf::Message& result);
  // Newest first; kind UNSPECIFIED and relation_set "" match everything.
  absl::StatusOr<std::vector<v1::Run>> List(v1::RunKind kind, const std::string& relation_set,
                                            int64_t offset, int limit, int64_t* total);

 private:
  storage::ConnectionPool& pool_;
};

}  // namespace innoscope::network
