#include "services/network/network_store.h"

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/status_macros.h"
#include "libs/server/content_hash.h"

namespace innoscope::network {
namespace {

constexpr char kInsertRun[] =
    "INSERT INTO runs (id, kind, relation_set, data_version, convention, selection, run, "
    "request, result, written_by) VALUES ($1, $2, $3, $4, $5, $6::jsonb, decode($7, 'hex'), "
    "decode($8, 'hex'), decode($9, 'hex'), $10) ON CONFLICT (id) DO NOTHING";
constexpr char kFirstRecorded[] =
    "SELECT (extract(epoch FROM created_at) * 1000000)::bigint, written_by FROM runs "
    "WHERE id = $1";
constexpr char kCountRuns[] =
    "SELECT count(*) FROM runs WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR relation_set = $2)";
constexpr char kListRuns[] =
    "SELECT encode(run, 'hex'), (extract(epoch FROM created_at) * 1000000)::bigint, written_by "
    "FROM runs "
    "WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR relation_set = $2) "
    "ORDER BY created_at DESC, id OFFSET $3 LIMIT $4";

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

std::string KindName(v1::RunKind kind) {
  return kind == v1::RUN_KIND_UNSPECIFIED ? "" : v1::RunKind_Name(kind);
}

}  // namespace

absl::Status NetworkStore::Record(v1::Run* run, const google::protobuf::Message& request,
                                  const google::protobuf::Message& result) {
  std::string selection;
  if (!google::protobuf::util::MessageToJsonString(run->selection(), &selection).ok()) {
    return absl::InternalError("the selection does not convert to JSON");
  }
  return pool_.WithRetries([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(kInsertRun, run->id(), KindName(run->kind()), run->selection().relation_set(),
                   run->data_version().version(), v1::Convention_Name(run->convention()), selection,
                   absl::BytesToHexString(server::DeterministicBytes(*run)),
                   absl::BytesToHexString(server::DeterministicBytes(request)),
                   absl::BytesToHexString(server::DeterministicBytes(result)), run->written_by());
    pqxx::row first = tx.exec_params1(kFirstRecorded, run->id());
    *run->mutable_created_at() = FromMicros(first[0].as<int64_t>());
    run->set_written_by(first[1].as<std::string>());
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Run>> NetworkStore::List(v1::RunKind kind,
                                                        const std::string& relation_set,
                                                        int64_t offset, int limit, int64_t* total) {
  std::vector<v1::Run> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    *total = tx.exec_params(kCountRuns, KindName(kind), relation_set)[0][0].as<int64_t>();
    for (const auto& row : tx.exec_params(kListRuns, KindName(kind), relation_set, offset, limit)) {
      v1::Run run;
      if (!run.ParseFromString(absl::HexStringToBytes(row[0].as<std::string>()))) {
        return absl::DataLossError("a stored run does not parse");
      }
      *run.mutable_created_at() = FromMicros(row[1].as<int64_t>());
      run.set_written_by(row[2].as<std::string>());
      out.push_back(std::move(run));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace innoscope::network
