#include "services/scoring/scoring_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <pqxx/pqxx>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "libs/common/status_macros.h"
#include "libs/storage/copy_writer.h"

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
// Results are stored by column (migration 0008): a row of
// run_result_columns per (run, is_cluster, node) with the node's values of
// every region as arrays aligned with run_result_regions.regions. The
// reads by node and of every score go through the view run_results, whose
// filters on run, node and is_cluster PostgreSQL applies to
// run_result_columns before unnesting (its primary key).
constexpr char kNodeResults[] =
    "SELECT region, node_position, score, rank, raw, normalised, imputed, tier FROM run_results "
    "WHERE run_id = $1 AND node = $2 AND is_cluster = $3 ORDER BY region";
constexpr char kScores[] =
    "SELECT region, node_position, score, rank FROM run_results "
    "WHERE run_id = $1 AND is_cluster = $2";
constexpr char kResultRegionsTable[] = "run_result_regions";
constexpr char kResultColumnsTable[] = "run_result_columns";
// The database's order of region codes (the view's ORDER BY region), so
// that the arrays are stored in it and ExportResults pages in it.
constexpr char kSortCodes[] = "SELECT code FROM unnest($1::text[]) AS code ORDER BY code";
constexpr char kResultRegions[] =
    "SELECT code FROM run_result_regions, unnest(regions) WITH ORDINALITY AS u (code, i) "
    "WHERE run_id = $1 AND is_cluster = $2 ORDER BY i";
// Regions [$3, $4] (1-based) of every node, region by region and in each
// region by framework node order: the rows of ExportResults.
constexpr char kExportResults[] =
    "SELECT c.node, c.node_position, u.score, u.rank, u.raw, u.normalised, u.imputed, u.tier "
    "FROM run_result_columns c, "
    "unnest(c.score[$3:$4], c.rank[$3:$4], c.raw[$3:$4], c.normalised[$3:$4], "
    "c.imputed[$3:$4], c.tier[$3:$4]) WITH ORDINALITY "
    "AS u (score, rank, raw, normalised, imputed, tier, i) "
    "WHERE c.run_id = $1 AND c.is_cluster = $2 ORDER BY u.i, c.node_position";
// ExportResults reads up to this many pages of rows in one short
// transaction, then hands them on page by page with no connection held:
// every read detoasts each node's whole arrays (PostgreSQL slices an array
// after reading it), so one read per page would read a run of 3,000
// regions x 337 nodes about 200 times over.
constexpr int kPagesPerRead = 64;
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

// PostgreSQL's binary array format (array_send and array_recv): the
// number of dimensions, a has-NULL flag, the element type's OID, the length
// and lower bound of the one dimension, then each element as a 32-bit
// length (-1: NULL) and its bytes, all big-endian. Sent as a binary
// parameter, it spares the server parsing every number from text: float8in
// was most of PostgreSQL's time storing a run's arrays.
constexpr uint32_t kBoolOid = 16;
constexpr uint32_t kInt4Oid = 23;
constexpr uint32_t kTextOid = 25;
constexpr uint32_t kFloat8Oid = 701;

class BinaryArray {
 public:
  BinaryArray(uint32_t type, size_t size, size_t element_bytes) {
    bytes_.reserve(20 + size * (4 + element_bytes));
    Put(1, 4);  // dimensions
    Put(0, 4);  // has NULLs: set by AddNull
    Put(type, 4);
    Put(size, 4);
    Put(1, 4);  // lower bound
  }
  void AddNull() {
    bytes_[7] = 1;
    Put(0xFFFFFFFFu, 4);
  }
  // A fixed-size element of `bytes` bytes, given as its bits.
  void Add(uint64_t bits, int bytes) {
    Put(static_cast<uint64_t>(bytes), 4);
    Put(bits, bytes);
  }
  void AddText(std::string_view text) {
    Put(text.size(), 4);
    bytes_.append(text.data(), text.size());
  }
  pqxx::binarystring Finish() const { return pqxx::binarystring(bytes_.data(), bytes_.size()); }

 private:
  void Put(uint64_t value, int bytes) {
    for (int b = bytes - 1; b >= 0; --b) bytes_ += static_cast<char>((value >> (8 * b)) & 0xFF);
  }
  std::string bytes_;
};

// A text[] of `codes` (strings or string views).
template <typename Codes>
pqxx::binarystring TextArray(const Codes& codes) {
  BinaryArray array(kTextOid, codes.size(), 8);
  for (const auto& code : codes) array.AddText(code);
  return array.Finish();
}

// One array of a node's cells (column-major cells, `regions` each, from
// `first`); `element` gives a cell's value as its bits and std::nullopt
// for an absent value (NULL).
template <typename Element>
pqxx::binarystring BinaryArrayOf(const std::vector<const RunResultRow*>& cells, size_t first,
                                 size_t regions, uint32_t type, int bytes, Element element) {
  BinaryArray array(type, regions, bytes);
  for (size_t i = 0; i < regions; ++i) {
    const std::optional<uint64_t> bits = element(*cells[first + i]);
    if (bits) {
      array.Add(*bits, bytes);
    } else {
      array.AddNull();
    }
  }
  return array.Finish();
}

