#pragma once

// Observation files for `innoscope import observations`, read into one
// compact table (about 32 bytes per observation, codes interned) that the
// importer cuts into batches. Two layouts, told apart by the header:
//
// Long form: exactly the columns region,indicator,period,value[,source] in
//   any order (what `innoscope export observations` writes), one
//   observation per row.
// Wide form: anything else; one row per region (and period), one column
//   per indicator, like COINr's ASEM_iData.csv or UNDP's HDR extracts:
//   - the region column is --region_column, else the first present of
//     region_code, uCode, iso3, code, region;
//   - the period is --period for every row, else read from the period
//     column (--period_column, else the first present of period, Time,
//     time, year, Year);
//   - a column is read when its name is a known indicator (the framework's
//     leaves and the catalogue's indicators, chosen by the caller), or is
//     <known indicator>_<YYYY> (e.g. hdi_2022), which also gives the
//     period; every other column (names, group labels, ranks) is skipped
//     and listed in `skipped_columns`.
// In both layouts an empty or NA cell is missing: it is counted, not sent.
// Values are parsed correctly rounded (so export reproduces them bit for
// bit) and must be finite; periods are whole years.
//
// Every problem is reported with its line (and column) before anything is
// sent, up to kMaxReportedErrors of them. The same (region, indicator,
// period) twice with different values or sources is an error naming both
// lines; an exact repeat is dropped and counted in `duplicates`.
//
//   ObservationCsvOptions options;
//   options.known_indicators = {"LPI", "Flights"};
//   ASSIGN_OR_RETURN(ObservationFile file, ParseObservationCsv(text, options));
//   for (const ObservationRecord& r : file.records)
//     Send(file.Text(r.region), file.Text(r.indicator), r.period, r.value);

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/common/batch_plan.h"

namespace innoscope::cli {

inline constexpr int kMaxReportedErrors = 20;

// Interned strings: each distinct text is stored once and named by an id.
class StringPool {
 public:
  uint32_t Intern(absl::string_view text);
  const std::string& Get(uint32_t id) const { return texts_[id]; }
  size_t size() const { return texts_.size(); }

 private:
  std::vector<std::string> texts_;
  std::unordered_map<std::string, uint32_t> ids_;
};

struct ObservationRecord {
  uint32_t region = 0;  // StringPool ids
  uint32_t indicator = 0;
  uint32_t source = 0;  // id of "" when the file gives no source
  int32_t period = 0;
  double value = 0;
  int32_t line = 0;    // CSV line of the row
  int32_t column = 0;  // 0-based CSV column of the value
};

enum class ObservationLayout { kLong, kWide };

struct ObservationFile {
  ObservationLayout layout = ObservationLayout::kLong;
  std::vector<std::string> header;
  StringPool strings;
  std::vector<ObservationRecord> records;    // file order, duplicates dropped
  std::vector<std::string> skipped_columns;  // wide form only
  int64_t missing = 0;                       // NA / empty cells, not sent
  int64_t duplicates = 0;                    // exact repeats, not sent

  const std::string& Text(uint32_t id) const { return strings.Get(id); }
  // "line 12" or "line 12, column 'LPI'", for messages about one record.
  std::string Where(const ObservationRecord& record) const;
};

struct ObservationCsvOptions {
  // Wide form: indicator codes whose columns are read.
  std::unordered_set<std::string> known_indicators;
  std::optional<int32_t> period;  // --period
  std::string region_column;      // --region_column; empty = automatic
  std::string period_column;      // --period_column; empty = automatic
  size_t chunk_records = 65536;
};

// Wide form: the region column when none is named, the first of these
// present: region_code, uCode, iso3, code, region (shared by every command
// that reads wide files, e.g. `innoscope score`).
const std::vector<std::string>& DefaultRegionColumns();

// True when the header has region, indicator, period and value (long form).
bool IsLongObservationHeader(const std::vector<std::string>& header);

absl::StatusOr<ObservationFile> ParseObservationCsv(absl::string_view text,
                                                    const ObservationCsvOptions& options);

// Orders file.records for `batches`: batches in the order of ingest's key index (indicator,
// region, period; codes byte by byte), each batch in file order (docs/cli.md).
void OrderForKeyIndex(ObservationFile& file, size_t scoped_end,
                      const std::vector<common::BatchRange>& batches);

// What, besides the rows, decides what a batch stores: part of its id.
struct ObservationBatchScope {
  std::string framework;  // empty: a batch not restricted to a framework
  int32_t framework_version = 0;
  std::string source;  // default source of the request
  std::string note;
  std::string salt;  // --import_id: a new value re-applies a file
};

// Deterministic id of the batch holding file.records[begin, end):
// "obs-<32 hex digits>" (batch_id.h).
std::string ObservationBatchId(const ObservationFile& file, size_t begin, size_t end,
                               const ObservationBatchScope& scope);

// Collects row errors up to kMaxReportedErrors and renders them as one
// INVALID_ARGUMENT status with a hint; shared by every file importer.
class ErrorList {
 public:
  explicit ErrorList(std::string what) : what_(std::move(what)) {}
  void Add(std::string error);
  bool empty() const { return count_ == 0; }
  int64_t count() const { return count_; }
  // OK when empty; otherwise "<what>: N problem(s) ...: line 3: ...; ...".
  absl::Status ToStatus(absl::string_view hint) const;

 private:
  std::string what_;
  std::vector<std::string> errors_;
  int64_t count_ = 0;
};

}  // namespace innoscope::cli
