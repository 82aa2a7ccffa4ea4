#include "services/scoring/scoring_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <pqxx/pqxx>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/status_macros.h"
#include "libs/storage/paged_read.h"

namespace innoscope::scoring {
namespace {

constexpr char kInsertRun[] =
    "INSERT INTO runs (id, framework_code, framework_version, period, weight_set_id, label, "
    "content, series, published, written_by, published_by) "
    "VALUES ($1, $2, $3, $4, $5, $6, decode($7, 'hex'), $8, $9, $10, CASE WHEN $9 THEN $10 ELSE '' "
    "END) "
    "ON CONFLICT (id) DO NOTHING RETURNING id";
// A published request for a run stored as a draft publishes it; a draft
// request never unpublishes.
constexpr char kPublishExisting[] =
    "UPDATE runs SET published = true, published_by = $2 WHERE id = $1 AND NOT published";
// Locks the row, so a concurrent publish of the same run waits.
constexpr char kRunPublished[] = "SELECT published FROM runs WHERE id = $1 FOR UPDATE";
constexpr char kPublishRun[] = "UPDATE runs SET published = true, published_by = $2 WHERE id = $1";
constexpr char kResultsTable[] = "run_results";
constexpr char kSelectRun[] =
    "SELECT encode(content, 'hex'), (extract(epoch FROM created_at) * 1000000)::bigint, "
    "written_by, published_by "
    "FROM runs WHERE id = $1";
// Listings and the newest-run lookups see published runs only.
constexpr char kCountRuns[] =
    "SELECT count(*) FROM runs WHERE published AND ($1 = '' OR framework_code = $1) "
    "AND ($2 = 0 OR period = $2)";
constexpr char kListRuns[] =
    "SELECT encode(content, 'hex'), (extract(epoch FROM created_at) * 1000000)::bigint, "
    "written_by, published_by "
    "FROM runs WHERE published AND ($1 = '' OR framework_code = $1) AND ($2 = 0 OR period = $2) "
    "ORDER BY created_at DESC, id OFFSET $3 LIMIT $4";
constexpr char kSeriesRun[] =
    "SELECT id FROM runs WHERE series = $1 AND period = $2 AND published "
    "ORDER BY created_at DESC, id LIMIT 1";
constexpr char kNodeResults[] =
    "SELECT region, node_position, score, rank, raw, normalised, imputed, tier FROM run_results "
    "WHERE run_id = $1 AND node = $2 AND is_cluster = $3 ORDER BY region";
constexpr char kScores[] =
    "SELECT region, node_position, score, rank FROM run_results "
    "WHERE run_id = $1 AND is_cluster = $2";
// Paged by the key below (libs/storage/paged_read.h), with the quoted run id
// appended. node_position is unique per node, node breaks no tie but makes
// the key unique by the table's primary key.
constexpr char kExportResults[] =
    "SELECT region, node, node_position, is_cluster, score, rank, raw, normalised, imputed, tier "
    "FROM run_results WHERE run_id = ";
constexpr char kInsertUncertainty[] =
    "INSERT INTO uncertainty_analyses (id, run_id, content) VALUES ($1, $2, decode($3, 'hex')) "
    "ON CONFLICT (id) DO NOTHING RETURNING id";
constexpr char kRanksTable[] = "uncertainty_ranks";
constexpr char kInsertSensitivity[] =
    "INSERT INTO uncertainty_sensitivity (analysis_id, factor, position, first_order, total, "
    "first_order_low, first_order_high, total_low, total_high) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
constexpr char kInsertBlock[] =
    "INSERT INTO uncertainty_blocks (analysis_id, first_replicate, replicate_count, regions, "
    "ranks) VALUES ($1, $2, $3, $4, decode($5, 'hex')) "
    "ON CONFLICT (analysis_id, first_replicate) DO NOTHING RETURNING analysis_id";
constexpr char kBlockCount[] =
    "SELECT replicate_count FROM uncertainty_blocks WHERE analysis_id = $1 AND first_replicate = "
    "$2";
constexpr char kSelectBlocks[] =
    "SELECT first_replicate, replicate_count, regions, encode(ranks, 'hex') "
    "FROM uncertainty_blocks WHERE analysis_id = $1 ORDER BY first_replicate";
constexpr char kSelectUncertainty[] =
    "SELECT encode(content, 'hex'), (extract(epoch FROM created_at) * 1000000)::bigint "
    "FROM uncertainty_analyses WHERE id = $1";

// The shortest text that parses back to the same double; NULL for NaN.
std::optional<std::string> Exact(double value) {
  if (std::isnan(value)) return std::nullopt;
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, end);
}

std::optional<std::string> NonZero(int value) {
  if (value == 0) return std::nullopt;
  return absl::StrCat(value);
}

double DoubleOrMissing(const pqxx::field& field) {
  return field.is_null() ? index::kMissing : field.as<double>();
}

int IntOrZero(const pqxx::field& field) { return field.is_null() ? 0 : field.as<int>(); }

template <typename Message>
absl::StatusOr<Message> Decode(const pqxx::row& row, const char* what) {
  Message message;
  if (!message.ParseFromString(absl::HexStringToBytes(row[0].as<std::string>()))) {
    return absl::DataLossError(absl::StrCat("stored ", what, " does not parse"));
  }
  *message.mutable_created_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row[1].as<int64_t>());
  return message;
}