// Cell values as array elements: NaN and a 0 rank or tier are absent.
std::optional<uint64_t> DoubleBits(double value) {
  if (std::isnan(value)) return std::nullopt;
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}
std::optional<uint64_t> NonZeroBits(int value) {
  if (value == 0) return std::nullopt;
  return static_cast<uint64_t>(static_cast<uint32_t>(value));
}

// Writes the rows of regions (cluster false) or clusters (true) of a run by
// column: their codes in the database's order (one row of
// run_result_regions) and a row of run_result_columns per node. Every code
// must have one row for every node that has any: the grid the view
// run_results unnests; INTERNAL otherwise (nothing is committed).
absl::Status CopyResultColumns(pqxx::work& tx, const std::string& run_id,
                               const std::vector<RunResultRow>& rows, bool cluster) {
  std::vector<std::string_view> codes;
  absl::flat_hash_set<std::string_view> seen;
  int nodes = 0;
  for (const RunResultRow& row : rows) {
    if (row.cluster != cluster) continue;
    if (row.node_position < 0) {
      return absl::InternalError(
          absl::StrCat("result row of ", row.region, " / ", row.node, ": negative node position"));
    }
    nodes = std::max(nodes, row.node_position + 1);
    if (seen.insert(row.region).second) codes.push_back(row.region);
  }
  if (codes.empty()) return absl::OkStatus();
  std::vector<std::string> ordered;
  ordered.reserve(codes.size());
  for (const auto& r : tx.exec_params(kSortCodes, TextArray(codes))) {
    ordered.push_back(r[0].as<std::string>());
  }
  absl::flat_hash_map<std::string_view, size_t> index;
  for (size_t i = 0; i < ordered.size(); ++i) index.emplace(ordered[i], i);
  if (ordered.size() != codes.size() || index.size() != codes.size()) {
    return absl::InternalError("result rows: region codes not sorted one to one");
  }
  const size_t regions = ordered.size();
  // Cells column-major (node position x region); rows of one region are
  // adjacent, so the code is looked up once per region.
  std::vector<const RunResultRow*> cells(static_cast<size_t>(nodes) * regions, nullptr);
  const std::string* last_code = nullptr;
  size_t at = 0;
  for (const RunResultRow& row : rows) {
    if (row.cluster != cluster) continue;
    if (last_code == nullptr || row.region != *last_code) {
      at = index.at(row.region);
      last_code = &row.region;
    }
    const RunResultRow*& cell = cells[row.node_position * regions + at];
    if (cell != nullptr) {
      return absl::InternalError(
          absl::StrCat("result rows: ", row.region, " / ", row.node, " twice"));
    }
    cell = &row;
  }
  tx.exec_params(absl::StrCat("INSERT INTO ", kResultRegionsTable,
                              " (run_id, is_cluster, regions) VALUES ($1, $2, $3::text[])"),
                 run_id, cluster, TextArray(ordered));
  // One statement per node with the arrays as binary parameters.
  const std::string insert = absl::StrCat(
      "INSERT INTO ", kResultColumnsTable,
      " (run_id, is_cluster, node, node_position, score, rank, raw, normalised, imputed, tier) "
      "VALUES ($1, $2, $3, $4, $5::float8[], $6::int4[], $7::float8[], $8::float8[], "
      "$9::boolean[], $10::int4[])");
  for (int node = 0; node < nodes; ++node) {
    const size_t first = static_cast<size_t>(node) * regions;
    const size_t present =
        static_cast<size_t>(std::count_if(cells.begin() + first, cells.begin() + first + regions,
                                          [](const RunResultRow* c) { return c != nullptr; }));
    if (present == 0) continue;
    if (present != regions) {
      return absl::InternalError(absl::StrCat("result rows: node position ", node, " has ", present,
                                              " of ", regions, " regions"));
    }
    tx.exec_params(
        insert, run_id, cluster, cells[first]->node, node,
        BinaryArrayOf(cells, first, regions, kFloat8Oid, 8,
                      [](const RunResultRow& c) { return DoubleBits(c.score); }),
        BinaryArrayOf(cells, first, regions, kInt4Oid, 4,
                      [](const RunResultRow& c) { return NonZeroBits(c.rank); }),
        BinaryArrayOf(cells, first, regions, kFloat8Oid, 8,
                      [](const RunResultRow& c) { return DoubleBits(c.raw); }),
        BinaryArrayOf(cells, first, regions, kFloat8Oid, 8,
                      [](const RunResultRow& c) { return DoubleBits(c.normalised); }),
        BinaryArrayOf(cells, first, regions, kBoolOid, 1,
                      [](const RunResultRow& c) { return std::optional<uint64_t>(c.imputed); }),
        BinaryArrayOf(cells, first, regions, kInt4Oid, 4,
                      [](const RunResultRow& c) { return NonZeroBits(c.tier); }));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> ScoringStore::InsertRun(const v1::Run& run,
                                             const std::vector<RunResultRow>& rows, bool draft) {
  bool created = false;
  RETURN_IF_ERROR(pool_.WithRetries([&](pqxx::connection& c) -> absl::Status {
    pqxx::work tx(c);
    pqxx::result r = tx.exec_params(
        kInsertRun, run.id(), run.spec().framework().code(), run.spec().framework().version(),
        run.spec().period(), run.weight_set_id(), run.spec().label(),
        absl::BytesToHexString(run.SerializeAsString()), run.series(), !draft, run.written_by());
    created = !r.empty();
    if (!created && !draft) tx.exec_params(kPublishExisting, run.id(), run.written_by());
    if (created) {
      for (bool cluster : {false, true}) {
        RETURN_IF_ERROR(CopyResultColumns(tx, run.id(), rows, cluster));
      }
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
  // A stored run's results never change, so reads in separate transactions
  // form one consistent export. Regions, then clusters; each read takes the
  // next block of codes (whole regions, up to kPagesPerRead pages of rows)
  // of every node, and its rows go out in pages of page_rows_ (the last one
  // shorter), with no connection held, as keyset pages of the relational
  // rows did.
  const size_t page_rows = static_cast<size_t>(std::max(1, page_rows_));
  std::vector<RunResultRow> pending;  // read, not yet handed on: < page_rows
  for (bool cluster : {false, true}) {
    std::vector<std::string> codes;
    size_t nodes = 0;
    RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) {
      pqxx::read_transaction tx(c);
      for (const auto& row : tx.exec_params(kResultRegions, run_id, cluster)) {
        codes.push_back(row[0].as<std::string>());
      }
      nodes = tx.exec_params(absl::StrCat("SELECT count(*) FROM ", kResultColumnsTable,
                                          " WHERE run_id = $1 AND is_cluster = $2"),
                             run_id, cluster)[0][0]
                  .as<size_t>();
      return absl::OkStatus();
    }));
    if (codes.empty() || nodes == 0) continue;
    const size_t block = std::max<size_t>(1, kPagesPerRead * page_rows / nodes);
    for (size_t first = 0; first < codes.size(); first += block) {
      const size_t last = std::min(codes.size(), first + block);  // exclusive
      std::vector<RunResultRow> rows;
      rows.reserve((last - first) * nodes);
      RETURN_IF_ERROR(pool_.WithConnection([&](pqxx::connection& c) -> absl::Status {
        pqxx::read_transaction tx(c);
        rows.clear();
        const pqxx::result r =
            tx.exec_params(kExportResults, run_id, cluster, static_cast<int64_t>(first + 1),
                           static_cast<int64_t>(last));
        if (r.size() != (last - first) * nodes) {
          return absl::DataLossError(absl::StrCat("run ", run_id, ": ", r.size(),
                                                  " stored results for ", (last - first) * nodes,
                                                  " region-node pairs"));
        }
        for (size_t i = 0; i < r.size(); ++i) {
          const pqxx::row row = r[static_cast<pqxx::result::size_type>(i)];
          RunResultRow& out = rows.emplace_back();
          out.region = codes[first + i / nodes];
          out.node = row[0].as<std::string>();
          out.node_position = row[1].as<int>();
          out.cluster = cluster;
          ReadValues(row, 2, out);
        }
        return absl::OkStatus();
      }));
      pending.insert(pending.end(), std::make_move_iterator(rows.begin()),
                     std::make_move_iterator(rows.end()));
      size_t from = 0;
      for (; pending.size() - from >= page_rows; from += page_rows) {
        std::vector<RunResultRow> page(std::make_move_iterator(pending.begin() + from),
                                       std::make_move_iterator(pending.begin() + from + page_rows));
        if (!on_chunk(page)) return absl::OkStatus();
      }
      pending.erase(pending.begin(), pending.begin() + from);
    }
  }
  if (!pending.empty()) on_chunk(pending);
  return absl::OkStatus();
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
        storage::CopyWriter copy(
            tx, kRanksTable,
            std::vector<std::string>{"analysis_id", "region", "nominal_score", "nominal_rank",
                                     "mean_rank", "median_rank", "p05_rank", "p95_rank"});
        for (const v1::RegionRankInterval& u : analysis.regions()) {
          copy.Row(std::make_tuple(analysis.id(), u.region_code(), Exact(u.nominal_score()),
                                   u.nominal_rank(), Exact(u.mean_rank()), Exact(u.median_rank()),
                                   Exact(u.p05_rank()), Exact(u.p95_rank())));
        }
        copy.Complete();
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
