#include "services/weighting/weighting_store.h"

#include <pqxx/pqxx>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/status_macros.h"

namespace innoscope::weighting {
namespace {

constexpr char kInsertSet[] =
    "INSERT INTO weight_sets (id, framework_code, framework_version, method, label, period, "
    "data_version, content, written_by) "
    "VALUES ($1, $2, $3, $4, $5, nullif($6, 0), $7, decode($8, 'hex'), $9) "
    "ON CONFLICT (id) DO NOTHING RETURNING created_at";
constexpr char kInsertNode[] =
    "INSERT INTO node_weights (weight_set_id, node_code, parent_code, level, local_weight, "
    "global_weight, printed_weight) VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr char kSelectSet[] =
    "SELECT encode(content, 'hex'), (extract(epoch FROM created_at) * 1000000)::bigint, "
    "written_by "
    "FROM weight_sets WHERE id = $1";
constexpr char kCountSets[] =
    "SELECT count(*) FROM weight_sets WHERE $1 = '' OR framework_code = $1";
constexpr char kListSets[] =
    "SELECT encode(content, 'hex'), (extract(epoch FROM created_at) * 1000000)::bigint, "
    "written_by "
    "FROM weight_sets WHERE $1 = '' OR framework_code = $1 "
    "ORDER BY created_at DESC, id OFFSET $2 LIMIT $3";

absl::StatusOr<v1::WeightSet> Decode(const pqxx::row& row) {
  v1::WeightSet set;
  if (!set.ParseFromString(absl::HexStringToBytes(row[0].as<std::string>()))) {
    return absl::DataLossError("stored weight set does not parse");
  }
  *set.mutable_created_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row[1].as<int64_t>());
  // The column is the record (the content of sets stored before has none).
  set.set_written_by(row[2].as<std::string>());
  return set;
}

}  // namespace

absl::StatusOr<bool> WeightingStore::Insert(const v1::WeightSet& set) {
  bool created = false;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::optional<int64_t> data_version;
    if (set.has_data_version()) data_version = set.data_version().version();
    pqxx::result r = tx.exec_params(
        kInsertSet, set.id(), set.framework().code(), set.framework().version(),
        v1::Method_Name(set.method()), set.parameters().label(), set.period(), data_version,
        absl::BytesToHexString(set.SerializeAsString()), set.written_by());
    created = !r.empty();
    if (created) {
      for (const v1::NodeWeight& w : set.weights()) {
        std::optional<double> printed;
        if (w.has_printed_weight()) printed = w.printed_weight();
        tx.exec_params(kInsertNode, set.id(), w.code(), w.parent_code(), w.level(),
                       w.local_weight(), w.global_weight(), printed);
      }
    }
    tx.commit();
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<v1::WeightSet> WeightingStore::Get(const std::string& id) {
  absl::StatusOr<v1::WeightSet> set = absl::NotFoundError(
      absl::StrCat("weight set \"", id, "\" does not exist (see ListWeightSets)"));
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(kSelectSet, id);
    if (!r.empty()) set = Decode(r[0]);
    return absl::OkStatus();
  }));
  return set;
}

absl::StatusOr<std::vector<v1::WeightSet>> WeightingStore::List(const std::string& framework_code,
                                                                int64_t offset, int limit,
                                                                int64_t* total) {
  std::vector<v1::WeightSet> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    *total = tx.exec_params(kCountSets, framework_code)[0][0].as<int64_t>();
    for (const auto& row : tx.exec_params(kListSets, framework_code, offset, limit)) {
      ASSIGN_OR_RETURN(v1::WeightSet set, Decode(row));
      set.clear_weights();
      set.clear_matrices();
      set.clear_indicators();
      out.push_back(std::move(set));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace innoscope::weighting