// score, rank, raw, normalised, imputed, tier from six columns from `first`.
void ReadValues(const pqxx::row& row, int first, RunResultRow& r) {
  r.score = DoubleOrMissing(row[first]);
  r.rank = IntOrZero(row[first + 1]);
  r.raw = DoubleOrMissing(row[first + 2]);
  r.normalised = DoubleOrMissing(row[first + 3]);
  r.imputed = row[first + 4].as<bool>();
  r.tier = IntOrZero(row[first + 5]);
}

// A run row of kSelectRun / kListRuns: the columns are the record of who
// wrote and published it.
absl::StatusOr<v1::Run> DecodeRun(const pqxx::row& row) {
  ASSIGN_OR_RETURN(v1::Run run, Decode<v1::Run>(row, "run"));
  run.set_written_by(row[2].as<std::string>());
  run.set_published_by(row[3].as<std::string>());
  return run;
}

// Ranks as 32-bit little-endian integers, in order.
std::string PackRanks(const std::vector<int>& ranks) {
  std::string bytes(ranks.size() * 4, '\0');
  for (size_t i = 0; i < ranks.size(); ++i) {
    const uint32_t v = static_cast<uint32_t>(ranks[i]);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((v >> (8 * b)) & 0xFF);
  }
  return bytes;
}

std::vector<int> UnpackRanks(const std::string& bytes) {
  std::vector<int> ranks(bytes.size() / 4);
  for (size_t i = 0; i < ranks.size(); ++i) {
    uint32_t v = 0;
    for (int b = 0; b < 4; ++b) {
      v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i * 4 + b])) << (8 * b);
    }
    ranks[i] = static_cast<int>(v);
  }
  return ranks;
}

}  // namespace

absl::StatusOr<bool> ScoringStore::InsertRun(const v1::Run& run,
                                             const std::vector<RunResultRow>& rows, bool draft) {
  bool created = false;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result r = tx.exec_params(
        kInsertRun, run.id(), run.spec().framework().code(), run.spec().framework().version(),
        run.spec().period(), run.weight_set_id(), run.spec().label(),
        absl::BytesToHexString(run.SerializeAsString()), run.series(), !draft, run.written_by());
    created = !r.empty();
    if (!created && !draft) tx.exec_params(kPublishExisting, run.id(), run.written_by());
    if (created) {
      pqxx::stream_to copy(
          tx, kResultsTable,
          std::vector<std::string>{"run_id", "region", "node", "node_position", "is_cluster",
                                   "score", "rank", "raw", "normalised", "imputed", "tier"});
      // In the primary key's order (node, is_cluster, region; bytewise, the
      // order of the "C" collation and close to any other): each row then
      // lands on the rightmost leaf of the key's B-tree, which PostgreSQL
      // appends to without a descent, instead of at one place per node.
      std::vector<const RunResultRow*> ordered;
      ordered.reserve(rows.size());
      for (const RunResultRow& row : rows) ordered.push_back(&row);
      std::sort(ordered.begin(), ordered.end(), [](const RunResultRow* a, const RunResultRow* b) {
        return std::tie(a->node, a->cluster, a->region) < std::tie(b->node, b->cluster, b->region);
      });
      for (const RunResultRow* ordered_row : ordered) {
        const RunResultRow& row = *ordered_row;
        copy << std::make_tuple(run.id(), row.region, row.node, row.node_position, row.cluster,
                                Exact(row.score), NonZero(row.rank), Exact(row.raw),
                                Exact(row.normalised), row.imputed, NonZero(row.tier));
      }
      copy.complete();
    }
    tx.commit();
    return absl::OkStatus();
  }));
  return created;
}

absl::Status ScoringStore::PublishExisting(const std::string& id, const std::string& published_by) {
  return pool_.WithRetries([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params(kPublishExisting, id, published_by);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<int> ScoringStore::PublishRuns(const std::vector<std::string>& ids,
                                              const std::string& published_by) {
  int published = 0;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    published = 0;
    pqxx::work tx(c);
    for (const std::string& id : ids) {
      pqxx::result r = tx.exec_params(kRunPublished, id);
      if (r.empty()) {
        // Not committed: the runs updated before this one stay drafts.
        return absl::NotFoundError(
            absl::StrCat("run_ids: run \"", id, "\" does not exist; nothing was published"));
      }
      if (!r[0][0].as<bool>()) {
        tx.exec_params(kPublishRun, id, published_by);
        ++published;
      }
    }
    tx.commit();
    return absl::OkStatus();
  }));
  return published;
}

absl::StatusOr<std::optional<v1::Run>> ScoringStore::FindRun(const std::string& id) {
  std::optional<v1::Run> run;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(kSelectRun, id);
    if (!r.empty()) {
      ASSIGN_OR_RETURN(run, DecodeRun(r[0]));
    }
    return absl::OkStatus();
  }));
  return run;
}

absl::StatusOr<std::vector<v1::Run>> ScoringStore::ListRuns(const std::string& framework_code,
                                                            int period, int64_t offset, int limit,
                                                            int64_t* total) {
  std::vector<v1::Run> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    *total = tx.exec_params(kCountRuns, framework_code, period)[0][0].as<int64_t>();
    for (const auto& row : tx.exec_params(kListRuns, framework_code, period, offset, limit)) {
      ASSIGN_OR_RETURN(v1::Run run, DecodeRun(row));
      run.clear_statistics();
      run.clear_universe();
      run.clear_group_labels();
      run.mutable_summary()->clear_nodes();
      out.push_back(std::move(run));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::optional<std::string>> ScoringStore::FindSeriesRun(const std::string& series,
                                                                       int period) {
  std::optional<std::string> id;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(kSeriesRun, series, period);
    if (!r.empty()) id = r[0][0].as<std::string>();
    return absl::OkStatus();
  }));
  return id;
}

absl::StatusOr<std::vector<RunResultRow>> ScoringStore::NodeResults(const std::string& run_id,
                                                                    const std::string& node,
                                                                    bool cluster) {
  std::vector<RunResultRow> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(kNodeResults, run_id, node, cluster)) {
      RunResultRow& r = out.emplace_back();
      r.region = row[0].as<std::string>();
      r.node = node;
      r.node_position = row[1].as<int>();
      r.cluster = cluster;
      ReadValues(row, 2, r);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<RunResultRow>> ScoringStore::Scores(const std::string& run_id,
                                                               bool cluster) {
  std::vector<RunResultRow> out;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::read_transaction tx(c);
    for (const auto& row : tx.exec_params(kScores, run_id, cluster)) {
      RunResultRow& r = out.emplace_back();
      r.region = row[0].as<std::string>();
      r.node_position = row[1].as<int>();
      r.cluster = cluster;
      r.score = DoubleOrMissing(row[2]);
      r.rank = IntOrZero(row[3]);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status ScoringStore::ExportResults(
    const std::string& run_id, const std::function<bool(std::vector<RunResultRow>&)>& on_chunk) {
  // A stored run's results never change, so pages read in separate
  // transactions form one consistent export.
  storage::PagedQuery query;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    query.select = absl::StrCat(kExportResults, tx.quote(run_id));
    return absl::OkStatus();
  }));
  query.key = {"is_cluster", "region", "node_position", "node"};
  query.key_columns = {3, 0, 2, 1};
  return storage::StreamPages(pool_, query, page_rows_, [&](const pqxx::result& r) {
    std::vector<RunResultRow> chunk;
    chunk.reserve(r.size());
    for (const auto& row : r) {
      RunResultRow& out = chunk.emplace_back();
      out.region = row[0].as<std::string>();
      out.node = row[1].as<std::string>();
      out.node_position = row[2].as<int>();
      out.cluster = row[3].as<bool>();
      ReadValues(row, 4, out);
    }
    return on_chunk(chunk);
  });
}

absl::StatusOr<bool> ScoringStore::InsertUncertainty(const v1::Uncertainty& analysis) {
  bool created = false;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result r = tx.exec_params(kInsertUncertainty, analysis.id(), analysis.run_id(),
                                    absl::BytesToHexString(analysis.SerializeAsString()));
    created = !r.empty();
    if (created) {
      {
        pqxx::stream_to copy(
            tx, kRanksTable,
            std::vector<std::string>{"analysis_id", "region", "nominal_score", "nominal_rank",
                                     "mean_rank", "median_rank", "p05_rank", "p95_rank"});
        for (const v1::RegionRankInterval& u : analysis.regions()) {
          copy << std::make_tuple(analysis.id(), u.region_code(), Exact(u.nominal_score()),
                                  u.nominal_rank(), Exact(u.mean_rank()), Exact(u.median_rank()),
                                  Exact(u.p05_rank()), Exact(u.p95_rank()));
        }
        copy.complete();
      }
      for (int i = 0; i < analysis.sensitivity_size(); ++i) {
        const v1::FactorSensitivity& s = analysis.sensitivity(i);
        auto opt = [](bool has, double v) { return has ? std::optional<double>(v) : std::nullopt; };
        tx.exec_params(kInsertSensitivity, analysis.id(), s.factor(), i,
                       opt(s.has_first_order(), s.first_order()), opt(s.has_total(), s.total()),
                       opt(s.has_first_order_low(), s.first_order_low()),
                       opt(s.has_first_order_high(), s.first_order_high()),
                       opt(s.has_total_low(), s.total_low()),
                       opt(s.has_total_high(), s.total_high()));
      }
    }
    tx.commit();
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<std::optional<v1::Uncertainty>> ScoringStore::FindUncertainty(
    const std::string& id) {
  std::optional<v1::Uncertainty> analysis;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(kSelectUncertainty, id);
    if (!r.empty()) {
      ASSIGN_OR_RETURN(analysis, Decode<v1::Uncertainty>(r[0], "uncertainty analysis"));
    }
    return absl::OkStatus();
  }));
  return analysis;
}

absl::StatusOr<bool> ScoringStore::InsertUncertaintyBlock(const std::string& analysis_id,
                                                          const ReplicateBlockRanks& block) {
  bool created = false;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) {
    pqxx::work tx(c);
    pqxx::result r = tx.exec_params(kInsertBlock, analysis_id, block.first, block.count,
                                    static_cast<int>(block.regions),
                                    absl::BytesToHexString(PackRanks(block.ranks)));
    created = !r.empty();
    tx.commit();
    return absl::OkStatus();
  }));
  return created;
}

absl::StatusOr<std::optional<int64_t>> ScoringStore::FindUncertaintyBlock(
    const std::string& analysis_id, int64_t first) {
  std::optional<int64_t> count;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(kBlockCount, analysis_id, first);
    if (!r.empty()) count = r[0][0].as<int64_t>();
    return absl::OkStatus();
  }));
  return count;
}

absl::StatusOr<std::vector<ReplicateBlockRanks>> ScoringStore::UncertaintyBlocks(
    const std::string& analysis_id) {
  std::vector<ReplicateBlockRanks> blocks;
  RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
    pqxx::read_transaction tx(c);
    pqxx::result r = tx.exec_params(kSelectBlocks, analysis_id);
    blocks.clear();
    for (const pqxx::row& row : r) {
      ReplicateBlockRanks b;
      b.first = row[0].as<int64_t>();
      b.count = row[1].as<int64_t>();
      b.regions = static_cast<size_t>(row[2].as<int>());
      b.ranks = UnpackRanks(absl::HexStringToBytes(row[3].as<std::string>()));
      blocks.push_back(std::move(b));
    }
    return absl::OkStatus();
  }));
  return blocks;
}

}  // namespace innoscope::scoring
